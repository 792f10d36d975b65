"""Where documents come from: files, folders, JSON Lines files and standard input.

The PATH arguments expand lazily into batches of documents, so memory stays flat however
many there are. A batch is read where it is validated: a worker process reads its own
files and splits its own lines, and only names and reports travel back. A document that
cannot be read is still a document: it carries the read error as an issue (rule
input.unreadable) instead of stopping the run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from ..protocol.limits import Limits
from ..protocol.report import Issue

STDIN = "-"
STDIN_NAME = "<stdin>"
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
BATCH_DOCUMENTS = 256
"""Files per batch: enough to amortise handing a batch to a worker, few for steady progress."""
BATCH_BYTES = 512 * 1024
"""JSON Lines text per batch (whole lines; a longer line makes a batch of its own)."""


@dataclass(frozen=True)
class Source:
    """One document to validate: its name for the report (the file, or ``<stdin>``), its line
    in a JSON Lines input, and its bytes or why there are none."""

    name: str
    data: bytes | None = None
    problem: Issue | None = None
    line: int | None = None


class Batch(Protocol):
    def sources(self) -> list[Source]: ...


@dataclass(frozen=True)
class Ready:
    """Documents already read (standard input, problems found while listing folders)."""

    items: tuple[Source, ...]

    def sources(self) -> list[Source]:
        return list(self.items)


@dataclass(frozen=True)
class Files:
    """Files to read, each one document."""

    paths: tuple[str, ...]
    limits: Limits

    def sources(self) -> list[Source]:
        return [_file(path, self.limits) for path in self.paths]


@dataclass(frozen=True)
class Lines:
    """Whole lines of a JSON Lines file, ``first_line`` being the number of the first; blank lines are skipped."""

    path: str
    first_line: int
    text: bytes

    def sources(self) -> list[Source]:
        lines = self.text.split(b"\n")
        return [Source(self.path, line, line=n) for n, line in enumerate(lines, self.first_line) if line.strip()]


def batches(paths: list[str], limits: Limits, *, json_lines: bool = False) -> Iterator[Batch]:
    """The documents of ``paths``; ``json_lines`` reads files and standard input as JSON Lines
    whatever their names (folders are still searched for ``*.json`` files, one document each)."""
    for path in paths:
        if path == STDIN and json_lines:
            yield from _json_lines_of(STDIN_NAME, sys.stdin.buffer, limits)
        elif path == STDIN:
            yield Ready((_read_stream(STDIN_NAME, sys.stdin.buffer, limits),))
        elif os.path.isdir(path):
            yield from _folder_batches(path, limits)
        elif json_lines or path.endswith(JSON_LINES_SUFFIXES):
            yield from _json_lines(path, limits)
        else:
            yield Files((path,), limits)


def _folder_batches(path: str, limits: Limits) -> Iterator[Batch]:
    """The folder's files in batches, and the problems met while listing it, in listing order."""
    pending: list[str] = []
    for item in _folder(path):
        if isinstance(item, Source):
            if pending:
                yield Files(tuple(pending), limits)
                pending = []
            yield Ready((item,))
            continue
        pending.append(item)
        if len(pending) == BATCH_DOCUMENTS:
            yield Files(tuple(pending), limits)
            pending = []
    if pending:
        yield Files(tuple(pending), limits)


def _folder(path: str) -> Iterator[str | Source]:
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
            yield from _folder(entry.path)
        elif entry.name.endswith(".json"):
            yield entry.path


def _json_lines(path: str, limits: Limits) -> Iterator[Batch]:
    try:
        with open(path, "rb") as stream:
            yield from _json_lines_of(path, stream, limits)
    except OSError as exc:
        yield Ready((_unreadable(path, exc),))


def _json_lines_of(name: str, stream: BinaryIO, limits: Limits) -> Iterator[Batch]:
    """The stream in runs of whole lines of about BATCH_BYTES.

    A line longer than a block and than the size limit is reported as too large and
    skipped without being held, so one endless line cannot exhaust memory.
    """
    first_line, rest = 1, b""
    while block := stream.read(BATCH_BYTES):
        text = rest + block
        end = text.rfind(b"\n")
        if end == -1:
            if len(text) > limits.max_document_bytes:
                yield Ready((Source(name, problem=_too_large(None, limits), line=first_line),))
                first_line, rest = first_line + 1, _after_line(stream)
            else:
                rest = text  # a line longer than a block: keep reading
            continue
        yield Lines(name, first_line, text[:end])
        first_line += text.count(b"\n", 0, end) + 1
        rest = text[end + 1 :]
    if rest:
        yield Lines(name, first_line, rest)


def _after_line(stream: BinaryIO) -> bytes:
    """Read past the end of the current line; what follows it in the last block read."""
    while block := stream.read(BATCH_BYTES):
        end = block.find(b"\n")
        if end != -1:
            return block[end + 1 :]
    return b""


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
