"""The frozen v1 gate: v1.0's schemas and cases, kept in tests/conformance/frozen/v1.0/.

(a) Every frozen case keeps its verdict on the current schemas and code.
(b) The current schemas differ from the frozen ones only in ways the compatibility
    checker proves safe in both directions.
The snapshot is never regenerated: a later minor version adds a snapshot of its own.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SCHEMAS
from guestkit_job_spec import Limits, check_transition, match_worker, validate
from guestkit_job_spec.tools.compat import breaking, compare
from test_conformance import case_input

FROZEN = ROOT / "tests" / "conformance" / "frozen" / "v1.0"
FROZEN_CASES = [
    case for path in sorted((FROZEN / "cases").glob("*.json")) for case in json.loads(path.read_text())["cases"]
]


def verdict(case: dict[str, Any]) -> bool:
    if case["kind"] == "transition":
        return check_transition(case["transition"]["from"], case["transition"]["to"]) is None
    if case["kind"] == "match":
        return not match_worker(case["job"], case["worker"])
    limits = Limits(**case.get("limits", {}))
    return validate(case_input(case), type=case["type"], strict=case["strict"], limits=limits).valid


@pytest.mark.parametrize("case", FROZEN_CASES, ids=lambda c: c["id"])
def test_frozen_case_keeps_its_verdict(case: dict[str, Any]) -> None:
    assert verdict(case) is case["valid"], f"frozen v1.0 case {case['id']} changed verdict: {case['description']}"


def test_current_schemas_are_compatible_with_frozen_v1() -> None:
    problems = breaking(compare(FROZEN / "schemas", SCHEMAS))
    assert not problems, "breaking changes against frozen v1.0:\n" + "\n".join(map(str, problems))


def test_a_breaking_edit_fails_the_gate_with_a_clear_message(tmp_path: Path) -> None:
    """Making metadata.name required is exactly the kind of edit the gate exists to stop."""
    edited = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, edited)
    job = json.loads((edited / "job-v1.json").read_text())
    job["$defs"]["JobMetadata"]["required"] = ["name"]
    (edited / "job-v1.json").write_text(json.dumps(job))
    (problem,) = breaking(compare(FROZEN / "schemas", edited))
    assert str(problem) == (
        "BREAKING [compat.required-changed] job-v1.json#/$defs/JobMetadata/required: "
        "now required: name (old documents may lack it)"
    )
