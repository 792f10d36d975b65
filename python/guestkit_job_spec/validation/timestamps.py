"""Exact ordering of RFC 3339 timestamps, fractional seconds of any length included."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)


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
    if match[8] != "Z":
        offset = timedelta(hours=int(match[10]), minutes=int(match[11]))
        moment -= offset if match[9] == "+" else -offset
    whole = int(moment.timestamp())
    return Decimal(whole) + (Decimal(match[7]) if match[7] else Decimal(0))
