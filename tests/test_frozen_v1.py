"""The frozen v1 gate: v1.0's schemas and cases, kept in tests/conformance/frozen/v1.0/.

(a) Every frozen case keeps its reasons on the current schemas and code: the verdict, and
    every error and warning (rule id and pointer), in the default mode and under --strict
    (frozen/v1.0/reasons.json, recorded from the package when v1.0's verdicts were its own).
    One change is allowed: a payload type registered since v1.0 no longer draws
    job.payload-type.unregistered on documents of that type; what else they get must be
    nothing new, so a type is registered compatibly only when every frozen and upstream
    document of it keeps its verdict otherwise.
(b) The current schemas differ from the frozen ones only in ways the compatibility
    checker proves safe in both directions.
The snapshot is never regenerated: a later minor version adds a snapshot of its own
(tests/conformance/freeze.py, when that version is released), and (a) and (b) hold for
each: v1.1's will include the lifecycle traces (a trace's reasons are the first step that
breaks a rule).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SCHEMAS
from guestkit_job_spec import Limits, check_trace, check_transition, match_worker, validate
from guestkit_job_spec.protocol import resources
from guestkit_job_spec.tools.compat import breaking, compare
from test_conformance import case_input

SNAPSHOTS = sorted((ROOT / "tests" / "conformance" / "frozen").glob("v*"))
FROZEN = ROOT / "tests" / "conformance" / "frozen" / "v1.0"


def snapshot_cases(snapshot: Path) -> list[dict[str, Any]]:
    return [
        case for path in sorted((snapshot / "cases").glob("*.json")) for case in json.loads(path.read_text())["cases"]
    ]


FROZEN_CASES = snapshot_cases(FROZEN)
FROZEN_REASONS = json.loads((FROZEN / "reasons.json").read_text())["cases"]
LATER_SNAPSHOTS = [snapshot for snapshot in SNAPSHOTS if snapshot != FROZEN]
LATER_CASES = [(snapshot, case) for snapshot in LATER_SNAPSHOTS for case in snapshot_cases(snapshot)]
ERRATA = resources.read_json(resources.index()["errata"])["errata"]
UNREGISTERED = "job.payload-type.unregistered"
MODES = {"default": False, "strict": True}


def reasons(case: dict[str, Any], strict: bool) -> dict[str, Any]:
    """The verdict and every (rule, pointer) of the errors and warnings the package gives a case."""
    if case["kind"] == "trace":
        errors, warnings = list(check_trace(case)), []
    elif case["kind"] == "transition":
        issue = check_transition(case["transition"]["from"], case["transition"]["to"])
        errors, warnings = ([issue] if issue else []), []
    elif case["kind"] == "match":
        errors, warnings = list(match_worker(case["job"], case["worker"])), []
    else:
        limits = Limits(**case.get("limits", {}))
        report = validate(case_input(case), type=case["type"], strict=strict, limits=limits)
        errors, warnings = list(report.errors), list(report.warnings)
    return {
        "valid": not errors,
        "errors": sorted([issue.rule, issue.pointer] for issue in errors),
        "warnings": sorted([issue.rule, issue.pointer] for issue in warnings),
    }


def registered_since_v1_0(snapshot: Path = FROZEN) -> set[str]:
    frozen_index = json.loads((snapshot / "schemas" / "index.json").read_text())
    return set(resources.payload_types()) - set(frozen_index["payloads"])


def expected_reasons(case: dict[str, Any], mode: str) -> dict[str, Any]:
    """The frozen reasons, or an erratum's, less the unregistered-type issue of a payload type registered since."""
    corrected = [erratum["cases"][case["id"]] for erratum in ERRATA if case["id"] in erratum["cases"]]
    frozen = corrected[-1][mode] if corrected else FROZEN_REASONS[case["id"]][mode]
    document = case.get("document")
    payload = document.get("payload") if isinstance(document, dict) else None
    if not (isinstance(payload, dict) and payload.get("type") in registered_since_v1_0()):
        return frozen
    errors = [pair for pair in frozen["errors"] if pair[0] != UNREGISTERED]
    warnings = [pair for pair in frozen["warnings"] if pair[0] != UNREGISTERED]
    return {"valid": not errors, "errors": errors, "warnings": warnings}


@pytest.mark.parametrize("case", FROZEN_CASES, ids=lambda c: c["id"])
def test_frozen_case_keeps_its_reasons(case: dict[str, Any]) -> None:
    for mode, strict in MODES.items():
        expected, found = expected_reasons(case, mode), reasons(case, strict)
        assert found == expected, (
            f"frozen v1.0 case {case['id']} ({case['description']}) changed under the {mode} mode: "
            f"it was {_shown(expected)}, it is {_shown(found)}"
        )


def later_reasons_kept(snapshot: Path, case: dict[str, Any]) -> None:
    """A later snapshot's reasons, less the unregistered-type issue of a payload type registered since it."""
    recorded = json.loads((snapshot / "reasons.json").read_text())["cases"][case["id"]]
    document = case.get("document")
    payload = document.get("payload") if isinstance(document, dict) else None
    registered = isinstance(payload, dict) and payload.get("type") in registered_since_v1_0(snapshot)
    for mode, strict in MODES.items():
        expected = recorded[mode]
        if registered:
            errors = [pair for pair in expected["errors"] if pair[0] != UNREGISTERED]
            warnings = [pair for pair in expected["warnings"] if pair[0] != UNREGISTERED]
            expected = {"valid": not errors, "errors": errors, "warnings": warnings}
        found = reasons(case, strict)
        assert found == expected, (
            f"frozen {snapshot.name} case {case['id']} ({case['description']}) changed under the {mode} mode: "
            f"it was {_shown(expected)}, it is {_shown(found)}"
        )


