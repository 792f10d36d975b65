"""Validating batches of documents on every core, reported in input order, memory bounded.

The first batch is validated in this process: a short run never pays for worker
processes, and a long one forks them with the compiled validators already warm. Later
batches go to a pool, whose workers read them themselves (sources.Batch) and send back
only names, sizes and issues: the decoded documents stay in the workers. At most two
batches per worker are in flight, so memory stays flat however long the input is, and
results come back in input order.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from ..protocol.report import Issue, Report
from .sources import Batch

Check = Callable[[bytes], Report]
Skip = Callable[[bytes, Report], bool]
"""Whether a checked document is to be skipped rather than reported (``validate --skip-unknown``)."""


@dataclass(frozen=True)
class Checked:
    """A document's name, its line in a JSON Lines input, its size in bytes (for progress), its report,
    and whether it is skipped."""

    name: str
    line: int | None
    size: int
    report: Report
    skipped: bool = False


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def checked(batches: Iterable[Batch], check: Check, workers: int, skip: Skip | None = None) -> Iterator[Checked]:
    """Every document of the batches, checked, in input order; ``check`` and ``skip`` must be picklable.
    ``skip`` sees each document's bytes and report where it was checked: the bytes stay there."""
    stream = iter(batches)
    first = next(stream, None)
    if first is None:
        return
    yield from _unpacked(_check_batch(check, skip, first))
    second = next(stream, None)
    if second is None:
        return
    if workers <= 1:
        for batch in chain([second], stream):
            yield from _unpacked(_check_batch(check, skip, batch))
        return
    with _context().Pool(workers) as pool:
        pending: deque[Any] = deque()
        for batch in chain([second], stream):
            pending.append(pool.apply_async(_check_batch, (check, skip, batch)))
            if len(pending) >= 2 * workers:
                yield from _unpacked(pending.popleft().get())
        while pending:
            yield from _unpacked(pending.popleft().get())


def _context() -> Any:
    # fork on Linux: workers inherit the imported modules and compiled validators. Elsewhere
    # the platform's default start method, which imports them afresh (fork is unsafe on macOS).
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)


# What a worker sends back per document: plain tuples, which pickle several times faster
# than the dataclasses (most documents are valid: no issues to send at all).
Packed = tuple[str, int | None, int, str | None, tuple[Issue, ...], tuple[Issue, ...], bool]


def _check_batch(check: Check, skip: Skip | None, batch: Batch) -> list[Packed]:
    packed: list[Packed] = []
    for source in batch.sources():
        if source.problem is not None:
            packed.append((source.name, source.line, 0, None, (source.problem,), (), False))
        else:
            data = source.data
            assert data is not None
            report = check(data)
            skipped = skip is not None and skip(data, report)
            doc_type, errors, warnings = report.doc_type, report.errors, report.warnings
            packed.append((source.name, source.line, len(data), doc_type, errors, warnings, skipped))
    return packed


def _unpacked(packed: list[Packed]) -> Iterator[Checked]:
    for name, line, size, doc_type, errors, warnings, skipped in packed:
        yield Checked(name, line, size, Report(doc_type, errors, warnings), skipped)
