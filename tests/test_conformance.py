"""The Python runner of the conformance suite: every case of tests/conformance/cases/.

Three checks per document case:
- the package's pipeline gives the case's verdict, and reports at least the expected
  (rule, pointer) pairs, errors and warnings alike, on both engines (fast and reference),
  which must also give identical reports;
- plain JSON Schema validation (jsonschema, formats asserted, no package code) accepts
  exactly the cases the schemas alone should accept: valid cases and code-layer cases;
- so does jsonschema-rs, an independent engine with its own regex and format code.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

import engines
from guestkit_job_spec import Limits, Report, check_trace, check_transition, match_worker, validate
from guestkit_job_spec.protocol import rules
from guestkit_job_spec.validation.pipeline import ENGINES, Engine

CASES_DIR = Path(__file__).parent / "conformance" / "cases"


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.json")):
        cases.extend(json.loads(path.read_text(encoding="utf-8"))["cases"])
    return cases


CASES = load_cases()
DOCUMENT_CASES = [case for case in CASES if case["kind"] == "document"]


def pairs(issues: Any) -> set[tuple[str, str]]:
    return {
        (issue["rule"], issue["pointer"]) if isinstance(issue, dict) else (issue.rule, issue.pointer)
        for issue in issues
    }


def case_input(case: dict[str, Any]) -> bytes:
    """The case as the bytes a scheduler receives (the fast engine only takes bytes or text)."""
    if case["kind"] == "text":
        return case["text"].encode("utf-8") if "text" in case else base64.b64decode(case["base64"])
    return json.dumps(case["document"], ensure_ascii=False).encode("utf-8")


VALIDATED_CASES = [c for c in CASES if c["kind"] in ("document", "text")]


def validate_case(case: dict[str, Any], engine: Engine) -> Report:
    limits = Limits(**case.get("limits", {}))
    return validate(case_input(case), type=case["type"], strict=case["strict"], limits=limits, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", VALIDATED_CASES, ids=lambda c: c["id"])
def test_package_verdict(case: dict[str, Any], engine: Engine) -> None:
    report = validate_case(case, engine)
    assert report.valid is case["valid"], report
    assert pairs(case["errors"]) <= pairs(report.errors), report.errors
    assert pairs(case["warnings"]) <= pairs(report.warnings), report.warnings


@pytest.mark.parametrize("case", VALIDATED_CASES, ids=lambda c: c["id"])
def test_both_engines_give_the_same_report(case: dict[str, Any]) -> None:
    assert validate_case(case, "fast").to_dict() == validate_case(case, "reference").to_dict()


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "transition"], ids=lambda c: c["id"])
def test_transition(case: dict[str, Any]) -> None:
    issue = check_transition(case["transition"]["from"], case["transition"]["to"])
    assert (issue is None) is case["valid"]
    assert pairs(case["errors"]) <= pairs([issue] if issue else [])


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "match"], ids=lambda c: c["id"])
def test_match(case: dict[str, Any]) -> None:
    reasons = match_worker(case["job"], case["worker"])
    assert (not reasons) is case["valid"]
    assert pairs(case["errors"]) <= pairs(reasons)


TRACE_CASES = [c for c in CASES if c["kind"] == "trace"]
STEP_DOCUMENT_TYPES = {
    "submit": "job",
    "resubmit": "job",
    "claim": "lease",
    "heartbeat": "lease",
    "progress": "progress",
    "result": "result",
    "cancel": "cancel",
}


@pytest.mark.parametrize("case", TRACE_CASES, ids=lambda c: c["id"])
def test_trace(case: dict[str, Any]) -> None:
    """A trace reports exactly the first step that breaks a rule, and only it."""
    issues = check_trace(case)
    assert (not issues) is case["valid"]
    assert sorted(pairs(issues)) == sorted(pairs(case["errors"])), [issue.message for issue in issues]


@pytest.mark.parametrize("case", TRACE_CASES, ids=lambda c: c["id"])
def test_every_document_of_a_trace_is_valid(case: dict[str, Any]) -> None:
    """Traces judge behaviour, never documents: each message is a valid document of its type, strictly."""
    for step in case["steps"]:
        if "document" in step:
            report = validate(step["document"], type=STEP_DOCUMENT_TYPES[step["message"]], strict=True)
            assert report.valid and not report.warnings, (step, report)


@pytest.mark.parametrize("case", DOCUMENT_CASES, ids=lambda c: c["id"])
def test_plain_schema_validation_agrees(case: dict[str, Any]) -> None:
    """Self-consistency: the schemas alone reject exactly the schema-layer invalid cases."""
    expected = case["valid"] or case["layer"] == "code"
    assert engines.reference(case["type"]).is_valid(case["document"]) is expected


def test_case_ids_are_unique() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", DOCUMENT_CASES, ids=lambda c: c["id"])
def test_an_independent_engine_agrees(case: dict[str, Any]) -> None:
    """jsonschema-rs (Rust, its own regex and format code) gives the same schema verdict."""
    expected = case["valid"] or case["layer"] == "code"
    assert engines.rust(case["type"]).is_valid(case["document"]) is expected


@pytest.mark.parametrize("case", DOCUMENT_CASES, ids=lambda c: c["id"])
def test_the_single_file_bundle_agrees(case: dict[str, Any]) -> None:
    expected = case["valid"] or case["layer"] == "code"
    assert engines.bundle(case["type"]).is_valid(case["document"]) is expected


@pytest.mark.parametrize("case", DOCUMENT_CASES, ids=lambda c: c["id"])
def test_the_closed_bundle_is_valid_exactly_when_the_document_is_clean(case: dict[str, Any]) -> None:
    """With Python's re, whose $ matches before a final newline, as with every engine (erratum 1.0.1-E2)."""
    report = validate(case["document"], type=case["type"], strict=True)
    clean = not [i for i in report.errors if rules.get(i.rule).layer == "schema" or i.rule == "document.unknown-field"]
    assert engines.bundle(case["type"], closed=True).is_valid(case["document"]) is clean