if LATER_CASES:  # v1.1's snapshot is taken at its release (tests/conformance/freeze.py)

    @pytest.mark.parametrize(
        ("snapshot", "case"), LATER_CASES, ids=[f"{snapshot.name}:{case['id']}" for snapshot, case in LATER_CASES]
    )
    def test_later_frozen_case_keeps_its_reasons(snapshot: Path, case: dict[str, Any]) -> None:
        later_reasons_kept(snapshot, case)


def test_a_snapshot_taken_now_holds_and_a_changed_reason_is_caught(tmp_path: Path) -> None:
    """freeze.py and the gate of later snapshots, together, before the first later snapshot exists."""
    sys.path.insert(0, str(ROOT / "tests" / "conformance"))
    from freeze import freeze

    snapshot = tmp_path / "v1.1"
    frozen = freeze("1.1", snapshot)
    cases = snapshot_cases(snapshot)
    assert frozen == len(cases) > 0
    sample = cases[:: max(1, len(cases) // 60)]
    for case in sample:
        later_reasons_kept(snapshot, case)
    recorded = json.loads((snapshot / "reasons.json").read_text())
    recorded["cases"][sample[0]["id"]]["default"]["valid"] = not recorded["cases"][sample[0]["id"]]["default"]["valid"]
    (snapshot / "reasons.json").write_text(json.dumps(recorded))
    with pytest.raises(AssertionError, match="changed under the default mode"):
        later_reasons_kept(snapshot, sample[0])


def _shown(reasons: dict[str, Any]) -> str:
    issues = [
        f"{kind[:-1]} {rule} at {pointer or '/'}" for kind in ("errors", "warnings") for rule, pointer in reasons[kind]
    ]
    return ("valid" if reasons["valid"] else "invalid") + (f" ({'; '.join(issues)})" if issues else "")


def permitted(finding: Any) -> bool:
    """Whether a listed erratum permits this compatibility finding."""
    changes = [change for erratum in ERRATA for change in erratum["changes"]]
    return {"schema": finding.schema, "pointer": finding.pointer, "finding": finding.rule} in changes


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda snapshot: snapshot.name)
def test_current_schemas_are_compatible_with_each_frozen_version(snapshot: Path) -> None:
    """Safe both ways, or a correction listed in schemas/errata-v1.json: nothing else passes."""
    problems = [finding for finding in breaking(compare(snapshot / "schemas", SCHEMAS)) if not permitted(finding)]
    assert not problems, f"breaking changes against frozen {snapshot.name} (and no erratum lists them):\n" + "\n".join(
        map(str, problems)
    )


def test_every_erratum_change_is_made() -> None:
    """An erratum lists what it changes: a listed change the schemas do not make is a mistake in the list."""
    found = {(f.schema, f.pointer, f.rule) for f in compare(FROZEN / "schemas", SCHEMAS)}
    listed = {(c["schema"], c["pointer"], c["finding"]) for erratum in ERRATA for c in erratum["changes"]}
    assert listed <= found, listed - found
    frozen_ids = {case["id"] for case in FROZEN_CASES}
    assert {case_id for erratum in ERRATA for case_id in erratum["cases"]} <= frozen_ids


def test_a_breaking_edit_fails_the_gate_with_a_clear_message(tmp_path: Path) -> None:
    """Making metadata.name required is exactly the kind of edit the gate exists to stop."""
    edited = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, edited)
    job = json.loads((edited / "job-v1.json").read_text())
    job["$defs"]["JobMetadata"]["required"] = ["name"]
    (edited / "job-v1.json").write_text(json.dumps(job))
    (problem,) = [finding for finding in breaking(compare(FROZEN / "schemas", edited)) if not permitted(finding)]
    assert str(problem) == (
        "BREAKING [compat.required-changed] job-v1.json#/$defs/JobMetadata/required: "
        "now required: name (old documents may lack it)"
    )


def test_registering_a_payload_type_drops_only_its_unregistered_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    """The upstream doctor job was valid with a warning in v1.0 (its type unregistered), and
    invalid under --strict for that alone: once the type is registered, it must be valid in
    both modes with nothing else said, or the gate names what changed."""
    doctor = next(c for c in FROZEN_CASES if c["id"] == "upstream-corpus.worker-guestkit-doctor-basic")
    assert [rule for rule, _ in FROZEN_REASONS[doctor["id"]]["default"]["warnings"]] == [UNREGISTERED]
    monkeypatch.setattr(sys.modules[__name__], "registered_since_v1_0", lambda: {"guestkit.doctor.v1"})
    for mode in MODES:
        assert expected_reasons(doctor, mode) == {"valid": True, "errors": [], "warnings": []}
    changed = {"valid": False, "errors": [["schema.type", "/payload/data/dry_run"]], "warnings": []}
    assert _shown(changed) == "invalid (error schema.type at /payload/data/dry_run)"


def test_only_a_listed_erratum_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Timestamp pattern of 1.0.1 is breaking to the checker: without its erratum the gate stops it."""
    monkeypatch.setattr(sys.modules[__name__], "ERRATA", [])
    unlisted = [finding for finding in breaking(compare(FROZEN / "schemas", SCHEMAS)) if not permitted(finding)]
    assert [(f.schema, f.pointer, f.rule) for f in unlisted] == [
        ("common-v1.json", "/$defs/Timestamp/pattern", "compat.pattern-changed")
    ]
