"""Telling a document's type (job, result, progress, worker) from its fields."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from . import resources
from .pointers import parts


@cache
def _required_fields() -> dict[str, frozenset[str]]:
    """Top-level required fields of each document type, read from its schema."""
    fields = {}
    for doc_type in resources.document_types():
        schema = resources.document_schema(doc_type)
        root = schema
        for part in parts(schema["$ref"].removeprefix("#")):  # the root refers to its class: "#/$defs/Job"
            root = root[part]
        fields[doc_type] = frozenset(root["required"])
    return fields


def detect(document: Any) -> str | None:
    """The document type whose required fields the document has the largest share of.

    None when the document is not an object or shares no required field with any type.
    Fields that every type requires (``job_id``) do not count on their own.
    """
    return detect_from_fields(document.keys()) if isinstance(document, Mapping) else None


def detect_from_fields(fields: Collection[str]) -> str | None:
    """``detect`` for an object with these member names."""
    present = set(fields)
    required = _required_fields()
    common = frozenset.intersection(*required.values())
    best, best_share = None, 0.0
    for doc_type, needed in required.items():
        distinctive = needed - common
        share = len(distinctive & present) / len(distinctive)
        if share > best_share:
            best, best_share = doc_type, share
    return best
