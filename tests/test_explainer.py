"""The prover's explaining half (``_prover.explain``): every failing keyword, for Python to word.

Complete: it finds something exactly when the closed bundle refuses the document.
Used: an invalid document the prover's reader accepts is explained from its findings,
not from jsonschema-rs, and the report is still the reference engine's (the conformance
suite and the property tests compare the two engines on every case).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from conftest import ROOT, example, mutate
from guestkit_job_spec import fast_engine, fast_explain, validate
from guestkit_job_spec.limits import DEFAULT_LIMITS
from test_conformance import CASES, case_input

sys.path.insert(0, str(ROOT / "codegen"))
from c_prover import Compiler
from regex_dfa import Unsupported

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
    explained = fast_engine.prover_findings(data, doc_type, DEFAULT_LIMITS)
    if explained is None:  # declined by the reader: the other engines explain it
        return
    document, findings = explained
    assert document == json.loads(data)
    assert bool(findings) is not fast_engine.is_clean(document, doc_type), case["id"]
    for index, (_, keyword, path, parent, _, key) in enumerate(findings):
        value = document
        for part in path:
            value = value[part]  # every path leads to a value of the document
        assert parent < index, "an anyOf's finding comes before its branches'"
        assert (key is not None) is (keyword == "additionalProperties")


def test_most_invalid_conformance_documents_are_read_by_the_prover() -> None:
    """A reader that declined everything would pass the test above."""
    invalid = [c for c in DOCUMENT_CASES if not validate(case_input(c), type=c["type"], engine="reference").valid]
    read = [c for c in invalid if fast_engine.prover_findings(case_input(c), c["type"], DEFAULT_LIMITS) is not None]
    assert len(read) >= 0.85 * len(invalid), len(read)  # 382 of 432 when written


@pytest.mark.parametrize(
    ("job_id", "guarded"),
    [("job-0123\x7f456", True), ("job-café-0123", False), ("job-0123 456", False)],
    ids=["DEL", "non-ASCII", "space"],
)
def test_the_control_character_guard_is_found_apart_from_the_pattern(job_id: str, guarded: bool) -> None:
    """Every schema pattern already refuses control characters, so only the findings show
    that the guard itself (a class searched for: checks.h contains_any) decides right."""
    data = json.dumps(mutate(INVALID_JOB, {"/job_id": job_id}), ensure_ascii=False).encode()
    explained = fast_engine.prover_findings(data, "job", DEFAULT_LIMITS)
    assert explained is not None
    keywords = {keyword for _, keyword, path, *_ in explained[1] if path == ("job_id",)}
    assert keywords == ({"pattern", "not"} if guarded else {"pattern"})


def test_an_invalid_document_is_explained_from_the_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.dumps(INVALID_JOB).encode()
    expected = validate(data, engine="reference").to_dict()

    def not_called(*_: Any) -> Any:
        raise AssertionError("jsonschema-rs explained a document the prover reads")

    monkeypatch.setattr(fast_explain, "explain", not_called)
    assert validate(data).to_dict() == expected
    assert len(expected["errors"]) == 5 and len(expected["warnings"]) == 1


def test_escaped_bytes_are_explained_by_jsonschema_rs() -> None:
    """The reader declines backslash escapes; the report is the reference's all the same."""
    data = json.dumps(mutate(INVALID_JOB, {"/metadata/name": "a\u00e9b"})).encode()  # json.dumps writes \u00e9
    assert b"\\u00e9" in data
    assert fast_engine.prover_findings(data, "job", DEFAULT_LIMITS) is None
    assert validate(data).to_dict() == validate(data, engine="reference").to_dict()


@pytest.mark.parametrize(
    "schema",
    [
        {"properties": {"x": False}},  # the reference's error for false names no keyword to word
        {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    ],
    ids=["false-subschema", "oneOf"],
)
def test_what_the_explainer_cannot_word_fails_generation(schema: dict[str, Any]) -> None:
    compiler = Compiler(lambda _: {})
    with pytest.raises(Unsupported):
        compiler.explainer(compiler.function({"anyOf": [schema, {"type": "null"}]}, "", "job"))
