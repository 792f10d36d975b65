"""Schema validation with the reference engine (jsonschema + referencing).

Every jsonschema error becomes issues through schema_errors, which the fast engine's
explanations share, so both engines word every problem alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from ...protocol import resources
from ...protocol.report import Issue
from ..wording import deepest_causes, issues_of


def validator_of(schema: dict[str, Any]) -> Draft202012Validator:
    """The reference validator of a protocol schema, with ``date-time`` asserted and no network."""
    return Draft202012Validator(
        schema, registry=resources.registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@cache
def validator_for(doc_type: str) -> Draft202012Validator:
    """The reference validator of a document type."""
    return validator_of(resources.document_schema(doc_type))


def issues_against(validator: Draft202012Validator, value: Any) -> Iterator[Issue]:
    """Every schema error of ``value`` under ``validator`` as an Issue."""
    for error in validator.iter_errors(value):
        for cause in deepest_causes(error):
            yield from issues_of(cause)


def schema_issues(document: Any, doc_type: str) -> Iterator[Issue]:
    """Every schema error of ``document`` as an Issue."""
    return issues_against(validator_for(doc_type), document)
