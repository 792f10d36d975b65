"""Hypothesis strategies for protocol documents, generated from the schemas.

hypothesis-jsonschema needs self-contained schemas and is slow on if/then, so each schema
is dereferenced (jsonschema-rs) and its discriminated if/then branches are rewritten into
the equivalent anyOf over the discriminator's values. A job is generated as an envelope
plus the data of one registered payload type, with operation and payload.type agreeing.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import jsonschema_rs
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from guestkit_job_spec.protocol import resources

INT64 = (-(2**63), 2**63 - 1)


@cache
def _registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry(list(resources.schemas_by_id().items()))


def generation_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every reference inlined and conditional dispatch turned into anyOf."""
    return _unfold(jsonschema_rs.dereference(copy.deepcopy(schema), registry=_registry()))


def _unfold(node: Any) -> Any:
    if isinstance(node, list):
        return [_unfold(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _unfold(value) for key, value in node.items()}
    conditional = [branch for branch in node.get("allOf", []) if "if" in branch]
    key = _discriminator(conditional)
    values = node.get("properties", {}).get(key, {}).get("enum") if key else None
    if not values:
        return node
    variants = []
    for value in values:
        applies = [branch["then"] for branch in conditional if _holds(branch["if"]["properties"][key], value)]
        variant: dict[str, Any] = {"properties": {key: {"const": value}}}
        if applies:
            variant["allOf"] = applies
        variants.append(variant)
    unfolded = {k: v for k, v in node.items() if k != "allOf"}
    rest = [branch for branch in node["allOf"] if "if" not in branch]
    if rest:
        unfolded["allOf"] = rest
    return {**unfolded, "anyOf": variants}


def _discriminator(branches: list[dict[str, Any]]) -> str | None:
    keys = {key for branch in branches for key in branch["if"].get("properties", {})}
    return keys.pop() if len(keys) == 1 else None


def _holds(condition: dict[str, Any], value: Any) -> bool:
    return value == condition["const"] if "const" in condition else value in condition.get("enum", ())


def _envelope_schema() -> dict[str, Any]:
    schema = generation_schema(resources.document_schema("job"))
    payload = schema["properties"]["payload"]
    payload.pop("allOf", None)  # data comes from the payload type's own schema below
    return schema


@st.composite
def jobs(draw: st.DrawFn) -> dict[str, Any]:
    payload_type = draw(st.sampled_from(sorted(resources.payload_types())))
    entry = resources.payload_types()[payload_type]
    data = draw(_payload_data(payload_type))
    job = draw(_envelopes())
    job["operation"] = entry["operation"]
    job["payload"] = {"type": payload_type, "data": data}
    return consistent(job)


@cache
def _envelopes() -> st.SearchStrategy[dict[str, Any]]:
    return from_schema(_envelope_schema())


@cache
def _payload_data(payload_type: str) -> st.SearchStrategy[dict[str, Any]]:
    schema_id = resources.payload_types()[payload_type]["id"]
    return from_schema(generation_schema(resources.schemas_by_id()[schema_id]))


@cache
def documents_of(doc_type: str) -> st.SearchStrategy[Any]:
    if doc_type == "job":
        return jobs()
    return from_schema(generation_schema(resources.document_schema(doc_type))).map(consistent)


def consistent(document: Any) -> Any:
    """Bring a schema-generated document within the rules JSON Schema cannot express."""
    document = _clamp(document)
    execution = document.get("execution") if isinstance(document, dict) else None
    if isinstance(execution, dict):
        if isinstance(execution.get("attempt"), int) and isinstance(execution.get("max_attempts"), int):
            execution["attempt"] = min(execution["attempt"], execution["max_attempts"])
        if isinstance(execution.get("attempt"), int) and execution.get("max_attempts") is None:
            execution["attempt"] = 1
        if execution.get("deadline") is not None:
            execution["deadline"] = document["created_at"]
    if isinstance(document, dict) and "leased_at" in document:  # a lease: its instants after leased_at
        document["leased_at"] = "2026-01-30T10:00:00Z"
        document["expires_at"] = "2026-01-30T10:01:00Z"
        if document.get("timeout_at") is not None:
            document["timeout_at"] = "2026-01-30T11:00:00Z"
        if isinstance(document.get("attempt"), int) and isinstance(document.get("max_attempts"), int):
            document["attempt"] = min(document["attempt"], document["max_attempts"])
    return document


def _clamp(value: Any) -> Any:
    """Integers beyond 64 bits are a decoding error, not a schema matter: keep them in range."""
    if isinstance(value, dict):
        return {key: _clamp(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clamp(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return max(INT64[0], min(INT64[1], value))
    return value
