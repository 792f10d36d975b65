"""Walking a document beside its schema: which schema objects apply to each value.

Follows ``$ref``, ``allOf``, the ``anyOf`` branches whose type admits the value, and
``if``/``then``/``else`` as the condition decides, so a payload is paired with the schema
its ``payload.type`` selects. Used by the unknown-field lint and by the conformance
suite's coverage checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator

from ...protocol import resources
from ...protocol.pointers import child

if TYPE_CHECKING:
    from referencing._core import Resolver  # the type Registry.resolver() returns

_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


@dataclass(frozen=True)
class Located:
    """A schema object and the resolver for references made inside it."""

    node: dict[str, Any]
    resolver: Resolver[Any]


@dataclass(frozen=True)
class Visit:
    """A value of the document, where it is, and the schema objects that apply to it."""

    pointer: str
    value: Any
    schemas: tuple[Located, ...]
    member_of: tuple[Located, ...] = ()
    """For an object member: the schema objects applying to the object that holds it."""


def walk(document: Any, doc_type: str) -> Iterator[Visit]:
    """Every value of ``document``, outermost first, with the schema objects that apply to it."""
    schema = resources.document_schema(doc_type)
    root = Located(schema, resources.registry().resolver(base_uri=schema["$id"]))
    yield from _visit(document, (root,), "", ())


def _visit(value: Any, schemas: tuple[Located, ...], pointer: str, member_of: tuple[Located, ...]) -> Iterator[Visit]:
    applicable = tuple(located for schema in schemas for located in applicable_to(value, schema))
    yield Visit(pointer, value, applicable, member_of)
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _visit(item, member_schemas(applicable, key), child(pointer, key), applicable)
    elif isinstance(value, list):
        items = tuple(Located(s.node["items"], s.resolver) for s in applicable if isinstance(s.node.get("items"), dict))
        for i, item in enumerate(value):
            yield from _visit(item, items, child(pointer, i), ())


def member_schemas(applicable: tuple[Located, ...], key: str) -> tuple[Located, ...]:
    """The schemas of an object's member ``key``: its ``properties`` entry, else ``additionalProperties``."""
    found = []
    for located in applicable:
        properties = located.node.get("properties", {})
        if key in properties:
            found.append(Located(properties[key], located.resolver))
        elif isinstance(located.node.get("additionalProperties"), dict):
            found.append(Located(located.node["additionalProperties"], located.resolver))
    return tuple(found)


def applicable_to(value: Any, located: Located) -> Iterator[Located]:
    """``located`` and the schema objects its applicators select for ``value``."""
    node, resolver = located.node, located.resolver
    if not isinstance(node, dict):
        return
    yield located
    if "$ref" in node:
        resolved = resolver.lookup(node["$ref"])
        yield from applicable_to(value, Located(resolved.contents, resolved.resolver))
    for sub in node.get("allOf", ()):
        yield from applicable_to(value, Located(sub, resolver))
    for sub in node.get("anyOf", ()):
        if _admits_type(Located(sub, resolver), value):
            yield from applicable_to(value, Located(sub, resolver))
    if "if" in node:
        branch = node.get("then") if _holds(node["if"], value) else node.get("else")
        if branch is not None:
            yield from applicable_to(value, Located(branch, resolver))


def _admits_type(located: Located, value: Any) -> bool:
    node, resolver = located.node, located.resolver
    while "$ref" in node and "type" not in node:
        resolved = resolver.lookup(node["$ref"])
        node, resolver = resolved.contents, resolved.resolver
    allowed = node.get("type")
    if allowed is None:
        return True
    allowed = allowed if isinstance(allowed, list) else [allowed]
    kind = json_type(value)
    return kind in allowed or (kind == "integer" and "number" in allowed)


def json_type(value: Any) -> str:
    """The JSON type of a decoded value; subclasses (an OrderedDict from json's
    ``object_pairs_hook``) are what jsonschema takes them for, their base's type."""
    if isinstance(value, int) and not isinstance(value, bool):
        return "integer"
    return next((name for kind, name in _JSON_TYPES.items() if isinstance(value, kind)), "number")


def _holds(condition: Any, value: Any) -> bool:
    # Conditions in the protocol schemas are self-contained (required + const/enum): no $ref to resolve.
    return bool(Draft202012Validator(condition).is_valid(value))
