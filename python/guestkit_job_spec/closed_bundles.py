"""Closed bundles: a document type's bundle that also rejects unknown fields.

Wherever the bundle uses a class (an object schema declaring ``properties`` and no
``additionalProperties``, so not a map such as labels), by ``$ref`` or inline, the use
gets ``unevaluatedProperties: false`` with extension keys (``example.com/name``) exempt.
A ``$ref`` inside a class's ``allOf`` is the class extending another (InspectImage
extends ImageReference) and is closed where the extending class is used, which sees the
fields of both. An ``x-fields`` annotation beside each lists the fields the class declares.

A document is valid against the closed bundle exactly when it is schema-valid and the
unknown-field lint has nothing to say: what the fast engine checks in one compiled pass.
The npm package reads the generated files (bundles/*.closed.bundle.json) for its lint.
On an invalid document the keyword also flags declared fields (JSON Schema drops what a
failing subschema evaluated), so reports take only undeclared fields from it.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urldefrag, urljoin

from . import bundling, resources
from .pointers import parts

UNKNOWN_FIELD_RULE = "document.unknown-field"
FIELDS_KEYWORD = "x-fields"

_SCHEMA_MAPS = {"properties", "patternProperties", "dependentSchemas"}
_SCHEMA_LISTS = {"anyOf", "oneOf", "prefixItems"}
_SCHEMAS = {"items", "not", "if", "then", "else", "contains", "propertyNames", "additionalProperties"}


def _is_class(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and node.get("type") == "object"
        and isinstance(node.get("properties"), dict)
        and "additionalProperties" not in node
    )


@cache
def closed_bundle(doc_type: str) -> dict[str, Any]:
    """The bundle of ``doc_type`` in which every use of a class rejects fields it does not declare."""
    bundle = bundling.bundle(doc_type)
    closed: dict[str, Any] = _Closer(bundle, resources.common_def("ExtensionKey")["pattern"]).derive(
        bundle, bundle["$id"]
    )
    return closed


class _Closer:
    def __init__(self, bundle: dict[str, Any], extension_key: str) -> None:
        self.extension_key = extension_key
        self.resources: dict[str, Any] = {}
        self._collect(bundle, bundle["$id"])

    def _collect(self, node: Any, base: str) -> None:
        """Every schema resource embedded in the bundle, by absolute ``$id``."""
        if isinstance(node, dict):
            if isinstance(node.get("$id"), str):
                base = urljoin(base, node["$id"])
                self.resources[base] = node
            for value in node.values():
                self._collect(value, base)
        elif isinstance(node, list):
            for value in node:
                self._collect(value, base)

    def resolve(self, ref: str, base: str) -> Any:
        resource, fragment = urldefrag(urljoin(base, ref))
        node = self.resources[resource]
        for part in parts(fragment):
            node = node[part]
        return node

    def derive(self, node: Any, base: str, *, is_definition: bool = False, is_base: bool = False) -> Any:
        if not isinstance(node, dict):
            return node
        here = urljoin(base, node["$id"]) if isinstance(node.get("$id"), str) else base
        copy: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$defs":
                copy[key] = {name: self.derive(sub, here, is_definition=True) for name, sub in value.items()}
            elif key in _SCHEMA_MAPS:
                copy[key] = {name: self.derive(sub, here) for name, sub in value.items()}
            elif key == "allOf":
                copy[key] = [self.derive(sub, here, is_base=_is_class(node)) for sub in value]
            elif key in _SCHEMA_LISTS:
                copy[key] = [self.derive(sub, here) for sub in value]
            elif key in _SCHEMAS:
                copy[key] = self.derive(value, here)
            else:
                copy[key] = value
        used = self.resolve(node["$ref"], here) if isinstance(node.get("$ref"), str) else None
        if isinstance(used, dict) and _is_class(used) and not is_base:
            return self._closed(copy, self._declared_fields(used, here))
        if _is_class(node) and not is_definition:
            return self._closed(copy, self._declared_fields(node, here))
        return copy

    def _closed(self, node: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        return {
            **node,
            "type": "object",  # the class's own type, restated: ajv's strict mode wants it beside patternProperties
            FIELDS_KEYWORD: fields,
            "patternProperties": {**node.get("patternProperties", {}), self.extension_key: True},
            "unevaluatedProperties": False,
            "x-rule": {**node.get("x-rule", {}), "unevaluatedProperties": UNKNOWN_FIELD_RULE},
        }

    def _declared_fields(self, node: dict[str, Any], base: str) -> list[str]:
        """The fields a class declares, its bases' included: the "did you mean" candidates."""
        fields: dict[str, None] = {}
        for sub in node.get("allOf", ()):
            if isinstance(sub.get("$ref"), str):
                fields.update(dict.fromkeys(self._declared_fields(self.resolve(sub["$ref"], base), base)))
        fields.update(dict.fromkeys(node["properties"]))
        return list(fields)
