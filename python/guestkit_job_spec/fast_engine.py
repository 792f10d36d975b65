"""The fast engine's compiled parts: the prover, orjson and jsonschema-rs on the closed bundles.

Proving, in one compiled pass: the prover (guestkit_job_spec._prover, C generated from
the closed bundles, see prover/module.c) reads the bytes as the strict decoder does and
checks schema, unknown fields and code-only rules at once; most documents are valid and
stop there. Explaining the others: the prover's findings, which fast_explain words as the
reference engine does; bytes its reader refuses are not a JSON text within the limits,
and the strict decoder says why.
Without the prover (installed without a C compiler), or for a document whose type only
its fields tell: orjson decodes what it provably decodes as the strict decoder would, and
jsonschema-rs checks it against the closed bundle.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from functools import cache
from typing import Any, Literal

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


def clean_report(data: bytes, doc_type: str, limits: Limits) -> Report | Literal[False] | None:
    """The report of a document the prover shows valid with nothing to report (the common
    case), its document built as the strict decoder would build it. None says nothing: the
    document may still be valid, for the other engines to decide. False: the prover's reader
    refused the bytes, which are then not a JSON text within the limits."""
    index = PROVABLE_TYPES.get(doc_type)
    if index is None:
        return None
    return _prover.prove(Report, index, data, *_limit_arguments(limits))


Finding = tuple[int, str, tuple[str | int, ...], int, int, str | None]
"""The prover's account of one failing keyword: (schema index in prover_schemas(), keyword,
path of the failing value, index of the anyOf finding it is a branch error of or -1, that
branch, and for additionalProperties the unexpected member's name, else None)."""


def member_names(data: bytes, limits: Limits) -> Collection[str] | None:
    """The names of the root object's members (none when the root is not an object), for
    telling a document's type; None when the bytes are surely not a JSON text within the
    limits (the prover's reader refused them) or, without the prover, when orjson cannot
    decode them."""
    if _prover is not None:
        return _prover.member_names(data, *_limit_arguments(limits))
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return document.keys() if isinstance(document, dict) else ()


def prover_reads(doc_type: str) -> bool:
    """Whether the prover reads documents of ``doc_type``: then a refusal of its reader means
    the bytes are not a JSON text within the limits."""
    return doc_type in _TYPE_INDEX


def prover_findings(data: bytes, doc_type: str, limits: Limits) -> tuple[Any, list[Finding]] | None:
    """The decoded document and every schema keyword it fails (none when only code-only rules
    or nothing at all object), from the prover's explaining functions; None when the bytes are
    not a JSON text within the limits (see prover/tape.h). Only for a type the prover reads."""
    return _prover.explain(_TYPE_INDEX[doc_type], data, *_limit_arguments(limits))


@cache
def prover_schemas() -> tuple[Any, ...]:
    """The schema object (annotations left out) each finding's schema index names."""
    return tuple(json.loads(text) for text in _prover.SCHEMAS) if _prover is not None else ()


def proves(data: bytes, doc_type: str, limits: Limits) -> bool:
    """Whether the prover shows ``data`` a valid ``doc_type`` document with nothing to report."""
    return bool(clean_report(data, doc_type, limits))


_LONGEST_SAFE_DIGIT_RUN = b"0" * 19  # 19 digits may exceed int64; orjson makes 20-digit integers floats
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0000000000")


def decode(data: bytes, limits: Limits) -> Any | None:
    """The value of ``data`` when orjson decodes it exactly as the strict decoder would; None when unsure.

    Unsure, and left to the strict decoder: escaped quotes or \\u escapes (the checks below
    find strings by their quotes, and lone surrogates hide in escapes), a number with 19
    digits in a row (maybe an integer beyond int64, which orjson turns into a float), more
    brackets than the depth limit (counting depth exactly would take a loop over them in
    Python), and anything past the other limits. orjson itself rejects invalid UTF-8, a
    byte order mark, NaN, infinite numbers and trailing data. It keeps the last of
    duplicate keys silently; a dropped key shows as fewer quotes when the value is written
    back. Every check is a pass or two over the bytes in C: no input makes it slow.
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
    """Whether ``data`` (without escaped quotes) surely keeps the limits."""
    if len(data) > limits.max_document_bytes or data.count(b",") >= limits.max_container_entries:
        return False
    if data.count(b"{") + data.count(b"[") > limits.max_depth:  # even the brackets inside strings
        return False
    if len(data) <= limits.max_string_length:
        return True
    return max(map(len, data.split(b'"')[1::2]), default=0) <= limits.max_string_length  # odd pieces: strings


def _has_long_number(data: bytes) -> bool:
    """Whether a number outside strings has 19 digits in a row (only called without escaped quotes)."""
    digits = data.translate(_DIGITS_AS_ZERO)
    start = digits.find(_LONGEST_SAFE_DIGIT_RUN)
    quotes = counted_to = 0  # the quotes before counted_to: each byte is counted once
    while start != -1:
        quotes += data.count(b'"', counted_to, start)
        counted_to = start
        if quotes % 2 == 0:  # an even number of quotes before it: not in a string
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
