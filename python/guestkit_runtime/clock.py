"""Time as the runtime keeps it: integer microseconds since the Unix epoch, from a clock that
tests may replace; and its RFC 3339 form, as documents carry it."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal

from guestkit_job_spec.validation.timestamps import instant

Clock = Callable[[], int]


def system_clock() -> int:
    """Now, in microseconds since the epoch."""
    return time.time_ns() // 1000


def rfc3339(micros: int) -> str:
    """``micros`` as an RFC 3339 UTC timestamp with microseconds.

    >>> rfc3339(1_767_225_600_000_001)
    '2026-01-01T00:00:00.000001Z'
    """
    seconds, fraction = divmod(micros, 1_000_000)
    return f"{_second(seconds)}.{fraction:06d}Z"


@functools.lru_cache(maxsize=64)
def _second(seconds: int) -> str:
    # A worker stamps several documents a job, nearly all within the same few seconds.
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def micros(text: str) -> int:
    """An RFC 3339 timestamp as microseconds since the epoch (rounded down); ValueError if it is none.

    >>> micros("2026-01-01T01:00:00+01:00")
    1767225600000000
    """
    moment = instant(text)
    if moment is None:
        raise ValueError(f"not an RFC 3339 date-time: {text!r}")
    return int((moment * 1_000_000).to_integral_value(rounding="ROUND_FLOOR"))


def seconds(micros_: int) -> Decimal:
    """Microseconds as seconds, exactly."""
    return Decimal(micros_) / 1_000_000


def format_duration(seconds: float) -> str:
    """A duration as people read it (never in scientific notation): µs, ms, s, min, h.

    >>> [format_duration(s) for s in (0.0000123, 0.16284, 1.25, 42.4, 125, 7322)]
    ['12 µs', '163 ms', '1.2 s', '42 s', '2 min 5 s', '2 h 2 min']
    """
    if seconds < 0.001:
        return f"{seconds * 1_000_000:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
