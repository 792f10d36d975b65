"""Schema errors as issues, whichever engine found them.

The rule id comes from the ``x-rule`` annotation next to the failing keyword, or from the
generic rule of that keyword; the pointer is the failing value's (for a missing property,
the missing property's); the message says what was found and what is expected. Errors
inside a nullable ``anyOf`` are reported at their deepest cause, not at the section that
holds them. An error is anything shaped like jsonschema's ValidationError (SchemaError).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

from ..protocol import keywords, rules
from ..protocol.pointers import child, to_pointer
from ..protocol.report import Issue, show


class SchemaError(Protocol):
    """What issues are made from: the parts of jsonschema's ValidationError they read."""

    @property
    def validator(self) -> Any: ...
    @property
    def validator_value(self) -> Any: ...
    @property
    def schema(self) -> Any: ...
    @property
    def instance(self) -> Any: ...
    @property
    def absolute_path(self) -> Sequence[str | int]: ...
    @property
    def relative_path(self) -> Sequence[str | int]: ...
    @property
    def relative_schema_path(self) -> Sequence[str | int]: ...
    @property
    def context(self) -> Sequence[SchemaError] | None: ...


def deepest_causes(error: SchemaError) -> list[SchemaError]:
    """Replace an ``anyOf`` error by the errors of the one branch the value was meant for.

    A branch that failed only on its type at the value itself was not meant (a non-null
    value against ``{"type": "null"}``); when exactly one branch is left, its errors are
    the real causes.
    """
    if error.validator != "anyOf" or not error.context:
        return [error]
    branches: dict[Any, list[SchemaError]] = {}
    meant = set()
    for sub in error.context:
        branch = sub.relative_schema_path[0]
        branches.setdefault(branch, []).append(sub)
        if sub.validator != "type" or sub.relative_path:  # not a type mismatch at the value itself
            meant.add(branch)
    if len(meant) != 1:
        return [error]
    return [cause for sub in branches[meant.pop()] for cause in deepest_causes(sub)]


def issues_of(error: SchemaError) -> list[Issue]:
    """The issues one error makes: one, or one per missing field for ``required``."""
    keyword = str(error.validator)
    rule = _rule_of(keyword, error.schema)
    pointer = to_pointer(error.absolute_path)
    if keyword != "required":
        return [Issue(rule.id, pointer, _message(keyword, error, rule), rule.severity)]
    why = "" if rule.id == "schema.required" else f" ({rule.summary})"
    return [
        Issue(rule.id, child(pointer, name), f"required field '{name}' is missing{why}", rule.severity)
        for name in error.validator_value
        if isinstance(error.instance, dict) and name not in error.instance
    ]


def _rule_of(keyword: str, schema: Any) -> rules.Rule:
    rule = rules.rule_of(keyword, schema)
    if rule is None:  # test_schemas.py proves every asserting keyword has one
        raise KeyError(f"no rule covers the schema keyword {keyword!r}")
    return rule


def _message(keyword: str, error: SchemaError, rule: rules.Rule) -> str:
    found = f"{_field_name(error)} is {show(error.instance)}"
    return f"{found}; expected {rule.expected or _expectation(keyword, error)}"


def _field_name(error: SchemaError) -> str:
    if not error.absolute_path:
        return "the document"
    last = error.absolute_path[-1]
    return f"item {last}" if isinstance(last, int) else f"'{last}'"


def _expectation(keyword: str, error: SchemaError) -> str:
    """What the failing keyword asks for, in words: the keyword table's ``expected``."""
    value: Any = error.validator_value
    entry = keywords.get(keyword)
    expected = entry.expected if entry is not None else None
    if expected == "{types}":
        if keyword == "anyOf":  # every branch failed on its type (see deepest_causes): the types they accept
            value = [sub.validator_value for sub in error.context or () if sub.validator == "type"]
        return _types_in_words(value)
    if expected == "{one_of}":
        return _one_of(tuple(value))
    if isinstance(expected, tuple):
        return (expected[0] if value == 1 or len(expected) == 1 else expected[1]).format(value=value)
    return f"a value that satisfies {keyword} {json.dumps(value)}"


@lru_cache(maxsize=256)  # a few enums, worded again and again
def _one_of(values: tuple[Any, ...]) -> str:
    return "one of " + ", ".join(json.dumps(v) for v in values) + " (a closed set in v1)"


def _types_in_words(types: Any) -> str:
    names = {
        "object": "an object",
        "array": "an array",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "a boolean",
        "null": "null",
    }
    listed = types if isinstance(types, list) else [types]
    flat = [t for entry in listed for t in (entry if isinstance(entry, list) else [entry])]
    return " or ".join(names.get(str(t), str(t)) for t in dict.fromkeys(flat))


def unknown_field_issue(pointer: str, key: str, declared: set[str]) -> Issue:
    """The warning for ``key``, with a "did you mean" when a declared field is close."""
    close = _closest(key, frozenset(declared))
    hint = f"did you mean '{close}'? " if close else ""
    message = (
        f"unknown field '{key}': {hint}it is kept but not checked; "
        f"name extension fields with a domain prefix such as 'example.com/{key}'"
    )
    return Issue("document.unknown-field", pointer, message, "warning")


@lru_cache(maxsize=1024)  # the same misspelt fields come again and again; difflib is slow
def _closest(key: str, declared: frozenset[str]) -> str | None:
    close = difflib.get_close_matches(key, sorted(declared), n=1, cutoff=0.75)
    return close[0] if close else None
