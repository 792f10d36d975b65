"""Closed bundles: a document type's bundle that also rejects unknown fields.

Every class of the bundle (an object schema declaring ``properties`` and no
``additionalProperties``, so not a map such as labels) gets ``additionalProperties:
false``, with extension keys (``example.com/name``) exempt through ``patternProperties``,
and ``propertyNames`` refusing control characters in member names (NAME_GUARD).
A class extending another through ``allOf`` (InspectImage extends ImageReference) lists
the inherited fields among its own and refers to an open copy of its base, so the base's
checks still apply but only the extending class decides which fields exist.

A document is valid against the closed bundle exactly when it is schema-valid and the
unknown-field lint has nothing to say: what the fast engine checks in one compiled pass.
The npm package validates with the generated files (bundles/*.closed.bundle.json).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from typing import Any
from urllib.parse import urldefrag, urljoin

from . import bundling, keywords, resources
from .pointers import parts

UNKNOWN_FIELD_RULE = "document.unknown-field"
NAME_GUARD = {"not": {"pattern": "[\\x00-\\x1f\\x7f]"}, "x-rule": {"not": UNKNOWN_FIELD_RULE}}
"""Every closed class's propertyNames (erratum 1.0.1-E2): a member name with a control character
is never a declared field nor an extension key, whatever a regex engine makes of ``$`` before a
final newline (Python's re and Perl let ``example.com/cost\\n`` pass the extension-key pattern)."""
OPEN_SUFFIX = ".open"
"""Added to a base class's definition name for its open copy (``ImageReference.open``)."""


def is_class(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and node.get("type") == "object"
        and isinstance(node.get("properties"), dict)
        and "additionalProperties" not in node
    )


@cache
def closed_bundle(doc_type: str) -> dict[str, Any]:
    """The bundle of ``doc_type`` in which every class rejects the fields it does not declare."""
    bundle = bundling.bundle(doc_type)
    resources_by_id = _resources_of(bundle)
    bases = sorted(
        {ref for node, base in _schemas(bundle, bundle["$id"]) if is_class(node) for ref in _bases(node, base)}
    )
    open_copies = {ref: copy.deepcopy(resolve(ref, resources_by_id)) for ref in bases}
    closer = _Closer(resources_by_id, resources.common_def("ExtensionKey")["pattern"])
    for node, base in list(_schemas(bundle, bundle["$id"])):
        closer.close(node, base)
    for ref, open_copy in open_copies.items():
        resource, fragment = urldefrag(ref)
        for node, base in list(_schemas(open_copy, resource)):
            if node is not open_copy:
                closer.close(node, base)
        *_, name = parts(fragment)
        resources_by_id[resource]["$defs"][name + OPEN_SUFFIX] = open_copy
    return bundle


class _Closer:
    def __init__(self, resources_by_id: dict[str, Any], extension_key: str) -> None:
        self.resources_by_id = resources_by_id
        self.extension_key = extension_key

    def close(self, node: dict[str, Any], base: str) -> None:
        """Close ``node`` in place if it is a class."""
        if not is_class(node):
            return
        inherited = dict.fromkeys(self.declared_fields(node, base), True)
        for sub in node.get("allOf", ()):
            if isinstance(sub.get("$ref"), str):
                sub["$ref"] = urljoin(base, sub["$ref"]) + OPEN_SUFFIX
        for branch in (sub.get(key, {}) for sub in node.get("allOf", ()) for key in ("then", "else")):
            undeclared = set(branch.get("properties", {})) - set(inherited)
            if undeclared:  # a field only a branch declares would be unknown to the class
                raise ValueError(f"{node.get('title')}: a conditional branch declares {sorted(undeclared)}")
        node["properties"] = {**inherited, **node["properties"]}
        node["patternProperties"] = {**node.get("patternProperties", {}), self.extension_key: True}
        node["additionalProperties"] = False
        node["propertyNames"] = copy.deepcopy(NAME_GUARD)
        node["x-rule"] = {
            **node.get("x-rule", {}),
            "additionalProperties": UNKNOWN_FIELD_RULE,
            "propertyNames": UNKNOWN_FIELD_RULE,
        }

    def declared_fields(self, node: dict[str, Any], base: str) -> list[str]:
        """The fields a class declares, its bases' included."""
        fields: dict[str, None] = {}
        for ref in _bases(node, base):
            fields.update(dict.fromkeys(self.declared_fields(resolve(ref, self.resources_by_id), ref)))
        fields.update(dict.fromkeys(node["properties"]))
        return list(fields)


def _bases(node: dict[str, Any], base: str) -> list[str]:
    """Absolute references of the classes ``node`` extends through ``allOf``."""
    return [urljoin(base, sub["$ref"]) for sub in node.get("allOf", ()) if isinstance(sub.get("$ref"), str)]


@cache
def closed_resources(doc_type: str) -> dict[str, Any]:
    """Every schema resource of the closed bundle of ``doc_type``, by absolute ``$id``."""
    return _resources_of(closed_bundle(doc_type))


def _resources_of(bundle: dict[str, Any]) -> dict[str, Any]:
    return {base: node for node, base in _schemas(bundle, bundle["$id"]) if "$id" in node}


def resolve(uri: str, resources_by_id: dict[str, Any]) -> Any:
    """The schema object that ``uri`` (a resource's ``$id`` and a JSON Pointer) names."""
    resource, fragment = urldefrag(uri)
    node = resources_by_id[resource]
    for part in parts(fragment):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _schemas(node: Any, base: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Every schema object below ``node`` (itself included) with its base URI, outermost first."""
    if not isinstance(node, dict):
        return
    if isinstance(node.get("$id"), str):
        base = urljoin(base, node["$id"])
    yield node, base
    for _, sub in keywords.subschemas(node):
        yield from _schemas(sub, base)
