"""Single-file schemas: a root schema with every schema it refers to embedded.

The bundle is a compound schema document (JSON Schema 2020-12, section 9.3): each
referenced schema file is copied, with its ``$id``, under ``$defs`` of the root, so every
``$ref`` resolves inside the one file and a consumer that cannot load other files (or must
not touch the network) validates with the bundle alone.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin

from . import resources


def schema_id(name: str) -> str:
    """The ``$id`` of a document type (``job``) or payload type (``guestkit.inspect.v1``)."""
    index = resources.index()
    for kind in ("documents", "payloads"):
        if name in index[kind]:
            entry: dict[str, Any] = index[kind][name]
            return str(entry["id"])
    known = ", ".join([*index["documents"], *index["payloads"]])
    raise KeyError(f"unknown schema {name!r}; known: {known}")


def bundle(name: str) -> dict[str, Any]:
    """The schema of ``name`` with every schema it refers to, directly or not, embedded."""
    schemas = resources.schemas_by_id()
    root_id = schema_id(name)
    embedded_ids = sorted(_referenced(root_id) - {root_id})
    # An embedded file whose root only refers to one of its definitions (a payload file) is
    # referred to through that definition instead: ajv 8 loops on a root $ref inside an
    # embedded resource.
    aliases = {
        embedded_id: urljoin(embedded_id, schemas[embedded_id]["$ref"])
        for embedded_id in embedded_ids
        if "$ref" in schemas[embedded_id]
    }
    root: dict[str, Any] = _absolute_refs(copy.deepcopy(schemas[root_id]), root_id, aliases)
    for embedded_id in embedded_ids:
        embedded = _absolute_refs(copy.deepcopy(schemas[embedded_id]), embedded_id, aliases)
        embedded.pop("$schema", None)  # same dialect as the root
        embedded.pop("$ref", None)  # every reference to it now names its definition
        root.setdefault("$defs", {})[embedded_id.removeprefix(resources.index()["base_uri"])] = embedded
    return root


def _absolute_refs(node: Any, base: str, aliases: dict[str, str]) -> Any:
    """Write every ``$ref`` as an absolute URI (a relative one would depend on which embedded
    resource a validator believes it is in), going straight to an alias's target."""
    if isinstance(node, dict):
        return {
            key: _target(base, value, aliases) if key == "$ref" and isinstance(value, str)
            else _absolute_refs(value, base, aliases)
            for key, value in node.items()
        }  # fmt: skip
    if isinstance(node, list):
        return [_absolute_refs(item, base, aliases) for item in node]
    return node


def _target(base: str, ref: str, aliases: dict[str, str]) -> str:
    absolute = urljoin(base, ref)
    document, fragment = urldefrag(absolute)
    return aliases[document] if document in aliases and fragment in ("", "/") else absolute


def _referenced(start: str) -> set[str]:
    """Ids of the schema files reachable from ``start`` through ``$ref``."""
    schemas = resources.schemas_by_id()
    seen, pending = {start}, [start]
    while pending:
        current = pending.pop()
        for ref in _refs(schemas[current]):
            target = urldefrag(urljoin(current, ref)).url
            if target and target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)
