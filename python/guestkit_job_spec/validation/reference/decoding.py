"""Strict JSON decoding: bytes or text in, a JSON value and decoding issues out.

Only UTF-8 without a byte order mark; duplicate keys, NaN and Infinity, integers beyond
64 bits, trailing data and anything past the configured ``Limits`` are issues, never
exceptions. jiter does the parsing (strict, and it reports duplicate keys); one walk over
the decoded value then checks what jiter lets through: ranges and the limits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jiter

from ...protocol.limits import DEFAULT_LIMITS, Limits
from ...protocol.pointers import to_pointer
from ...protocol.report import Issue

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_POSITION = re.compile(r" at line (\d+) column (\d+)$")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abAB]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # in a decoded str: no UTF-8 encoding exists
_BOMS = {
    b"\xef\xbb\xbf": "starts with a UTF-8 byte order mark; remove it (JSON text has none)",
    b"\xff\xfe": "starts with a UTF-16 byte order mark; save it as UTF-8",
    b"\xfe\xff": "starts with a UTF-16 byte order mark; save it as UTF-8",
}


@dataclass(frozen=True)
class Decoded:
    value: Any
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return not self.issues


def decode(data: bytes | str, limits: Limits = DEFAULT_LIMITS) -> Decoded:
    """Decode one JSON document strictly. ``value`` is None when it cannot be decoded."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            return _failed(
                "json.encoding", f"the text holds a lone UTF-16 surrogate at character {exc.start}; it cannot be UTF-8"
            )
    if len(data) > limits.max_document_bytes:
        return _failed(
            "json.size",
            f"the document has {len(data):,} bytes, more than the limit of {limits.max_document_bytes:,}",
        )
    for bom, problem in _BOMS.items():
        if data.startswith(bom):
            return _failed("json.encoding", f"the document {problem}")
    try:
        value = jiter.from_json(data, catch_duplicate_keys=True, allow_inf_nan=True)
    except ValueError as exc:
        return Decoded(None, (_classify(str(exc), data, limits),))
    issues = tuple(check_value(value, limits))
    return Decoded(value, issues)


def check_value(value: Any, limits: Limits = DEFAULT_LIMITS) -> Iterator[Issue]:
    """Check an already-decoded value: JSON types only, finite numbers, 64-bit integers, limits."""
    # Iterative, so that a deeply nested mapping handed in by a caller cannot exhaust the stack.
    # Paths stay tuples until an issue needs its JSON Pointer: most documents have none.
    stack: list[tuple[Any, tuple[str | int, ...], int]] = [(value, (), 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > limits.max_depth:
                yield Issue(
                    "json.depth",
                    to_pointer(path),
                    f"arrays and objects are nested deeper than the limit of {limits.max_depth} levels",
                )
                continue
            if len(node) > limits.max_container_entries:
                kind = "object" if isinstance(node, dict) else "array"
                yield Issue(
                    "json.container-size",
                    to_pointer(path),
                    f"this {kind} has {len(node):,} entries, more than the limit of {limits.max_container_entries:,}",
                )
            if isinstance(node, dict):
                for key, item in node.items():
                    if not isinstance(key, str):
                        yield Issue(
                            "json.syntax",
                            to_pointer(path),
                            f"object key {key!r} is a {type(key).__name__}, not a string",
                        )
                        continue
                    if len(key) > limits.max_string_length:
                        yield _long_string(to_pointer((*path, key)), "key", len(key), limits)
                    if _LONE_SURROGATE.search(key):
                        yield _surrogate(to_pointer(path), "an object key")
                    stack.append((item, (*path, key), depth + 1))
            else:
                stack.extend((item, (*path, i), depth + 1) for i, item in enumerate(node))
        elif isinstance(node, str):
            if len(node) > limits.max_string_length:
                yield _long_string(to_pointer(path), "string", len(node), limits)
            if _LONE_SURROGATE.search(node):
                yield _surrogate(to_pointer(path), "this string")
        elif isinstance(node, bool) or node is None:
            pass
        elif isinstance(node, int):
            if not INT64_MIN <= node <= INT64_MAX:
                yield Issue(
                    "json.integer-range",
                    to_pointer(path),
                    f"the integer {_describe_big(node)} lies outside the signed 64-bit range; "
                    f"expected {INT64_MIN} to {INT64_MAX}",
                )
        elif isinstance(node, float):
            if not math.isfinite(node):
                yield Issue(
                    "json.non-finite-number",
                    to_pointer(path),
                    "the number is NaN, Infinity or too large for a double; expected a finite number",
                )
        else:
            yield Issue("json.syntax", to_pointer(path), f"a {type(node).__name__} is not a JSON value")


def check_decoded(value: Any, limits: Limits = DEFAULT_LIMITS) -> Decoded:
    """The decoding checks for a document handed in already decoded."""
    return Decoded(value, tuple(check_value(value, limits)))


def _classify(message: str, data: bytes, limits: Limits) -> Issue:
    """Turn a jiter error message into an issue under the matching rule id."""
    match = _POSITION.search(message)
    where = f" (line {match[1]}, column {match[2]})" if match else ""
    what = message[: match.start()] if match else message
    if "duplicate key" in what:
        key = what.split('"', 1)[1].rsplit('"', 1)[0] if '"' in what else "?"
        return Issue(
            "json.duplicate-key",
            "",
            f"the key {key!r} appears twice in one object{where}; keep exactly one (parsers disagree on which wins)",
        )
    if "recursion limit" in what:
        return Issue(
            "json.depth", "", f"arrays and objects are nested deeper than the limit of {limits.max_depth} levels{where}"
        )
    if "trailing" in what and "comma" not in what:
        return Issue(
            "json.trailing-data",
            "",
            f"something other than whitespace follows the document{where}; expected one JSON document",
        )
    if "surrogate" in what or ("hex escape" in what and _SURROGATE_ESCAPE.search(data)):
        return Issue(
            "json.encoding",
            "",
            f"a string holds a lone UTF-16 surrogate escape{where}; expected a complete surrogate pair",
        )
    if "unicode code point" in what or "utf-8" in what.lower():
        return Issue("json.encoding", "", f"the document is not valid UTF-8{where}")
    if not data.strip():
        return Issue("json.syntax", "", "the document is empty; expected a JSON object")
    if "EOF" in what:
        return Issue(
            "json.syntax", "", f"the document ends too early{where}: it is truncated or a bracket is not closed"
        )
    return Issue("json.syntax", "", f"not well-formed JSON: {what}{where}")


def _failed(rule: str, message: str) -> Decoded:
    return Decoded(None, (Issue(rule, "", message),))


def _surrogate(pointer: str, what: str) -> Issue:
    return Issue("json.encoding", pointer, f"{what} holds a lone UTF-16 surrogate, which no UTF-8 text can carry")


def _long_string(pointer: str, what: str, length: int, limits: Limits) -> Issue:
    return Issue(
        "json.string-length",
        pointer,
        f"this {what} has {length:,} characters, more than the limit of {limits.max_string_length:,}",
    )


def _describe_big(number: int) -> str:
    # str() of an int over 4,300 digits raises in CPython, so very long ones are only sized.
    if number.bit_length() <= 128:
        return str(number)
    digits = int(math.log10(abs(number))) + 1
    if 10 ** (digits - 1) > abs(number):  # the float logarithm rounds up just below a power of ten
        digits -= 1
    return f"of {digits:,} digits"
