"""The fast engine's compiled parts: the prover, orjson and jsonschema-rs on the closed bundles.

Proving, first in one compiled pass: the prover (guestkit_job_spec._prover, C generated
from the closed bundles, see prover/module.c) reads the bytes strictly and checks schema,
unknown fields and code-only rules at once; most documents are valid and stop there.
Proving, second: what the prover leaves (escaped strings, exponents, documents needing
exact instants...) orjson decodes and jsonschema-rs checks against the closed bundle.
Explaining the others: the prover's findings, or jsonschema-rs's errors, which
fast_explain words as the reference engine does.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema_rs
import orjson
from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped]

from .closed_bundles import closed_bundle
from .code_rules import CODE_RULES
from .limits import DEFAULT_LIMITS, Limits
from .report import Report

try:
    from . import _prover  # compiled at install (hatch_build.py)
except ImportError:  # installed without a C compiler: orjson and jsonschema-rs prove alone
    _prover = None  # type: ignore[assignment]


_TYPE_INDEX = {doc_type: index for index, doc_type in enumerate(_prover.DOCUMENT_TYPES)} if _prover else {}
"""The prover's index of each document type it has schema functions for."""

PROVABLE_TYPES = {
    doc_type: index
    for doc_type, index in _TYPE_INDEX.items()
    if set(_prover.CODE_RULES.get(doc_type, ())) == set(CODE_RULES.get(doc_type, {}))
}
"""Those of them it covers whole: schema and every code-only rule."""


def _limits_of(limits: Limits) -> tuple[int, int, int, int]:
    return limits.max_document_bytes, limits.max_depth, limits.max_string_length, limits.max_container_entries


_DEFAULT_LIMIT_ARGUMENTS = _limits_of(DEFAULT_LIMITS)


def _limit_arguments(limits: Limits) -> tuple[int, int, int, int]:
    """The prover's limit arguments (hashing a Limits costs more than proving a small job)."""
    return _DEFAULT_LIMIT_ARGUMENTS if limits is DEFAULT_LIMITS else _limits_of(limits)


def clean_report(data: bytes, doc_type: str, limits: Limits) -> Report | None:
    """The report of a document the prover shows valid with nothing to report (the common
    case); None says nothing: it may still be valid, for the other engines to decide. Its
    document the prover builds as the strict decoder would, from the bytes it proved."""
    index = PROVABLE_TYPES.get(doc_type)
    if index is None:
        return None
    return _prover.prove(Report, index, data, *_limit_arguments(limits))


Finding = tuple[int, str, tuple[str | int, ...], int, int, str | None]
"""The prover's account of one failing keyword: (schema index in prover_schemas(), keyword,
path of the failing value, index of the anyOf finding it is a branch error of or -1, that
branch, and for additionalProperties the unexpected member's name, else None)."""


def prover_findings(data: bytes, doc_type: str, limits: Limits) -> tuple[Any, list[Finding]] | None:
    """The decoded document and every schema keyword it fails (none when only code-only rules
    or nothing at all object), from the prover's explaining functions; None when the prover's
    reader declines the bytes (escapes, exponents...: see prover/tape.h) or has no such type."""
    index = _TYPE_INDEX.get(doc_type)
    if index is None:
        return None
    return _prover.explain(index, data, *_limit_arguments(limits))


@cache
def prover_schemas() -> tuple[Any, ...]:
    """The schema object (annotations left out) each finding's schema index names."""
    return tuple(json.loads(text) for text in _prover.SCHEMAS) if _prover is not None else ()


def proves(data: bytes, doc_type: str, limits: Limits) -> bool:
    """Whether the prover shows ``data`` a valid ``doc_type`` document with nothing to report."""
    return clean_report(data, doc_type, limits) is not None


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
    """jsonschema-rs on the closed bundle of ``doc_type``, formats asserted as the reference asserts them."""
    return jsonschema_rs.validator_for(
        closed_bundle(doc_type), validate_formats=True, formats={"date-time": _is_date_time}
    )


def _is_date_time(text: str) -> bool:
    """The reference's date-time check (jsonschema's, with rfc3339-validator): jsonschema-rs's own
    accepts the year 0, which RFC 3339 allows and the reference does not."""
    return bool(validate_rfc3339(text.upper()))


def is_clean(document: Any, doc_type: str) -> bool:
    """Whether ``document`` is schema-valid for ``doc_type`` with no unknown field."""
    return bool(closed_validator(doc_type).is_valid(document))
