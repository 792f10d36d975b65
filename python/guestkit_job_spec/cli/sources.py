"""Where documents come from: files, folders, JSON Lines files and standard input.

Each PATH argument expands lazily into documents, so memory stays flat however many
there are. A document that cannot be read is still a document: it carries the read error
as an issue (rule input.unreadable) instead of stopping the run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..limits import Limits
from ..report import Issue

STDIN = "-"
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Source:
    """One document to validate: its name for the report, and its bytes or why there are none."""

    name: str
    data: bytes | None = None
    problem: Issue | None = None


def expand(paths: list[str], limits: Limits) -> Iterator[Source]:
    for path in paths:
        if path == STDIN:
            yield _read_stream("<stdin>", sys.stdin.buffer, limits)
        elif os.path.isdir(path):
            yield from _folder(path, limits)
        elif path.endswith(JSON_LINES_SUFFIXES):
            yield from _json_lines(path, limits)
        else:
            yield _file(path, limits)


def _folder(path: str, limits: Limits) -> Iterator[Source]:
    """Every ``*.json`` file below ``path``, in name order; symbolic links to folders are not followed."""
    try:
        entries = sorted(os.scandir(path), key=lambda entry: entry.name)
    except OSError as exc:
        yield _unreadable(path, exc)
        return
    for entry in entries:
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError as exc:
            yield _unreadable(entry.path, exc)
            continue
        if is_folder:
            yield from _folder(entry.path, limits)
        elif entry.name.endswith(".json"):
            yield _file(entry.path, limits)


def _file(path: str, limits: Limits) -> Source:
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > limits.max_document_bytes:
                return Source(path, problem=_too_large(size, limits))
            return _read_stream(path, stream, limits)
    except OSError as exc:
        return _unreadable(path, exc)


def _read_stream(name: str, stream: BinaryIO, limits: Limits) -> Source:
    """Read at most one byte past the limit, so an endless stream cannot exhaust memory."""
    try:
        data = stream.read(limits.max_document_bytes + 1)
    except OSError as exc:
        return _unreadable(name, exc)
    if len(data) > limits.max_document_bytes:
        return Source(name, problem=_too_large(None, limits))
    return Source(name, data)


def _json_lines(path: str, limits: Limits) -> Iterator[Source]:
    """One document per non-blank line, named ``path:line``."""
    try:
        with open(path, "rb") as stream:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    yield Source(f"{path}:{number}", line)
    except OSError as exc:
        yield _unreadable(path, exc)


def _unreadable(name: str, exc: OSError) -> Source:
    reason = exc.strerror or str(exc)
    return Source(name, problem=Issue("input.unreadable", "", f"cannot read {name}: {reason}"))


def _too_large(size: int | None, limits: Limits) -> Issue:
    has = f"has {size:,} bytes" if size is not None else "is larger than that"
    return Issue(
        "json.size",
        "",
        f"the document {has}, more than the limit of {limits.max_document_bytes:,} bytes (raise it with --max-bytes)",
    )
