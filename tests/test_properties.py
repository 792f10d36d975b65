"""Property-based tests: documents generated from every schema, and mutations of them.

- A generated document validates, round-trips losslessly and builds as typed objects.
- A mutated document (a member removed, replaced by an odd value, or buried in deep
  nesting) always gets a verdict, never an exception; its text and its decoded form get
  the same verdict; and plain JSON Schema validation, by jsonschema and by jsonschema-rs
  (an independent engine in Rust), agrees with the package's schema layer.

`make test` runs a short, reproducible pass (GUESTKIT_FUZZ_EXAMPLES, default 15 per
document type); `make fuzz` runs a long, random one.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engines
from conftest import EXAMPLES as EXAMPLES_DIR
from conftest import paths_in
from guestkit_job_spec import to_json, validate
from guestkit_job_spec.protocol import resources, rules
from guestkit_job_spec.protocol.limits import DEFAULT_LIMITS
from guestkit_job_spec.typed.parsing import parse
from guestkit_job_spec.validation.fast import prover
from guestkit_job_spec.validation.pipeline import ENGINES
from strategies import documents_of, generation_schema

EXAMPLES = int(os.environ.get("GUESTKIT_FUZZ_EXAMPLES", "15"))
RANDOM = os.environ.get("GUESTKIT_FUZZ_RANDOM") == "1"
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    suppress_health_check=list(HealthCheck),
)

ODD_VALUES = st.one_of(
    st.sampled_from([0, -1, 2**53, 2**63 - 1, 2**63, -(2**63) - 1, 10**400, 1e308, -0.0, float("inf"), float("nan")]),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=20),  # lone surrogates included
    st.sampled_from(["", " ", "\n", "/vms/../x", "\x00", "\u202e", "\ufeff", "🙂" * 3, "job-12345678\n"]),
    st.integers(min_value=1, max_value=3).map(lambda n: "x" * (n * 700_000)),  # past the string limit
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=8,
    ),
)


@st.composite
def mutations(draw: st.DrawFn, document: Any) -> Any:
    path = draw(st.sampled_from(paths_in(document)))
    action = draw(st.sampled_from(["delete", "replace", "nest"]))
    if not path:
        return draw(ODD_VALUES) if action != "nest" else [document]
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = draw(ODD_VALUES)
    else:
        parent[last] = _nest(parent[last], draw(st.integers(50, 300)))
    return document


def _nest(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("doc_type", resources.document_types())
def test_generated_documents_are_valid_and_round_trip(doc_type: str) -> None:
    @PROFILE
    @given(documents_of(doc_type))
    def check(document: Any) -> None:
        report = validate(document, type=doc_type)
        assert report.valid, report.errors
        text = json.dumps(document).encode("utf-8")
        assert validate(text, type=doc_type).to_dict() == validate(text, type=doc_type, engine="reference").to_dict()
        typed = parse(document, type=doc_type)
        assert to_json(typed) == document

    check()


@pytest.mark.parametrize("doc_type", resources.document_types())
def test_mutated_documents_always_get_a_verdict_and_engines_agree(doc_type: str) -> None:
    @PROFILE
    @given(documents_of(doc_type).flatmap(mutations))
    def check(document: Any) -> None:
        report = validate(document, type=doc_type)  # must not raise, whatever the value
        text = json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass")
        assert validate(text, type=doc_type).valid is report.valid
        fast, reference = (validate(text, type=doc_type, strict=True, engine=e).to_dict() for e in ENGINES)
        assert fast == reference
        # Unescaped UTF-8 too: the prover reads raw text, and declines escapes.
        raw = json.dumps(document, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
        fast, reference = (validate(raw, type=doc_type, strict=True, engine=e).to_dict() for e in ENGINES)
        assert fast == reference
        decoding_failed = any(issue.rule.startswith("json.") for issue in report.errors)
        if not decoding_failed:
            schema_errors = [i for i in report.errors if rules.get(i.rule).layer == "schema"]
            assert engines.reference(doc_type).is_valid(document) is (not schema_errors)
            assert engines.rust(doc_type).is_valid(document) is (not schema_errors)

    check()


@pytest.mark.parametrize("payload_type", sorted(resources.index()["results"]))
def test_result_data_gets_the_same_issues_from_both_engines(payload_type: str) -> None:
    """Against its job, a result's data is proven valid by jsonschema-rs in the fast engine and
    judged by jsonschema in the reference engine: generated data and its mutations, same report."""
    from hypothesis_jsonschema import from_schema

    schema = generation_schema(resources.result_data_schema(payload_type) or {})
    job = {"job_id": "job-properties", "payload": {"type": payload_type, "data": {}}}
    result = json.loads((EXAMPLES_DIR / "result-doctor.json").read_text(encoding="utf-8"))
    result["job_id"] = job["job_id"]

    @settings(PROFILE, max_examples=max(1, EXAMPLES // 5))  # generating a doctor's data takes ~0.2 s
    @given(from_schema(schema).flatmap(lambda data: st.just(data) | mutations(data)))
    def check(data: Any) -> None:
        text = json.dumps({**result, "data": data}, allow_nan=True).encode("utf-8", "surrogatepass")
        fast, reference = (validate(text, type="result", job=job, engine=e).to_dict() for e in ENGINES)
        assert fast == reference

    check()


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """RFC 3339 date-times as producers write them: any offset, any fraction, years at both ends."""
    year = draw(st.sampled_from([1, 2, 1969, 1970, 2026, 9998, 9999]) | st.integers(1, 9999))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28 if month == 2 else 30))
    clock = draw(st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)))
    fraction = draw(
        st.sampled_from(["", ".0", ".5", ".50", ".123456", ".999999999999"])
        | st.from_regex(r"\.\d{1,12}", fullmatch=True)
    )
    zone = draw(
        st.just("Z")
        | st.builds("{}{:02d}:{:02d}".format, st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59))
    )
    return f"{year:04d}-{month:02d}-{day:02d}T{clock[0]:02d}:{clock[1]:02d}:{clock[2]:02d}{fraction}{zone}"


def test_the_deadline_rule_is_decided_alike_for_any_offsets_and_fractions() -> None:
    """The prover decides execution.deadline.after-created itself, exactly (issue #18): same
    report as the reference engine, and a valid job is proven, not handed on."""
    job = json.loads((EXAMPLES_DIR / "inspect-minimal.json").read_text())

    @PROFILE
    @given(timestamps(), timestamps() | st.just(None))
    def check(created: str, deadline: str | None) -> None:
        job["created_at"] = created
        job.setdefault("execution", {})["deadline"] = deadline if deadline is not None else created
        text = json.dumps(job).encode()
        fast, reference = (validate(text, strict=True, engine=e) for e in ENGINES)
        assert fast.to_dict() == reference.to_dict()
        if reference.valid and not reference.warnings:
            assert prover.proves(text, "job", DEFAULT_LIMITS)

    check()
