"""The prover's finding half (``_prover.find``): every failing keyword, for Python to word.

Complete: it finds something exactly when the closed bundle refuses the document.
Used: an invalid document the prover's reader accepts is explained from its findings,
not from jsonschema-rs, and the report is still the reference engine's (the conformance
suite and the property tests compare the two engines on every case).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import example, mutate
from guestkit_job_spec import validate
from guestkit_job_spec.protocol.limits import DEFAULT_LIMITS
from guestkit_job_spec.validation.code_rules import CODE_RULES
from guestkit_job_spec.validation.fast import closed_check, findings, prover
from guestkit_job_spec.validation.number_form import may_apply
from test_conformance import CASES, case_input

DOCUMENT_CASES = [c for c in CASES if c["kind"] == "document" and c["type"] != "auto"]
INVALID_JOB = mutate(
    example("inspect-full.json"),
    {
        "/job_id": "../etc/passwd",
        "/execution/priority": 11,
        "/payload/data/image/checksum": "md5:abc",
        "/payload/data/image/format": "vhd",
        "/metadata/nmae": "typo",
        "/created_at": "yesterday",
    },
)


@pytest.mark.parametrize("case", DOCUMENT_CASES, ids=str)
def test_it_finds_something_exactly_when_the_closed_bundle_refuses(case: dict[str, Any]) -> None:
    data, doc_type = case_input(case), case["type"]
    explained = prover.findings(data, doc_type, DEFAULT_LIMITS)
    reference = validate(data, type=doc_type, engine="reference")
    decoding_errors = [issue for issue in reference.errors if issue.rule.startswith("json.")]
    assert (explained is None) is bool(decoding_errors), "the reader refuses exactly what the strict decoder refuses"
    if explained is None:
        return
    document, findings, fired, integral = explained
    assert document == json.loads(data)
    assert integral is may_apply(document), "the prover says whether a number is integral and written as a fraction"
    assert bool(findings) is not closed_check.is_clean(document, doc_type), case["id"]
    # With nothing found, the code-only rules the prover saw fire are the reference's.
    assert (fired is None) is bool(findings)
    if fired is not None:
        code_rules = {issue.rule for issue in (*reference.errors, *reference.warnings)} & set(
            CODE_RULES.get(doc_type, {})
        )
        assert set(fired) == code_rules, case["id"]
    for index, (_, keyword, path, parent, _, key) in enumerate(findings):
        value = document
        for part in path:
            value = value[part]  # every path leads to a value of the document
        assert parent < index, "an anyOf's finding comes before its branches'"
        assert (key is not None) is (keyword in ("additionalProperties", "propertyNames"))


@pytest.mark.parametrize(
    ("job_id", "keywords"),
    [
        ("job-0123\x7f456", {"pattern", "not"}),
        ("job-café-0123", {"pattern"}),
        ("job-0123 456", {"pattern"}),
        ("job-0123456\n", {"not"}),
        ("job-0123456\n\n", {"pattern", "not"}),
    ],
    ids=["DEL", "non-ASCII", "space", "final newline", "two final newlines"],
)
def test_the_control_character_guard_is_found_apart_from_the_pattern(job_id: str, keywords: set[str]) -> None:
    """Every schema pattern refuses control characters, but for one: the reference searches
    with Python's re, whose `$` matches before a final newline; only the guard (a class
    searched for: checks.h contains_any) refuses that string. The findings show both."""
    data = json.dumps(mutate(INVALID_JOB, {"/job_id": job_id}), ensure_ascii=False).encode()
    explained = prover.findings(data, "job", DEFAULT_LIMITS)
    assert explained is not None
    assert {keyword for _, keyword, path, *_ in explained[1] if path == ("job_id",)} == keywords


def test_an_invalid_document_is_explained_from_the_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.dumps(INVALID_JOB).encode()
    expected = validate(data, engine="reference").to_dict()

    def not_called(*_: Any) -> Any:
        raise AssertionError("jsonschema-rs explained a document the prover reads")

    monkeypatch.setattr(findings, "from_document", not_called)
    assert validate(data).to_dict() == expected
    assert len(expected["errors"]) == 5 and len(expected["warnings"]) == 1


def test_escaped_bytes_are_explained_from_the_findings_too() -> None:
    """json.dumps writes \\u00e9: the reader decodes escapes as the strict decoder does."""
    data = json.dumps(mutate(INVALID_JOB, {"/metadata/name": "a\u00e9b"})).encode()
    assert b"\\u00e9" in data
    assert prover.findings(data, "job", DEFAULT_LIMITS) is not None
    assert validate(data).to_dict() == validate(data, engine="reference").to_dict()


@pytest.mark.parametrize(
    ("number", "integral"),
    [
        (b"5", False),
        (b"5.5", False),
        (b"-0.25e1", False),
        (b'"5.0"', False),
        (b"5.0", True),
        (b"5e0", True),
        (b"50E-1", True),
        (b"-0.0", True),
        (b"1e300", True),
    ],
)
def test_the_prover_tells_whether_an_integral_number_is_written_with_a_fraction(number: bytes, integral: bool) -> None:
    """What json.integer-form starts from (validation/number_form.py): a valid document never
    proves clean with such a number, and a document without one is never walked for it."""
    explained = prover.findings(b'{"a": [' + number + b"]}", "job", DEFAULT_LIMITS)
    assert explained is not None and explained[3] is integral is may_apply(explained[0])
    job = json.dumps(example("inspect-minimal.json")).encode().replace(b"{", b'{"example.com/n": ' + number + b", ", 1)
    assert prover.proves(job, "job", DEFAULT_LIMITS) is not integral
    assert validate(job).warnings == (), "an extension member is no integer member"
