"""A progress line on standard error for long runs on a terminal.

Appears only when standard error is a terminal and the run has lasted ``delay`` seconds,
redraws at most ten times a second, and is erased before the summary, so standard output
carries nothing but the report and logs stay clean.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import TextIO

from .sources import STDIN

WIDTH = 24


class Progress:
    def __init__(
        self,
        out: TextIO,
        total_bytes: int | None,
        *,
        delay: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out = out
        self.enabled = out.isatty()
        self.total_bytes = total_bytes
        self.delay = delay
        self.clock = clock
        self.started = clock()
        self.next_draw = self.started + delay
        self.documents = self.invalid = self.bytes_done = 0
        self.drawn = False

    def clear(self) -> None:
        """Erase the line, if shown, so report lines written to the same terminal stay whole."""
        if self.drawn:
            self.out.write("\r\x1b[K")
            self.out.flush()
            self.drawn = False

    def advance(self, size: int, valid: bool) -> None:
        self.documents += 1
        self.invalid += not valid
        self.bytes_done += size
        if self.enabled and self.clock() >= self.next_draw:
            self.draw()

    def draw(self) -> None:
        now = self.clock()
        self.next_draw = now + 0.1
        rate = self.documents / max(now - self.started, 1e-9)
        line = f"{self.documents:,} documents, {self.invalid:,} invalid, {rate:,.0f}/s"
        if self.total_bytes:
            done = min(self.bytes_done / self.total_bytes, 1.0)
            filled = round(done * WIDTH)
            line = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {done:4.0%} {line}"
        self.out.write(f"\r{line}\x1b[K")
        self.out.flush()
        self.drawn = True


def input_bytes(paths: Iterable[str]) -> int | None:
    """Total size of what the paths hold (the .json files of folders); None with standard input."""
    total = 0
    for path in paths:
        if path == STDIN:
            return None
        if os.path.isdir(path):
            for folder, _, names in os.walk(path):
                total += sum(_size(os.path.join(folder, name)) for name in names if name.endswith(".json"))
        else:
            total += _size(path)
    return total


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
