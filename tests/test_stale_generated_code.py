"""A schema edited without `make gen` never makes the default engine disagree with the
reference (issue #15): the prover and the models carry a checksum of the schemas they were
generated from, and at import a mismatch turns the prover off, with a warning naming the fix.

Run on a copy of the package whose job-id schema is edited, in a child process (the warnings
fire at import, once).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, example

EDITED_MAX_LENGTH = 10  # the example's job id is longer: valid before the edit, invalid after


def edited_copy(folder: Path) -> Path:
    package = folder / "guestkit_job_spec"
    shutil.copytree(ROOT / "python" / "guestkit_job_spec", package, ignore=shutil.ignore_patterns("__pycache__"))
    schema_path = package / "schemas" / "common-v1.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["$defs"]["JobId"]["maxLength"] = EDITED_MAX_LENGTH
    schema_path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    return folder


def run_in(folder: Path, script: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``script`` in a fresh interpreter that imports the package from ``folder``, every warning shown."""
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", script, *arguments],
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_edited_schema_turns_the_prover_off_and_the_verdict_follows_the_schema(tmp_path: Path) -> None:
    job = example("inspect-minimal.json")
    assert len(job["job_id"]) > EDITED_MAX_LENGTH
    script = (
        "import json, sys\n"
        "import guestkit_job_spec\n"
        "from guestkit_job_spec import validate\n"
        "from guestkit_job_spec.validation.fast import prover\n"
        "assert guestkit_job_spec.__file__.startswith(sys.argv[1]), guestkit_job_spec.__file__\n"
        "data = sys.argv[2].encode()\n"
        "fast, reference = validate(data), validate(data, engine='reference')\n"
        "agree = fast.to_dict() == reference.to_dict()\n"
        "print(json.dumps([prover._prover is None, agree, [error.rule for error in fast.errors]]))\n"
    )
    copy = edited_copy(tmp_path)
    process = run_in(copy, script, str(copy), json.dumps(job))
    assert process.returncode == 0, process.stderr
    turned_off, engines_agree, rules = json.loads(process.stdout)
    assert turned_off and engines_agree
    assert rules == ["job.job-id.length"]
    assert "ProverOutOfDate" in process.stderr and "run `make gen`" in process.stderr


def test_the_typed_layer_warns_that_its_models_are_stale(tmp_path: Path) -> None:
    process = run_in(edited_copy(tmp_path), "import guestkit_job_spec.typed")
    assert process.returncode == 0, process.stderr
    assert "ModelsOutOfDate" in process.stderr and "run `make gen`" in process.stderr


def test_the_package_as_built_is_in_step_with_its_schemas() -> None:
    """The check itself: without an edit, nothing is turned off (make gen ran)."""
    from guestkit_job_spec.validation.fast import prover

    assert prover._prover is not None
