"""What a Python user of the package meets first (issue #17): types a type checker can see,
the model classes at hand, a version, and errors that say what to do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import guestkit_job_spec
from conftest import EXAMPLES, ROOT, example
from guestkit_job_spec import allowed_transitions, is_terminal, validate
from guestkit_job_spec.cli.main import main


def test_a_consumer_type_checks_against_the_package(tmp_path: Path) -> None:
    """Without py.typed, a consumer's mypy --strict skipped the package ('missing library stubs')."""
    consumer = tmp_path / "consumer.py"
    consumer.write_text(
        "from guestkit_job_spec import Job, inspect_job, validate\n"
        "job: Job = inspect_job('/vms/a.qcow2').build()\n"
        "valid: bool = validate(job).valid\n"
        "wrong: str = validate(job).valid\n",
        encoding="utf-8",
    )
    process = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(consumer)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert "missing library stubs or py.typed marker" not in process.stdout
    assert process.stdout.count("error:") == 1 and "consumer.py:4: error: Incompatible types" in process.stdout, (
        process.stdout
    )


def test_the_document_classes_are_exported() -> None:
    from guestkit_job_spec.typed.models import ImageFormat, InspectPayload

    assert [guestkit_job_spec.Job.__name__, guestkit_job_spec.WorkerRegistration.__name__] == [
        "Job",
        "WorkerRegistration",
    ]
    assert InspectPayload.__name__ == "InspectPayload" and "qcow2" in ImageFormat.__args__
    assert {"Job", "JobResult", "ProgressEvent", "WorkerRegistration", "__version__"} <= set(guestkit_job_spec.__all__)


def test_the_version_and_whether_the_prover_is_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    version = guestkit_job_spec.__version__
    assert version == __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert guestkit_job_spec.prover_loaded() is True  # make gen built it; test_stale_generated_code covers off
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"guestkit-job {version} (protocol v1; compiled prover in use)\n"


def test_an_unknown_status_is_a_value_error_naming_the_statuses() -> None:
    """is_terminal('bogus') raised a bare KeyError: 'bogus'."""
    for function in (is_terminal, allowed_transitions):
        with pytest.raises(ValueError, match="unknown job status 'bogus'; expected one of pending, queued"):
            function("bogus")


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_a_document_validated_as_the_wrong_type_says_which_type_it_looks_like(engine: str) -> None:
    """validate(result_bytes) reported five missing job fields and no hint (the CLI detects the type)."""
    result = (EXAMPLES / "result-completed.json").read_bytes()
    report = validate(result, engine=engine)  # type="job", the default
    first = report.errors[0]
    assert first.rule == "schema.required"
    assert first.message.endswith(
        "(this looks like a job result, not a job document: validate it with type='result', "
        "or --type result on the command line)"
    )
    assert [error.message for error in report.errors[1:]] == [
        error.message for error in validate(result, engine="reference").errors[1:]
    ]
    assert validate(result, type="result").valid
    broken_job = json.dumps({k: v for k, v in example("inspect-minimal.json").items() if k != "payload"}).encode()
    assert "looks like" not in validate(broken_job).errors[0].message  # a job missing a field is still a job


def test_strict_does_not_say_the_job_stays_valid() -> None:
    """Under --strict the error still said '(the job stays valid; --strict rejects it)'."""
    job = {**example("inspect-minimal.json"), "payload": {"type": "acme.scan.v1", "data": {}}, "operation": "acme.scan"}
    for strict in (False, True):
        (issue,) = validate(job, strict=strict).errors or validate(job, strict=strict).warnings
        assert "stays valid" not in issue.message and "--strict rejects it" in issue.message


def test_dir_lists_every_export_before_it_is_loaded() -> None:
    """The exports load on first use; dir() listed only what had loaded, so completion found nothing."""
    code = "import guestkit_job_spec as g; print(sorted(set(g.__all__) - set(dir(g))))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
