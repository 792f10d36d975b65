"""Why a document is invalid, from the fast engine: the prover's findings and jsonschema-rs's
errors, worded as the reference engine words them.

The errors come from the prover's finding functions (``_prover.find``: the closed bundle
compiled to C, see codegen/c_prover.py) for every document its reader accepts, else from
jsonschema-rs on the closed bundle. Either way they become the error shape wording.py
reads and go through the shared wording code; an error on the closed bundle's
``additionalProperties: false`` is an unknown field. Whatever cannot be worded raises
Unworded, and the caller asks the reference engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from ...protocol.closed_bundles import closed_resources, resolve
from ...protocol.limits import Limits
from ...protocol.pointers import child, parts, to_pointer
from ...protocol.report import Issue
from ..wording import deepest_causes, issues_of, unknown_field_issue
from . import prover
from .closed_check import closed_validator

Path = tuple[str | int, ...]


class _Error(NamedTuple):
    """A schema error in the shape wording.py reads (see wording.SchemaError); a tuple
    because an invalid document makes a dozen of them, and a frozen dataclass is slower to build."""

    validator: str
    validator_value: Any
    schema: Any
    instance: Any
    absolute_path: Path
    relative_path: Path
    relative_schema_path: tuple[int, ...]
    context: tuple[_Error, ...] | None
    unexpected: tuple[str, ...]


_new_error = tuple.__new__

_UNKNOWN_MEMBER_KEYWORDS = frozenset({"additionalProperties", "propertyNames"})
"""The closed bundle's keywords that refuse a member by its name: an unknown field (the
closed classes' only propertyNames refuses names with control characters, which no declared
field or extension key has)."""


class Unworded(Exception):
    """An error the fast engine cannot word as the reference engine would: use the reference."""


def from_bytes(data: bytes, doc_type: str, limits: Limits) -> prover.Found | None:
    """What the prover found in ``data`` (for ``worded``); None when the bytes are not a JSON
    text within the limits (see c/tape.h)."""
    return prover.findings(data, doc_type, limits)


def worded(found: prover.Found) -> tuple[Any, list[Issue], list[Issue]]:
    """The document, its schema issues and its unknown-field issues, from what the prover found."""
    document, findings, *_ = found
    return document, *_word(_errors_of_findings(findings, document), document)


def from_document(document: Any, doc_type: str) -> tuple[list[Issue], list[Issue]]:
    """The schema issues and the unknown-field issues of a decoded ``document``, from jsonschema-rs.

    Raises Unworded when an error cannot be mapped; the caller then asks the reference engine.
    """
    return _word((_adapt(error, document, doc_type, (), None) for error in _errors(document, doc_type)), document)


def _errors(document: Any, doc_type: str) -> Iterator[Any]:
    try:
        yield from closed_validator(doc_type).iter_errors(document)
    except ValueError as error:  # a value jsonschema-rs takes no subclass of: int, float, str (as a key too)
        raise Unworded(str(error)) from error


def _word(errors: Iterable[_Error], document: Any) -> tuple[list[Issue], list[Issue]]:
    schema_found: list[Issue] = []
    unknown: list[Issue] = []
    for error in errors:
        for cause in deepest_causes(error):
            if isinstance(cause, _Error) and cause.validator in _UNKNOWN_MEMBER_KEYWORDS:
                declared = set(cause.schema["properties"])
                pointer = to_pointer(cause.absolute_path)
                unknown += [unknown_field_issue(child(pointer, key), key, declared) for key in cause.unexpected]
            else:
                schema_found += issues_of(cause)
    if len(unknown) > 1:  # finding where a field sits in the document is not free
        unknown.sort(key=_LintOrder(document).of)
    return schema_found, unknown


# ------------------------------------------------------------------ the prover's findings


def _errors_of_findings(findings: list[prover.Finding], document: Any) -> list[_Error]:
    """The error tree of the findings: an anyOf's branch errors become its context."""
    schemas = prover.finding_schemas()
    context: dict[int, list[_Error]] = {}
    top: list[_Error] = []
    for index in range(len(findings) - 1, -1, -1):  # a finding's branch errors come after it
        schema_index, keyword, path, parent, branch, key = findings[index]
        schema = schemas[schema_index]
        instance = document
        for part in path:
            instance = instance[part]
        # The fields in order, straight to tuple.__new__: the NamedTuple's own __new__ is Python
        # code taking twice as long, and an invalid document makes dozens of errors.
        error = _new_error(
            _Error,
            (
                keyword,
                schema.get(keyword),
                schema,
                instance,
                path,
                path[len(findings[parent][2]) :] if parent >= 0 else path,
                (branch,) if parent >= 0 else (),
                tuple(reversed(context.pop(index, []))) if keyword == "anyOf" else None,
                (key,) if key is not None else (),
            ),
        )
        (context.setdefault(parent, []) if parent >= 0 else top).append(error)
    return top[::-1]


