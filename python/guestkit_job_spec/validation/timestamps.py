"""Exact ordering of RFC 3339 timestamps, fractional seconds of any length included."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def instant(text: str) -> Decimal | None:
    """Seconds since the Unix epoch, exactly; None if ``text`` is not an RFC 3339 date-time."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:
        return None
    offset = 0 if match[8] == "Z" else (int(match[10]) * 3600 + int(match[11]) * 60) * (1 if match[9] == "+" else -1)
    # The offset is taken from the seconds, not the datetime, which cannot go below year 1 or
    # above 9999 (0001-01-01T00:00:00+01:00 is an instant of year 0).
    whole = (moment - _EPOCH) // timedelta(seconds=1) - offset
    return Decimal(whole) + (Decimal(match[7]) if match[7] else Decimal(0))
