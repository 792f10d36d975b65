"""Validating a stream of documents on every core, reported in input order, memory bounded.

The first batch is validated in this process: a short run never pays for worker
processes, and a long one forks them with the compiled validators already warm. Later
batches go to a pool; at most two batches per worker are in flight, so memory stays flat
however long the input is, and results come back in the order the documents came in.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import Any

from ..report import Report
from .sources import Source

BATCH = 256
"""Documents per task: enough to amortise the hand-over, few enough for steady progress."""

Check = Callable[[bytes], Report]


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def reports(sources: Iterable[Source], check: Check, workers: int) -> Iterator[tuple[Source, Report]]:
    """Each source with its report, in input order; ``check`` must be picklable (a module-level function)."""
    stream = iter(sources)
    first = list(islice(stream, BATCH))
    yield from zip(first, _check_batch(check, first), strict=True)
    if len(first) < BATCH:
        return
    if workers <= 1:
        for source in stream:
            yield source, _check_one(check, source)
        return
    with _context().Pool(workers) as pool:
        pending: deque[tuple[list[Source], Any]] = deque()
        for batch in iter(lambda: list(islice(stream, BATCH)), []):
            pending.append((batch, pool.apply_async(_check_batch, (check, batch))))
            if len(pending) >= 2 * workers:
                done, result = pending.popleft()
                yield from zip(done, result.get(), strict=True)
        while pending:
            done, result = pending.popleft()
            yield from zip(done, result.get(), strict=True)


def _context() -> Any:
    # fork on Linux: workers inherit the imported modules and compiled validators. Elsewhere
    # the platform's default start method, which imports them afresh (fork is unsafe on macOS).
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)


def _check_batch(check: Check, batch: list[Source]) -> list[Report]:
    return [_check_one(check, source) for source in batch]


def _check_one(check: Check, source: Source) -> Report:
    if source.problem is not None:
        return Report.of(None, [source.problem])
    assert source.data is not None
    # The decoded document stays in the worker: the reporters need only the verdict and issues.
    return replace(check(source.data), document=None)