# ------------------------------------------------------------------ jsonschema-rs's errors


def _adapt(error: Any, document: Any, doc_type: str, parent_path: Path, branch: int | None) -> _Error:
    location = error.absolute_keyword_location
    if not location:
        raise Unworded(error.message)
    keyword, schema = _keyword_at(doc_type, location)
    path = _exact_path(document, error.instance_path)
    context = None
    if keyword == "anyOf":
        context = tuple(
            _adapt(sub, document, doc_type, path, index)
            for index, errors in enumerate(error.kind.context)
            for sub in errors
        )
    return _Error(
        validator=keyword,
        validator_value=schema[keyword],
        schema=schema,
        instance=error.instance,
        absolute_path=path,
        relative_path=path[len(parent_path) :],
        relative_schema_path=() if branch is None else (branch,),
        context=context,
        unexpected=_members_named(error, keyword),
    )


def _members_named(error: Any, keyword: str) -> tuple[str, ...]:
    """The members an additionalProperties or propertyNames error is about."""
    if keyword == "propertyNames":
        return (error.kind.error.instance,)
    return tuple(getattr(error.kind, "unexpected", ()))


def _exact_path(document: Any, reported: list[str | int]) -> Path:
    """jsonschema-rs's instance path, when it surely is the failing value's. It drops empty
    keys and turns keys that read as numbers into integers ("01" and "+1" both become 1), so
    a path that does not lead through the document step by step, or passes an object with
    an empty key (where one may have been dropped), is left to the reference engine."""
    node = document
    for part in [*reported, None]:
        if isinstance(node, dict):
            if "" in node or (part is not None and (not isinstance(part, str) or part not in node)):
                raise Unworded(f"jsonschema-rs's path {reported!r} may have lost a key")
        elif isinstance(node, list):
            if part is not None and (type(part) is not int or not 0 <= part < len(node)):
                raise Unworded(f"jsonschema-rs's path {reported!r} does not lead through the document")
        elif part is not None:
            raise Unworded(f"jsonschema-rs's path {reported!r} goes past a scalar")
        if part is not None:
            node = node[part]
    return tuple(reported)


@lru_cache(maxsize=4096)
def _keyword_at(doc_type: str, location: str) -> tuple[str, Any]:
    """The keyword an error location names, and the schema object holding it."""
    holder, _, keyword = location.rpartition("/")
    return keyword, resolve(holder, closed_resources(doc_type))


class _LintOrder:
    """Where the reference lint reports a field: objects outermost first in document order,
    and within one object its fields in order (its own before those of objects inside it).
    Each object's member positions are listed once, however many unknown fields it holds."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.positions: dict[int, dict[str, int]] = {}  # by id(): the document outlives this

    def position(self, node: dict[str, Any], key: str) -> int:
        positions = self.positions.get(id(node))
        if positions is None:
            positions = self.positions[id(node)] = {name: index for index, name in enumerate(node)}
        return positions[key]

    def of(self, issue: Issue) -> tuple[tuple[int, ...], int]:
        *parent, key = parts(issue.pointer)
        places = []
        node = self.document
        for part in parent:
            if isinstance(node, dict):
                places.append(self.position(node, part))
                node = node[part]
            else:
                places.append(int(part))
                node = node[int(part)]
        return tuple(places), self.position(node, key)
