"""The lifecycle of protocol 1.1 (specification, section 15): the text against the data.

The traces themselves run in tests/test_conformance.py (Python) and tests/conformance/node/run.mjs
(the npm package); these tests hold the specification to them: its state diagram is the state
machine's file, every requirement of section 15 names the traces that pin it, every trace and
every lifecycle rule is named there, and a malformed trace is an error of the test, not a verdict.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from conftest import ROOT, npm_package_answers
from guestkit_job_spec import all_rules, check_trace
from guestkit_job_spec.protocol.states import state_diagram

SPEC = (ROOT / "docs" / "job-protocol-v1.md").read_text(encoding="utf-8")
SECTION = SPEC[SPEC.index("## 15. The job lifecycle") :]
CASES = {
    case["id"]: case
    for path in sorted((ROOT / "tests" / "conformance" / "cases").glob("*.json"))
    for case in json.loads(path.read_text(encoding="utf-8"))["cases"]
}
TRACES = {case_id: case for case_id, case in CASES.items() if case["kind"] == "trace"}
LIFECYCLE_RULES = {rule_id for rule_id, rule in all_rules().items() if rule_id.startswith("lifecycle.")}
NORMATIVE = re.compile(r"\b(MUST|MUST NOT|SHOULD|SHOULD NOT|MAY|REQUIRED|RECOMMENDED|OPTIONAL)\b")
NOT_PINNED = "not pinned by a trace"  # said of the one requirement that is timing advice (backoff)


def blocks(text: str) -> list[str]:
    """Paragraphs and list items: the units a requirement is stated in."""
    found = []
    for paragraph in re.split(r"\n\s*\n", text):
        found.extend(item for item in re.split(r"\n(?=- )", paragraph) if item.strip())
    return found


def test_the_state_diagram_is_drawn_from_the_state_machine_file() -> None:
    (diagram,) = re.findall(r"```mermaid\n(.*?)\n```", SECTION, flags=re.S)
    assert diagram == state_diagram(), "regenerate the diagram: guestkit_job_spec.protocol.states.state_diagram()"


def test_the_diagram_has_every_transition_and_nothing_else() -> None:
    machine = json.loads((ROOT / "schemas" / "job-states-v1.json").read_text())
    drawn = set(re.findall(r"^    (\w+) --> (\w+)$", state_diagram(), flags=re.M))
    assert drawn == {(source, target) for source, targets in machine["transitions"].items() for target in targets}


@pytest.mark.parametrize("block", [b for b in blocks(SECTION) if NORMATIVE.search(b)], ids=lambda b: b[:50])
def test_every_requirement_names_the_traces_that_pin_it(block: str) -> None:
    named = set(re.findall(r"`((?:lifecycle|scheduling)\.[a-z0-9-]+(?:\.[a-z0-9-]+)*)`", block))
    cases = {name for name in named if name in CASES}
    assert cases or NOT_PINNED in block, f"a requirement of section 15 names no case: {block!r}"
    unknown = {name for name in named if name not in CASES and name not in all_rules()}
    assert not unknown, f"section 15 names what is neither a case nor a rule: {unknown}"


def test_every_trace_and_every_lifecycle_rule_is_named_in_section_15() -> None:
    named = set(re.findall(r"`(lifecycle\.[a-z0-9.-]+)`", SECTION))
    assert set(TRACES) - named == set()
    assert LIFECYCLE_RULES - named == set()


def test_every_lifecycle_rule_judges_traces_only() -> None:
    """So none can change a document's verdict (specification, section 10)."""
    for rule_id in LIFECYCLE_RULES:
        rule = all_rules()[rule_id]
        assert (rule.layer, rule.severity) == ("code", "error"), rule_id
    registry = json.loads((ROOT / "schemas" / "rules-v1.json").read_text())["rules"]
    assert {r["id"] for r in registry if r["applies_to"] == ["trace"]} == LIFECYCLE_RULES


def test_the_openapi_has_every_operation_section_15_names() -> None:
    document = json.loads((ROOT / "openapi" / "job-service-v1.json").read_text())
    operations = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    named = set(re.findall(r"`([a-z]+[A-Z]\w+)`", SECTION)) - {"checkTrace"}
    assert named <= operations, named - operations
    assert {"claimJob", "renewLease", "reportLeaseProgress", "reportResult", "releaseLease", "cancelJob"} <= named
    assert document["components"]["securitySchemes"] and document["security"]


def broken(case_id: str, change: Any) -> dict[str, Any]:
    trace = copy.deepcopy(TRACES[case_id])
    change(trace["steps"])
    return trace


@pytest.mark.parametrize(
    ("trace", "said"),
    [
        ({"steps": []}, "starts with the job's submit step"),
        (broken("lifecycle.completed", lambda s: s.pop(0)), "starts with the job's submit step"),
        (broken("lifecycle.completed", lambda s: s[2].update(message="ping")), "unknown message 'ping'"),
        (broken("lifecycle.completed", lambda s: s[2].update(at="2026-01-30T09:00:00Z")), "at goes back in time"),
        (broken("lifecycle.completed", lambda s: s[2].update(at="yesterday")), "not an RFC 3339 date-time"),
        (broken("lifecycle.completed", lambda s: s[2].pop("status")), "needs status"),
        (broken("lifecycle.completed", lambda s: s.insert(3, {**s[0], "at": s[2]["at"]})), "one submit"),
        (broken("lifecycle.lost-lease-dead-lettered", lambda s: s[2].update(refused="x")), "cannot be refused"),
        (
            broken("lifecycle.lost-lease-dead-lettered", lambda s: s[2].update(lease_id="other")),
            "not the current lease",
        ),
    ],
)
def test_a_malformed_trace_is_a_value_error(trace: dict[str, Any], said: str) -> None:
    with pytest.raises(ValueError, match=re.escape(said)):
        check_trace(trace)


def test_the_checker_takes_the_steps_alone_and_says_why() -> None:
    (issue,) = check_trace(TRACES["lifecycle.result-from-lost-lease"]["steps"])
    assert (issue.rule, issue.pointer) == ("lifecycle.lease.fenced", "/steps/6")
    assert (
        issue.message == "step 6 (result) accepted: lease 'lease-a1' is not the job's current lease (lease 'lease-a2')"
    )


def test_the_npm_checker_says_the_same_and_refuses_a_malformed_trace_alike() -> None:
    """Messages included: a TypeScript scheduler logs what a Python one logs."""
    traces = [*TRACES.values(), {"steps": []}]
    javascript = npm_package_answers(
        "checkTrace",
        "const out = input.map((t) => { try { return checkTrace(t); } catch (e) { return e.constructor.name; } })",
        traces,
    )
    python = [[issue.to_dict() for issue in check_trace(trace)] for trace in traces[:-1]]
    assert javascript[:-1] == python
    assert javascript[-1] == "TypeError"


def test_a_repeated_result_is_the_same_json_value_and_true_is_not_1() -> None:
    """Python's ``True == 1`` once made a different result count as a repetition; npm's checker never did."""
    steps = copy.deepcopy(TRACES["lifecycle.result-repeated-after-lost-answer"]["steps"])
    assert check_trace(steps) == []
    steps[4]["document"]["execution_summary"]["duration_seconds"] = 1.0  # the same number: still a repetition
    assert check_trace(steps) == []
    steps[4]["document"]["execution_summary"]["duration_seconds"] = (
        True  # not the same value: refused as a second result
    )
    (issue,) = check_trace(steps)
    assert (issue.rule, issue.pointer) == ("state.transition", "/steps/4")
