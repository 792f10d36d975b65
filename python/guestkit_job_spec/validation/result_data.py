"""A result checked against the job it answers (protocol 1.1; ``validate(result, job=...)``).

Alone, a result's ``data`` is free: result-v1.json cannot know which operation produced it.
Given the job, the data of a completed result is checked against the schema registered for
the job's payload type (``schemas/index.json``, ``results``), with the same rule ids and
wording as every schema error, its pointers under ``/data``; and the result must name the
job (``result.job.mismatch``). A payload type with no registered result schema leaves the
data free, as upstream's agent operations do (they return what the agent says). The fast
engine proves valid data with jsonschema-rs; invalid data is worded by the reference engine
(jsonschema), so both engines give the same issues.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from ..protocol import resources
from ..protocol.report import Issue
from .fast.closed_check import data_is_valid
from .reference.schema_check import issues_against, validator_of


def result_against_job(result: Any, job: Any, *, fast: bool = True) -> Iterator[Issue]:
    """What checking ``result`` (a decoded, schema-valid result) against ``job`` (a decoded job) finds.
    ``fast``: let jsonschema-rs prove the data valid first (the fast engine)."""
    if not isinstance(result, Mapping) or not isinstance(job, Mapping):
        return
    if result.get("job_id") != job.get("job_id"):
        yield Issue(
            "result.job.mismatch",
            "/job_id",
            f"the result answers job {result.get('job_id')!r}, not the job given, {job.get('job_id')!r}",
        )
    payload = job.get("payload")
    payload_type = payload.get("type") if isinstance(payload, Mapping) else None
    if result.get("status") != "completed" or result.get("data") is None or not isinstance(payload_type, str):
        return
    schema_id = resources.result_data_schema_id(payload_type)
    if schema_id is None or (fast and data_is_valid(result["data"], schema_id)):
        return
    for issue in issues_against(_validator(payload_type), result["data"]):
        yield Issue(issue.rule, "/data" + issue.pointer, issue.message, issue.severity)


@cache
def _validator(payload_type: str) -> Draft202012Validator:
    schema = resources.result_data_schema(payload_type)
    assert schema is not None, f"no result schema registered for {payload_type}"
    return validator_of(schema)
