"""orjson and jsonschema-rs on the closed bundles: the fast engine where the prover does not serve.

Without the prover (installed without a C compiler), for a document whose type its fields
do not tell, or for a mapping handed to ``validate()``: orjson decodes what it provably
decodes as the strict decoder would, and jsonschema-rs checks it against the closed bundle,
valid exactly when the document is schema-valid with no unknown field. A completed result's
data, checked against its job's payload type, is not a document the prover reads either:
jsonschema-rs proves it valid (``data_is_valid``), and only invalid data is left to the
reference engine to word.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

import jsonschema_rs
import orjson
from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped]

from ...protocol import resources
from ...protocol.closed_bundles import closed_bundle
from ...protocol.limits import Limits

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


def member_names(data: bytes) -> Collection[str] | None:
    """The names of the root object's members (none for another root), or None when orjson
    cannot decode the bytes (nor, then, can the strict decoder within the limits)."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return document.keys() if isinstance(document, dict) else ()


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


@cache
def _data_validator(schema_id: str) -> Any:
    """jsonschema-rs on the protocol schema ``schema_id`` as it is (open: data has no unknown-field
    lint), its references resolved among the protocol's schemas, formats as the reference asserts them."""
    registry = jsonschema_rs.Registry(list(resources.schemas_by_id().items()))
    return jsonschema_rs.validator_for(
        resources.schemas_by_id()[schema_id],
        registry=registry,
        validate_formats=True,
        formats={"date-time": _is_date_time},
    )


def data_is_valid(value: Any, schema_id: str) -> bool:
    """Whether decoded ``value`` is valid against the protocol schema ``schema_id``; False also when
    jsonschema-rs cannot take it (a subclass of int, float or str), for the reference to judge.
    ~0.3 us for an echo's data, where jsonschema takes ~30."""
    try:
        return bool(_data_validator(schema_id).is_valid(value))
    except ValueError:
        return False


def _is_date_time(text: str) -> bool:
    """The reference's date-time check (jsonschema's, with rfc3339-validator): jsonschema-rs's own
    accepts the year 0, which RFC 3339 allows and the reference does not."""
    return bool(validate_rfc3339(text.upper()))


def is_clean(document: Any, doc_type: str) -> bool:
    """Whether ``document`` is schema-valid for ``doc_type`` with no unknown field."""
    return bool(closed_validator(doc_type).is_valid(document))
