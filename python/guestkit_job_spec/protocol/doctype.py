"""Telling a document's type (job, result, progress, worker) from its member names.

The rule (docs/decisions.md, "Telling the document type"): a type is told only when the
document has every one of that type's identifiers and more than half of its required
top-level members; of the types that qualify, the one whose required members the document
has the largest share of. A tie, or no type qualifying, is unknown: never a guess, so a
``package.json`` (``name``, ``version``) is no worker registration.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import resources
from .pointers import parts

IDENTIFIER_SUFFIX = "_id"


@dataclass(frozen=True)
class Signature:
    """What tells one document type, read from its schema: its required top-level members,
    and its identifiers, the required members named ``*_id`` (``job_id``, ``worker_id``)."""

    required: frozenset[str]
    identifiers: frozenset[str]

    @property
    def enough(self) -> int:
        """The fewest required members that are more than half of them."""
        return len(self.required) // 2 + 1


@cache
def signatures() -> dict[str, Signature]:
    """Each document type's signature, in the index's order."""
    found = {}
    for doc_type in resources.document_types():
        schema = resources.document_schema(doc_type)
        root = schema
        for part in parts(schema["$ref"].removeprefix("#")):  # the root refers to its class: "#/$defs/Job"
            root = root[part]
        required = frozenset(root["required"])
        found[doc_type] = Signature(required, frozenset(n for n in required if n.endswith(IDENTIFIER_SUFFIX)))
    return found


@cache
def identifiers() -> tuple[str, ...]:
    """Every type's identifiers, sorted: what a message about an unknown type names."""
    return tuple(sorted(frozenset().union(*(s.identifiers for s in signatures().values()))))


def detect(document: Any) -> str | None:
    """The document's type by the rule above; None when it is not an object or no type is told."""
    return detect_from_fields(document.keys()) if isinstance(document, Mapping) else None


def detect_from_fields(fields: Collection[str]) -> str | None:
    """``detect`` for an object with these member names."""
    present = fields if isinstance(fields, (set, frozenset)) else set(fields)
    best: str | None = None
    best_found, best_size = 0, 1  # the best share so far, best_found / best_size
    tied = False
    for doc_type, signature in signatures().items():
        if not signature.identifiers <= present:
            continue
        found = len(signature.required & present)
        if found < signature.enough:
            continue
        size = len(signature.required)
        # found / size against best_found / best_size, exactly: no rounding can make or break a tie.
        if found * best_size > best_found * size:
            best, best_found, best_size, tied = doc_type, found, size, False
        elif found * best_size == best_found * size:
            tied = True
    return None if tied else best
