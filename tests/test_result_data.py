"""A result checked against the job it answers (protocol 1.1): ``validate(result, job=...)``.

Alone, a result's data is free; given the job, a completed result's data meets the schema
registered for the job's payload type, and the result names the job.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from conftest import EXAMPLES
from guestkit_job_spec import validate
from guestkit_job_spec.protocol import resources

JOB = json.loads((EXAMPLES / "doctor-basic.json").read_text(encoding="utf-8"))
RESULT = json.loads((EXAMPLES / "result-doctor.json").read_text(encoding="utf-8"))


def found(result: Any, job: Any = JOB, **options: Any) -> list[tuple[str, str]]:
    report = validate(result, type="result", job=job, **options)
    return [(issue.rule, issue.pointer) for issue in (*report.errors, *report.warnings)]


def changed(**members: Any) -> dict[str, Any]:
    result = copy.deepcopy(RESULT)
    result.update(members)
    return result


def test_the_example_result_answers_the_example_job_in_every_form() -> None:
    as_bytes = (EXAMPLES / "result-doctor.json").read_bytes()
    assert found(as_bytes, job=(EXAMPLES / "doctor-basic.json").read_bytes()) == []
    assert found(RESULT) == []
    assert found(RESULT, engine="reference") == []


def test_the_data_is_checked_with_the_rule_ids_of_every_schema_error() -> None:
    result = copy.deepcopy(RESULT)
    result["data"]["bootability"]["checks"][0]["severity"] = "blocker"  # upstream writes Blocker
    del result["data"]["bootability"]["summary"]
    result["data"]["bootability"]["score"] = "high"
    assert found(result) == [
        ("schema.required", "/data/bootability/summary"),
        ("schema.type", "/data/bootability/score"),
        ("schema.closed-set", "/data/bootability/checks/0/severity"),
    ]


def test_alone_the_same_result_is_valid_its_data_is_free() -> None:
    result = changed(data={"anything": ["at", "all"]})
    assert validate(result, type="result").valid
    assert found(result) == [("schema.required", "/data/target"), ("schema.required", "/data/bootability"),
                             ("schema.required", "/data/evidence_schema")]  # fmt: skip


def test_a_result_for_another_job_is_named() -> None:
    assert found(changed(job_id="job-01JAB3Y7X5K4M8F9W2T6ZZZZZZ")) == [("result.job.mismatch", "/job_id")]


@pytest.mark.parametrize("status", ["failed", "cancelled", "timeout"])
def test_only_a_completed_result_has_its_data_checked(status: str) -> None:
    result = changed(status=status, data={"partial": True})
    del result["completed_at"]
    result["failed_at"] = RESULT["completed_at"]
    if status == "failed":
        result["error"] = {"code": "EXECUTION_ERROR", "message": "guestfs failed", "recoverable": True,
                           "retry_recommended": True}  # fmt: skip
    assert found(result) == []


def test_a_payload_type_without_a_result_schema_leaves_the_data_free() -> None:
    job = json.loads((EXAMPLES / "agent-call-basic.json").read_text(encoding="utf-8"))
    assert "guestkit.agent.call.v1" not in resources.index()["results"]
    assert found(changed(job_id=job["job_id"], data={"whatever": "the agent said"}), job=job) == []


def test_every_registered_result_schema_is_for_a_registered_payload_type() -> None:
    assert set(resources.index()["results"]) <= set(resources.payload_types())


def test_job_applies_to_results_and_must_be_an_object() -> None:
    with pytest.raises(ValueError, match="checks a result against its job"):
        validate(JOB, type="job", job=JOB)
    with pytest.raises(ValueError, match="not a JSON object"):
        validate(RESULT, type="result", job=b"[1, 2]")


def test_only_the_jobs_id_and_payload_type_are_read() -> None:
    """The runtime's scheduler hands the check a job's id and payload type only (it validated the
    whole job at submission): if the check ever reads more of the job, this fails first."""
    from guestkit_job_spec.validation.result_data import result_against_job

    read: set[str] = set()

    class Watched(dict):  # type: ignore[type-arg]
        def __init__(self, value: dict[str, Any], path: str) -> None:
            super().__init__(value)
            self.path = path

        def get(self, key: str, default: Any = None) -> Any:
            read.add(f"{self.path}/{key}")
            value = super().get(key, default)
            return Watched(value, f"{self.path}/{key}") if isinstance(value, dict) else value

        def __getitem__(self, key: str) -> Any:
            return self.get(key)

        def __contains__(self, key: object) -> bool:
            read.add(f"{self.path}/{key}")
            return super().__contains__(key)

        def __iter__(self) -> Any:  # keys(), items(), values() and iteration: the whole object
            read.add(f"{self.path}/*")
            return super().__iter__()

        def items(self) -> Any:
            read.add(f"{self.path}/*")
            return super().items()

    bad = changed(data={"anything": 1})
    assert list(result_against_job(bad, Watched(JOB, ""), fast=False))
    assert read == {"/job_id", "/payload", "/payload/type"}
