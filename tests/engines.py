"""The JSON Schema engines the tests compare, each loaded with every protocol schema.

- jsonschema (the reference engine), formats asserted, no retriever: nothing is fetched;
- jsonschema-rs, an independent engine in Rust with its own regex and format code;
- jsonschema again, on the single-file bundles alone (bundles/), open and closed.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from conftest import ROOT
from guestkit_job_spec.protocol import resources
from guestkit_job_spec.validation.reference.schema_check import validator_for


def reference(doc_type: str) -> Draft202012Validator:
    return validator_for(doc_type)


@cache
def rust(doc_type: str) -> Any:
    return jsonschema_rs.Draft202012Validator(
        resources.document_schema(doc_type),
        registry=jsonschema_rs.Registry(list(resources.schemas_by_id().items())),
        validate_formats=True,
    )


@cache
def bundle(doc_type: str, *, closed: bool = False) -> Draft202012Validator:
    """jsonschema on the single-file bundle alone (or its closed variant): nothing outside the file can be resolved."""
    from referencing import Registry
    from referencing.exceptions import Unresolvable

    def refuse(uri: str) -> Any:
        raise Unresolvable(uri)

    suffix = ".closed.bundle.json" if closed else ".bundle.json"
    path = ROOT / "bundles" / resources.index()["documents"][doc_type]["file"].replace(".json", suffix)
    return Draft202012Validator(
        json.loads(path.read_text(encoding="utf-8")),
        registry=Registry(retrieve=refuse),  # type: ignore[call-arg]
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
