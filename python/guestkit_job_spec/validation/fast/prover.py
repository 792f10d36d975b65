"""The prover's Python face: the compiled module (``_prover``, from ``c/``) and what it answers.

The prover reads the bytes as the strict decoder does and checks schema, unknown fields
and code-only rules in one compiled pass (c/module.c); most documents are valid and stop
there. For the others it lists every keyword they fail, for findings.py to word as the
reference engine does; bytes its reader refuses are not a JSON text within the limits,
and the strict decoder says why.

The module carries a digest of the schemas it was generated from. When the schemas in use
differ (edited without `make gen`), it is not used: a warning says so and validation goes
on without it, slower but never with a verdict the reference engine would not give.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Collection
from functools import cache
from typing import Any, Literal

from ...protocol import resources
from ...protocol.limits import DEFAULT_LIMITS, Limits
from ...protocol.report import Report
from ..code_rules import CODE_RULES
from . import closed_check


class ProverOutOfDate(UserWarning):
    """The compiled prover was generated from other schemas than the ones in use."""


try:
    from . import _prover  # compiled at install (hatch_build.py)
except ImportError:  # installed without a C compiler: orjson and jsonschema-rs prove alone
    _prover = None  # type: ignore[assignment]

if _prover is not None and resources.schemas_digest() != _prover.SCHEMAS_DIGEST:
    warnings.warn(
        "the compiled prover of guestkit_job_spec was generated from other schemas than the ones in use, "
        "so it is not used (validation stays right, only slower): run `make gen` in a checkout, or "
        "reinstall the package",
        ProverOutOfDate,
        stacklevel=2,
    )
    _prover = None  # type: ignore[assignment]


def prover_loaded() -> bool:
    """Whether the fast engine has its compiled prover: without it (installed without a C
    compiler, or turned off as out of date) every report is the same, made several times slower
    (ten times on a small valid job)."""
    return _prover is not None


_TYPE_INDEX = {doc_type: index for index, doc_type in enumerate(_prover.DOCUMENT_TYPES)} if _prover else {}
"""The prover's index of each document type it has schema functions for."""

PROVABLE_TYPES = {
    doc_type: index
    for doc_type, index in _TYPE_INDEX.items()
    if set(_prover.CODE_RULES.get(doc_type, ())) == set(CODE_RULES.get(doc_type, {}))
}
"""Those of them it covers whole: schema and every code-only rule."""

Finding = tuple[int, str, tuple[str | int, ...], int, int, str | None]
"""The prover's account of one failing keyword: (schema index in finding_schemas(), keyword,
path of the failing value, index of the anyOf finding it is a branch error of or -1, that
branch, and for additionalProperties the unexpected member's name, else None)."""


def _limits_of(limits: Limits) -> tuple[int, int, int, int]:
    """The limits as the prover's size_t arguments: no document reaches sys.maxsize bytes, characters
    or entries, so a larger limit (Limits sets no upper bound but on depth) means the same."""
    return (
        min(limits.max_document_bytes, sys.maxsize),
        limits.max_depth,
        min(limits.max_string_length, sys.maxsize),
        min(limits.max_container_entries, sys.maxsize),
    )


_DEFAULT_LIMIT_ARGUMENTS = _limits_of(DEFAULT_LIMITS)


def limit_arguments(limits: Limits) -> tuple[int, int, int, int]:
    """The prover's limit arguments (hashing a Limits costs more than proving a small job)."""
    return _DEFAULT_LIMIT_ARGUMENTS if limits is DEFAULT_LIMITS else _limits_of(limits)


Found = tuple[Any, list[Finding], tuple[str, ...] | None, bool]
"""The decoded document, every schema keyword it fails (see ``findings``), when it fails
none the ids of the code-only rules that have findings (else None), and whether a number
written with a fraction or an exponent has an integral value (5.0, 5e0), so that
``json.integer-form`` may apply (``number_form``: the prover does not know which numbers
the schema wants integers)."""


def prove(data: bytes, doc_type: str, limits: Limits) -> Report | Found | Literal[False] | None:
    """The report of a document the prover shows valid with nothing to report (the common
    case), its document built as the strict decoder would build it. For any other document
    it reads, what ``findings`` answers, from the same reading. False: the prover's reader
    refused the bytes, which are then not a JSON text within the limits. None: the prover
    does not cover this document type whole, for the other engines to decide."""
    index = PROVABLE_TYPES.get(doc_type)
    if index is None:
        return None
    # Unpacked by hand: a call with *arguments costs a tenth of proving a small job.
    most_bytes, depth, string, entries = _DEFAULT_LIMIT_ARGUMENTS if limits is DEFAULT_LIMITS else _limits_of(limits)
    return _prover.prove(Report, index, data, most_bytes, depth, string, entries)


def proves(data: bytes, doc_type: str, limits: Limits) -> bool:
    """Whether the prover shows ``data`` a valid ``doc_type`` document with nothing to report."""
    return isinstance(prove(data, doc_type, limits), Report)


def reads(doc_type: str) -> bool:
    """Whether the prover reads documents of ``doc_type``: then a refusal of its reader means
    the bytes are not a JSON text within the limits."""
    return doc_type in _TYPE_INDEX


def findings(data: bytes, doc_type: str, limits: Limits) -> Found | None:
    """The decoded document, every schema keyword it fails (none when only code-only rules
    or nothing at all object), when it fails none the code-only rules with findings, and
    whether json.integer-form may apply (see Found); None when the bytes are not a JSON text
    within the limits (see c/tape.h). Only for a type the prover reads."""
    return _prover.find(_TYPE_INDEX[doc_type], data, *limit_arguments(limits))


@cache
def finding_schemas() -> tuple[Any, ...]:
    """The schema object (annotations left out) each finding's schema index names."""
    return tuple(json.loads(text) for text in _prover.SCHEMAS) if _prover is not None else ()


def member_names(data: bytes, limits: Limits) -> Collection[str] | None:
    """The names of the root object's members (none when the root is not an object), for
    telling a document's type; None when the bytes are surely not a JSON text within the
    limits (the prover's reader refused them) or, without the prover, when orjson cannot
    decode them."""
    if _prover is not None:
        return _prover.member_names(data, *limit_arguments(limits))
    return closed_check.member_names(data)
