"""The fast engine: the prover, orjson and jsonschema-rs on the closed bundles, worded as the reference.

Proving, first in one compiled pass: the prover (guestkit_job_spec._prover, C generated
from the closed bundles, see prover/module.c) reads the bytes strictly and checks schema,
unknown fields and code-only rules at once; most documents are valid and stop there.
Proving, second: what the prover leaves (escaped strings, exponents, documents needing
exact instants...) orjson decodes and jsonschema-rs checks against the closed bundle.
Explaining: for the others, jsonschema-rs's errors on the closed bundle become the same
issues the reference engine (jsonschema, the lint walk) reports, through the same wording
code (schema_errors). Whatever it cannot word, the caller leaves to the reference engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import jsonschema_rs
import orjson
from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped]

from .closed_bundles import closed_bundle, closed_resources, resolve
from .code_rules import CODE_RULES
from .limits import DEFAULT_LIMITS, Limits
from .pointers import child, parts, to_pointer
from .report import Issue
from .schema_errors import deepest_causes, issues_of
from .unknown_fields import unknown_field_issue

try:
    from . import _prover  # compiled at install (hatch_build.py)
except ImportError:  # installed without a C compiler: orjson and jsonschema-rs prove alone
    _prover = None  # type: ignore[assignment]


def _provable_types() -> dict[str, int]:
    """The prover's index of each document type it covers whole: schema and every code-only rule."""
    if _prover is None:
        return {}
    return {
        doc_type: index
        for index, doc_type in enumerate(_prover.DOCUMENT_TYPES)
        if set(_prover.CODE_RULES.get(doc_type, ())) == set(CODE_RULES.get(doc_type, {}))
    }


PROVABLE_TYPES = _provable_types()


def _limit_arguments(limits: Limits) -> tuple[int, int, int, int]:
    return limits.max_document_bytes, limits.max_depth, limits.max_string_length, limits.max_container_entries


_DEFAULT_LIMIT_ARGUMENTS = _limit_arguments(DEFAULT_LIMITS)  # hashing a Limits costs more than proving a small job


def proven_document(data: bytes, doc_type: str, limits: Limits) -> Any | None:
    """The document, decoded, when the prover shows ``data`` a valid ``doc_type`` document
    with nothing to report; None says nothing: it may still be valid, for the other engines
    to decide. The prover builds it as the strict decoder would from the bytes it proved."""
    index = PROVABLE_TYPES.get(doc_type)
    if index is None:
        return None
    arguments = _DEFAULT_LIMIT_ARGUMENTS if limits is DEFAULT_LIMITS else _limit_arguments(limits)
    return _prover.prove(index, data, *arguments)


def proves(data: bytes, doc_type: str, limits: Limits) -> bool:
    """Whether the prover shows ``data`` a valid ``doc_type`` document with nothing to report."""
    return proven_document(data, doc_type, limits) is not None


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


# ------------------------------------------------------------------ explaining


@dataclass(frozen=True)
class _RustError:
    """A jsonschema-rs error in the shape schema_errors reads (see schema_errors.SchemaError)."""

    validator: str
    validator_value: Any
    schema: Any
    instance: Any
    absolute_path: tuple[str | int, ...]
    relative_path: tuple[str | int, ...]
    relative_schema_path: tuple[str | int, ...]
    context: tuple[_RustError, ...] | None
    unexpected: tuple[str, ...]


class Unexplained(Exception):
    """An error the fast engine cannot word as the reference engine would: use the reference."""


def explain(document: Any, doc_type: str) -> tuple[list[Issue], list[Issue]]:
    """The schema issues and the unknown-field issues of ``document``, as the reference engine reports them.

    Raises Unexplained when an error cannot be mapped; the caller then asks the reference engine.
    """
    schema_found: list[Issue] = []
    unknown: list[Issue] = []
    for error in closed_validator(doc_type).iter_errors(document):
        for cause in deepest_causes(_adapt(error, doc_type, (), None)):
            if isinstance(cause, _RustError) and cause.validator == "additionalProperties":
                declared = set(cause.schema["properties"])
                pointer = to_pointer(cause.absolute_path)
                unknown += [unknown_field_issue(child(pointer, key), key, declared) for key in cause.unexpected]
            else:
                schema_found += issues_of(cause)
    return schema_found, sorted(unknown, key=lambda issue: _lint_order(document, issue.pointer))


def _adapt(error: Any, doc_type: str, parent_path: tuple[str | int, ...], branch: int | None) -> _RustError:
    location = error.absolute_keyword_location
    if not location:
        raise Unexplained(error.message)
    keyword, schema = _keyword_at(doc_type, location)
    path = tuple(error.instance_path)
    context = None
    if keyword == "anyOf":
        context = tuple(
            _adapt(sub, doc_type, path, index) for index, errors in enumerate(error.kind.context) for sub in errors
        )
    return _RustError(
        validator=keyword,
        validator_value=schema[keyword],
        schema=schema,
        instance=error.instance,
        absolute_path=path,
        relative_path=path[len(parent_path) :],
        relative_schema_path=() if branch is None else (branch,),
        context=context,
        unexpected=tuple(getattr(error.kind, "unexpected", ())),
    )


@lru_cache(maxsize=4096)
def _keyword_at(doc_type: str, location: str) -> tuple[str, Any]:
    """The keyword an error location names, and the schema object holding it."""
    holder, _, keyword = location.rpartition("/")
    return keyword, resolve(holder, closed_resources(doc_type))


def _lint_order(document: Any, pointer: str) -> tuple[tuple[int, ...], int]:
    """Where the reference lint reports a field: objects outermost first in document order,
    and within one object its fields in order (its own before those of objects inside it)."""
    *parent, key = parts(pointer)
    positions = []
    node = document
    for part in parent:
        if isinstance(node, dict):
            positions.append(list(node).index(part))
            node = node[part]
        else:
            positions.append(int(part))
            node = node[int(part)]
    return tuple(positions), list(node).index(key)
