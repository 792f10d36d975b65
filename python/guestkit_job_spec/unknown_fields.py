"""The unknown-field lint: fields no schema defines, which are not extension keys.

Unknown fields are valid (forward compatibility) and preserved; this lint reports them as
warnings, or errors under strict mode, with a "did you mean" hint. It walks the document
beside its schema, following ``$ref``, ``allOf``, the branches of ``anyOf`` whose type
admits the value, and ``if``/``then``/``else`` as the condition decides, so a payload is
linted against the schema its ``payload.type`` selects.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias

from jsonschema import Draft202012Validator

from . import resources
from .pointers import child
from .report import Issue

if TYPE_CHECKING:
    from referencing._core import Resolver  # the type Registry.resolver() returns

_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
Located: TypeAlias = "tuple[dict[str, Any], Resolver[Any]]"


@cache
def _extension_key() -> re.Pattern[str]:
    return re.compile(resources.common_def("ExtensionKey")["pattern"])


def unknown_field_issues(document: Any, doc_type: str) -> Iterator[Issue]:
    schema = resources.document_schema(doc_type)
    resolver = resources.registry().resolver(base_uri=schema["$id"])
    yield from _visit(document, [(schema, resolver)], "")


def _visit(value: Any, schemas: list[Located], pointer: str) -> Iterator[Issue]:
    applicable = [located for schema in schemas for located in _applicable(value, *schema)]
    if isinstance(value, dict):
        yield from _visit_object(value, applicable, pointer)
    elif isinstance(value, list):
        items = [(node["items"], res) for node, res in applicable if isinstance(node.get("items"), dict)]
        for i, item in enumerate(value):
            yield from _visit(item, items, child(pointer, i))


def _visit_object(value: dict[str, Any], applicable: list[Located], pointer: str) -> Iterator[Issue]:
    declared: dict[str, list[Located]] = {}
    open_maps: list[Located] = []
    for node, res in applicable:
        for name, sub in node.get("properties", {}).items():
            declared.setdefault(name, []).append((sub, res))
        if isinstance(node.get("additionalProperties"), dict):
            open_maps.append((node["additionalProperties"], res))
    lint = bool(declared) and not open_maps
    for key, item in value.items():
        if lint and key not in declared and not _extension_key().fullmatch(key):
            yield Issue("document.unknown-field", child(pointer, key), _unknown_message(key, declared), "warning")
        yield from _visit(item, declared.get(key, []) + open_maps, child(pointer, key))


def _unknown_message(key: str, declared: dict[str, list[Located]]) -> str:
    close = difflib.get_close_matches(key, declared, n=1, cutoff=0.75)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return (
        f"unknown field '{key}': {hint}it is kept but not checked; "
        f"name extension fields with a domain prefix such as 'example.com/{key}'"
    )


def _applicable(value: Any, schema: Any, resolver: Resolver[Any]) -> Iterator[Located]:
    """The schema objects that apply to ``value``: ``schema`` and those its applicators select."""
    if not isinstance(schema, dict):
        return
    yield schema, resolver
    if "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        yield from _applicable(value, resolved.contents, resolved.resolver)
    for sub in schema.get("allOf", ()):
        yield from _applicable(value, sub, resolver)
    for sub in schema.get("anyOf", ()):
        if _admits_type(sub, resolver, value):
            yield from _applicable(value, sub, resolver)
    if "if" in schema:
        branch = "then" if _is_valid(schema["if"], value) else "else"
        yield from _applicable(value, schema.get(branch), resolver)


def _admits_type(schema: dict[str, Any], resolver: Resolver[Any], value: Any) -> bool:
    while "$ref" in schema and "type" not in schema:
        resolved = resolver.lookup(schema["$ref"])
        schema, resolver = resolved.contents, resolved.resolver
    allowed = schema.get("type")
    if allowed is None:
        return True
    allowed = allowed if isinstance(allowed, list) else [allowed]
    kind = (
        "integer" if isinstance(value, int) and not isinstance(value, bool) else _JSON_TYPES.get(type(value), "number")
    )
    return kind in allowed or (kind == "integer" and "number" in allowed)


def _is_valid(condition: Any, value: Any) -> bool:
    # Conditions in the protocol schemas are self-contained (required + const/enum): no $ref to resolve.
    return bool(Draft202012Validator(condition).is_valid(value))
