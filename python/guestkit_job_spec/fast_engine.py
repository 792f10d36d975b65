"""The fast engine: proves the common case, a valid and lint-clean document, in compiled code.

orjson decodes and jsonschema-rs checks the document against its closed bundle (schema
rules and unknown-field lint in one pass). When either cannot vouch for the document, the
caller runs the reference engine (jiter, jsonschema, the lint walk), which explains every
problem; the fast engine never reports anything itself, so both engines give one report.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs
import orjson

from .closed_bundles import closed_bundle
from .limits import Limits

_LONGEST_SAFE_DIGIT_RUN = b"0" * 19  # 19 digits may exceed int64; orjson makes 20-digit integers floats
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0000000000")
_ALL_BUT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_OPENING = frozenset(b"[{")


def decode(data: bytes, limits: Limits) -> Any | None:
    """The value of ``data`` when orjson decodes it exactly as the strict decoder would; None when unsure.

    Unsure, and left to the strict decoder: escaped quotes or \\u escapes (the checks below
    find strings by their quotes, and lone surrogates hide in escapes), a number with 19
    digits in a row (maybe an integer beyond int64, which orjson turns into a float), and
    anything past the limits. orjson itself rejects invalid UTF-8, a byte order mark, NaN,
    infinite numbers and trailing data. It keeps the last of duplicate keys silently; a
    dropped key shows as fewer quotes when the value is written back.
    """
    if b'\\"' in data or b"\\u" in data or _has_long_number(data) or not _within_limits(data, limits):
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if data.count(b'"') != orjson.dumps(value).count(b'"'):
        return None
    return value


def _within_limits(data: bytes, limits: Limits) -> bool:
    """Whether ``data`` (without escaped quotes) keeps the limits; cheap bounds first, exact counts when they fail."""
    if len(data) > limits.max_document_bytes or data.count(b",") >= limits.max_container_entries:
        return False
    pieces = data.split(b'"') if len(data) > limits.max_string_length else []
    if any(len(text) > limits.max_string_length for text in pieces[1::2]):  # odd pieces are strings
        return False
    if data.count(b"{") + data.count(b"[") > limits.max_depth:
        outside_strings = b"".join((pieces or data.split(b'"'))[0::2])
        if _depth(outside_strings.translate(None, _ALL_BUT_BRACKETS)) > limits.max_depth:
            return False
    return True


def _depth(brackets: bytes) -> int:
    depth = deepest = 0
    for bracket in brackets:
        depth += 1 if bracket in _OPENING else -1
        deepest = max(deepest, depth)
    return deepest


def _has_long_number(data: bytes) -> bool:
    """Whether a number outside strings has 19 digits in a row (only called without escaped quotes)."""
    digits = data.translate(_DIGITS_AS_ZERO)
    start = digits.find(_LONGEST_SAFE_DIGIT_RUN)
    while start != -1:
        if data.count(b'"', 0, start) % 2 == 0:  # an even number of quotes before it: not in a string
            return True
        start = digits.find(_LONGEST_SAFE_DIGIT_RUN, digits.find(b'"', start))
    return False


@cache
def closed_validator(doc_type: str) -> Any:
    """jsonschema-rs on the closed bundle of ``doc_type``, formats asserted."""
    return jsonschema_rs.validator_for(closed_bundle(doc_type), validate_formats=True)


def is_clean(document: Any, doc_type: str) -> bool:
    """Whether ``document`` is schema-valid for ``doc_type`` with no unknown field."""
    return bool(closed_validator(doc_type).is_valid(document))
