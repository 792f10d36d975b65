"""``json.integer-form``: an integer the text writes with a fraction or an exponent (5.0, 5e0).

JSON has one number type, and JSON Schema's ``integer`` is a value: 5.0 and 5e0 are the
integer 5, valid since protocol 1.0. Decoders that read integers into integer types refuse
them (Go's encoding/json into an ``int``, Rust's serde_json into an ``i64``), so a document
every validator accepts can fail in a worker. Refusing it would change the 1.0 contract;
the package warns instead, wherever the schema wants an integer (specification, section 3).

Both engines decode such a number to a float whose value is integral, an integer form to
an int: the finding is an integral float at a place whose schema says ``integer``. The
prover tells whether the text has such a number at all (``fast.prover.Found``), so valid
documents without one, nearly all, are never walked.
"""

from __future__ import annotations

from typing import Any

from ..protocol.json_values import leaves
from ..protocol.pointers import parts
from ..protocol.report import Issue

RULE = "json.integer-form"
_INT64 = 2**63


def may_apply(document: Any) -> bool:
    """Whether ``document`` holds a float with an integral value, wherever it is."""
    return any(type(leaf) is float and leaf.is_integer() for leaf in leaves(document))


def integer_form_issues(document: Any, doc_type: str, *, known: bool | None = None) -> list[Issue]:
    """A warning for every integer written with a fraction or an exponent. ``known``: whether the
    text has an integral number written so (the prover says), None when it is not known."""
    if known is False or not may_apply(document):
        return []
    from .reference.schema_walk import walk  # the reference's walker: only documents with such a number need it

    issues = []
    for visit in walk(document, doc_type):
        value = visit.value
        if type(value) is float and value.is_integer() and any(_wants_integer(s.node) for s in visit.schemas):
            issues.append(Issue(RULE, visit.pointer, _message(visit.pointer, value), "warning"))
    return issues


def _wants_integer(schema: dict[str, Any]) -> bool:
    allowed = schema.get("type")
    allowed = allowed if isinstance(allowed, list) else [allowed]
    return "integer" in allowed and "number" not in allowed


def _message(pointer: str, value: float) -> str:
    steps = parts(pointer)
    name = "the document" if not steps else f"item {steps[-1]}" if steps[-1].isdigit() else f"'{steps[-1]}'"
    written = f"write it {int(value)}" if abs(value) < _INT64 else "no 64-bit integer holds it"
    return (
        f"{name} is an integer written with a fraction or an exponent; valid, but decoders that read integers "
        f"into integer types (Go's encoding/json, Rust's serde_json) refuse it: {written}"
    )
