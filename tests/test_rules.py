"""Every rule id: a document that triggers it, and a valid neighbour that does not.

Each case starts from a valid example and changes it with ``{json-pointer: value}``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from conftest import DELETE, example, mutate
from guestkit_job_spec import all_rules, check_capabilities, check_transition, validate
from test_scheduling import MISMATCHES


class Case(NamedTuple):
    rule: str
    base: str
    changes: dict[str, Any]
    pointer: str

    def __str__(self) -> str:
        return f"{self.rule}:{next(iter(self.changes.values()), '')!r}"[:70]


JOB, FIX, PROFILE, RESULT_OK, RESULT_FAILED, WORKER = (
    "inspect-minimal.json",
    "fix-offline.json",
    "profile-security.json",
    "result-completed.json",
    "result-failed.json",
    "worker-registration.json",
)
LONG_AGO = "2026-01-30T09:59:59Z"

# Documents that break exactly the rule named, at the pointer named.
TRIGGERS = [
    Case("job.version", JOB, {"/version": "2.0"}, "/version"),
    Case("job.version", JOB, {"/version": 1.0}, "/version"),
    Case("job.job-id.length", JOB, {"/job_id": "job-123"}, "/job_id"),
    Case("job.job-id.length", JOB, {"/job_id": "j" * 129}, "/job_id"),
    Case("job.job-id.charset", JOB, {"/job_id": "job/../../etc"}, "/job_id"),
    Case("job.job-id.charset", JOB, {"/job_id": "job 1234 5678"}, "/job_id"),
    Case("job.job-id.charset", JOB, {"/job_id": "job..12345678"}, "/job_id"),
    Case("job.job-id.charset", JOB, {"/job_id": "job-12345678\n"}, "/job_id"),
    Case("job.job-id.charset", JOB, {"/job_id": ".hidden-job-id"}, "/job_id"),
    Case("job.job-id.charset", JOB, {"/job_id": "job-ünïcode-1"}, "/job_id"),
    Case("job.kind", JOB, {"/kind": "VmOperation"}, "/kind"),
    Case("job.operation.namespaced", JOB, {"/operation": "inspect"}, "/operation"),
    Case("job.operation.namespaced", JOB, {"/operation": "Guestkit.Inspect"}, "/operation"),
    Case("job.payload-type.format", JOB, {"/payload/type": "guestkit.inspect"}, "/payload/type"),
    Case("job.payload-type.format", JOB, {"/payload/type": "guestkit.inspect.v01"}, "/payload/type"),
    Case("job.payload-type.matches-operation", JOB, {"/operation": "guestkit.profile"}, "/payload/type"),
    Case("execution.priority.range", JOB, {"/execution/priority": 0}, "/execution/priority"),
    Case("execution.priority.range", JOB, {"/execution/priority": 11}, "/execution/priority"),
    Case("execution.attempts.minimum", JOB, {"/execution/attempt": 0}, "/execution/attempt"),
    Case("execution.attempts.minimum", JOB, {"/execution/max_attempts": 0}, "/execution/max_attempts"),
    Case("execution.attempts.minimum", RESULT_OK, {"/execution_summary/attempt": 0}, "/execution_summary/attempt"),
    Case("execution.attempt.within-max", JOB, {"/execution/attempt": 2}, "/execution/attempt"),
    Case(
        "execution.attempt.within-max",
        JOB,
        {"/execution/attempt": 4, "/execution/max_attempts": 3},
        "/execution/attempt",
    ),
    Case("execution.deadline.after-created", JOB, {"/execution/deadline": LONG_AGO}, "/execution/deadline"),
    Case(
        "execution.deadline.after-created",
        JOB,
        {"/execution/deadline": "2026-01-30T10:30:00+01:00"},
        "/execution/deadline",
    ),
    Case(
        "execution.deadline.after-created",
        JOB,
        {"/created_at": "2026-01-30T10:00:00.0000001Z", "/execution/deadline": "2026-01-30T10:00:00Z"},
        "/execution/deadline",
    ),
    Case(
        "constraints.minimum-worker-version.non-empty",
        JOB,
        {"/constraints/minimum_worker_version": ""},
        "/constraints/minimum_worker_version",
    ),
    Case("version.semver", JOB, {"/constraints/minimum_worker_version": "0.4"}, "/constraints/minimum_worker_version"),
    Case(
        "version.semver", JOB, {"/constraints/minimum_worker_version": "v1.0.0"}, "/constraints/minimum_worker_version"
    ),
    Case("version.semver", WORKER, {"/version": "1.02.0"}, "/version"),
    Case("path.safe", JOB, {"/payload/data/image/path": "/vms/../etc/shadow"}, "/payload/data/image/path"),
    Case("path.safe", JOB, {"/payload/data/image/path": ".."}, "/payload/data/image/path"),
    Case("path.safe", JOB, {"/payload/data/image/path": "..\\windows\\disk.vhdx"}, "/payload/data/image/path"),
    Case("path.safe", JOB, {"/payload/data/image/path": "/vms/a\x00.qcow2"}, "/payload/data/image/path"),
    Case("path.safe", JOB, {"/payload/data/image/path": "/vms/a.qcow2\n"}, "/payload/data/image/path"),
    Case("path.safe", JOB, {"/payload/data/image/path": ""}, "/payload/data/image/path"),
    Case(
        "path.safe", FIX, {"/payload/data/output/log_path": "/logs/../../root/.ssh/x"}, "/payload/data/output/log_path"
    ),
    Case("path.safe", RESULT_OK, {"/outputs/artifacts/0": "/out/../x"}, "/outputs/artifacts/0"),
    Case("checksum.format", FIX, {"/payload/data/image/checksum": "sha256:def456..."}, "/payload/data/image/checksum"),
    Case(
        "checksum.format", FIX, {"/payload/data/image/checksum": "sha256:" + "A" * 64}, "/payload/data/image/checksum"
    ),
    Case("checksum.format", FIX, {"/payload/data/image/checksum": "md5:" + "a" * 32}, "/payload/data/image/checksum"),
    Case("timestamp.rfc3339", JOB, {"/created_at": "2026-01-30 10:00:00Z"}, "/created_at"),
    Case("timestamp.rfc3339", JOB, {"/created_at": "2026-01-30T10:00:00"}, "/created_at"),
    Case("timestamp.rfc3339", JOB, {"/created_at": "2026-02-29T10:00:00Z"}, "/created_at"),
    Case("timestamp.rfc3339", JOB, {"/created_at": "2026-04-31T10:00:00Z"}, "/created_at"),
    Case("timestamp.rfc3339", JOB, {"/created_at": "2026-01-30T23:59:60Z"}, "/created_at"),
    Case("timestamp.rfc3339", JOB, {"/created_at": "2026-01-30t10:00:00z"}, "/created_at"),
    Case("timestamp.rfc3339", JOB, {"/created_at": "2026-01-30T10:00:00+0100"}, "/created_at"),
    Case("timestamp.rfc3339", JOB, {"/created_at": "2026-01-30T10:00:00Z\n"}, "/created_at"),
    Case("timestamp.rfc3339", JOB, {"/created_at": "\uff12\uff10\uff12\uff16-01-30T10:00:00Z"}, "/created_at"),
    Case("schema.type", JOB, {"/metadata/labels/env": 1}, "/metadata/labels/env"),
    Case("schema.type", JOB, {"/metadata": []}, "/metadata"),
    Case("schema.type", JOB, {"/routing/anti_affinity/zone": "a"}, "/routing/anti_affinity/zone"),
    Case("schema.type", JOB, {"/execution/priority": 5.5}, "/execution/priority"),
    Case("schema.type", JOB, {"/execution/cancellable": "yes"}, "/execution/cancellable"),
    Case("schema.required", JOB, {"/created_at": DELETE}, "/created_at"),
    Case("schema.required", JOB, {"/payload/data/image/format": DELETE}, "/payload/data/image/format"),
    Case("schema.required", JOB, {"/audit/authorization": {"method": "bearer_token"}}, "/audit/authorization/subject"),
    Case("schema.closed-set", JOB, {"/payload/data/image/format": "vhd"}, "/payload/data/image/format"),
    Case("schema.closed-set", PROFILE, {"/payload/data/profiles/1": "gdpr"}, "/payload/data/profiles/1"),
    Case("schema.closed-set", FIX, {"/payload/data/operations/0/type": "defrag"}, "/payload/data/operations/0/type"),
    Case("schema.closed-set", RESULT_OK, {"/status": "running"}, "/status"),
    Case("schema.closed-set", WORKER, {"/status/state": "sleeping"}, "/status/state"),
    Case("schema.range", JOB, {"/execution/timeout_seconds": 0}, "/execution/timeout_seconds"),
    Case("schema.range", RESULT_OK, {"/metrics/cpu_seconds": -1}, "/metrics/cpu_seconds"),
    Case("schema.length", WORKER, {"/hostname": ""}, "/hostname"),
    Case("schema.non-empty", PROFILE, {"/payload/data/profiles": []}, "/payload/data/profiles"),
    Case("schema.non-empty", FIX, {"/payload/data/operations": []}, "/payload/data/operations"),
    Case("result.status-fields", RESULT_OK, {"/completed_at": DELETE}, "/completed_at"),
    Case("result.status-fields", RESULT_FAILED, {"/error": DELETE}, "/error"),
    Case("result.status-fields", RESULT_FAILED, {"/failed_at": DELETE}, "/failed_at"),
    Case("result.status-fields", RESULT_OK, {"/status": "timeout"}, "/failed_at"),
]

# Valid documents close to the triggers, each at or just inside the boundary of its rule.
NEIGHBOURS = [
    ("job.version", JOB, {"/version": "1.0"}),
    ("job.kind", JOB, {"/kind": "VMOperation"}),
    ("job.job-id.length", JOB, {"/job_id": "job-1234"}),
    ("job.job-id.length", JOB, {"/job_id": "j" * 128}),
    ("job.job-id.charset", JOB, {"/job_id": "550e8400-e29b-41d4-a716-446655440000"}),
    ("job.job-id.charset", JOB, {"/job_id": "job.v1.build_7"}),
    ("job.operation.namespaced", FIX, {"/operation": "guestkit.fix"}),
    ("job.payload-type.format", FIX, {"/payload/type": "guestkit.fix.v1"}),
    ("job.payload-type.matches-operation", PROFILE, {"/operation": "guestkit.profile"}),
    ("execution.priority.range", JOB, {"/execution/priority": 1}),
    ("execution.priority.range", JOB, {"/execution/priority": 10}),
    ("execution.attempts.minimum", JOB, {"/execution/attempt": 1, "/execution/max_attempts": 1}),
    ("execution.attempt.within-max", JOB, {"/execution/attempt": 3, "/execution/max_attempts": 3}),
    ("execution.timeout.long", JOB, {"/execution/timeout_seconds": 86400}),
    ("schema.range", JOB, {"/execution/timeout_seconds": 1}),
    ("execution.deadline.after-created", JOB, {"/execution/deadline": "2026-01-30T10:00:00Z"}),
    ("execution.deadline.after-created", JOB, {"/execution/deadline": "2026-01-30T11:30:00+01:00"}),
    ("constraints.disk-size.large", JOB, {"/constraints/maximum_disk_size_gb": 100000}),
    ("constraints.minimum-worker-version.non-empty", JOB, {"/constraints/minimum_worker_version": "0.0.1"}),
    ("version.semver", JOB, {"/constraints/minimum_worker_version": "1.2.0-rc.1+build.5"}),
    ("path.safe", JOB, {"/payload/data/image/path": "/vms/..hidden/a..b/.../disk.qcow2"}),
    ("path.safe", JOB, {"/payload/data/image/path": "./relative/disk.img"}),
    ("path.safe", JOB, {"/payload/data/image/path": "/vms/\u00fcmlaut \U0001f600.qcow2"}),
    ("checksum.format", FIX, {"/payload/data/image/checksum": "sha256:" + "0" * 64}),
    ("timestamp.rfc3339", JOB, {"/created_at": "2024-02-29T10:00:00Z"}),
    ("timestamp.rfc3339", JOB, {"/created_at": "2026-01-30T10:00:00.123456789+05:30"}),
    ("timestamp.rfc3339", JOB, {"/created_at": "2026-12-31T23:59:59-00:00"}),
    ("schema.type", JOB, {"/metadata": None, "/execution": None, "/routing/worker_id": None}),
    ("schema.type", RESULT_OK, {"/data": [1, "two", None]}),
    ("schema.required", JOB, {"/payload/data/output": {"format": "yaml", "destination": "/out/r.yaml"}}),
    (
        "schema.closed-set",
        WORKER,
        {"/capabilities/disk_formats": ["qcow2", "raw", "vmdk", "vdi", "vhdx", "img", "ova"]},
    ),
    ("schema.length", WORKER, {"/hostname": "h"}),
    ("schema.non-empty", PROFILE, {"/payload/data/profiles": ["migration"]}),
    ("result.status-fields", RESULT_OK, {"/status": "cancelled", "/failed_at": "2026-01-30T10:10:00Z"}),
    ("schema.type", WORKER, {"/resources": None, "/status": None}),
    ("document.unknown-field", JOB, {"/example.com~1cost-code": "CC-1", "/metadata/corp.example~1owner": "team-a"}),
    ("schema.type", FIX, {"/payload/data/operations/0/options": None}),
    ("job.payload-type.unregistered", JOB, {"/payload/type": "guestkit.inspect.v1"}),
]


@pytest.mark.parametrize("case", TRIGGERS, ids=str)
def test_rule_is_reported_where_it_is_broken(case: Case) -> None:
    report = validate(mutate(example(case.base), case.changes), type="auto")
    assert (case.rule, case.pointer) in {(i.rule, i.pointer) for i in report.errors}, report.errors
    assert not report.valid


@pytest.mark.parametrize(("rule", "base", "changes"), NEIGHBOURS, ids=lambda v: str(v)[:60])
def test_valid_neighbour_passes_strictly(rule: str, base: str, changes: dict[str, Any]) -> None:
    report = validate(mutate(example(base), changes), type="auto", strict=True)
    assert report.valid, report.errors
    assert report.warnings == ()


@pytest.mark.parametrize(
    ("operation", "payload_type"),
    [("guestkit.agent.call", "guestkit.agent.call.v1"), ("hyper2kvm.convert", "hyper2kvm.convert.v12")],
)
def test_unregistered_but_well_formed_operations_are_valid(operation: str, payload_type: str) -> None:
    report = validate(mutate(example(JOB), {"/operation": operation, "/payload/type": payload_type}))
    assert report.valid, report.errors
    assert [w.rule for w in report.warnings] == ["job.payload-type.unregistered"]


WARNINGS = [
    ("execution.timeout.long", {"/execution/timeout_seconds": 86401}, "/execution/timeout_seconds"),
    ("constraints.disk-size.large", {"/constraints/maximum_disk_size_gb": 100001}, "/constraints/maximum_disk_size_gb"),
    ("job.payload-type.unregistered", {"/payload/type": "guestkit.inspect.v2"}, "/payload/type"),
    ("document.unknown-field", {"/metadata/nmae": "x"}, "/metadata/nmae"),
    ("document.unknown-field", {"/payload/data/image/checksumm": "x"}, "/payload/data/image/checksumm"),
    ("document.unknown-field", {"/execution/retries": 3}, "/execution/retries"),
]


@pytest.mark.parametrize(("rule", "changes", "pointer"), WARNINGS, ids=lambda v: str(v)[:50])
def test_warning_keeps_the_document_valid(rule: str, changes: dict[str, Any], pointer: str) -> None:
    report = validate(mutate(example(JOB), changes))
    assert report.valid, report.errors
    assert [(i.rule, i.pointer) for i in report.warnings] == [(rule, pointer)]
    strict = validate(mutate(example(JOB), changes), strict=True)
    escalates = all_rules()[rule].strict_severity == "error"
    assert strict.valid is not escalates
    assert [(i.rule, i.pointer) for i in (strict.errors if escalates else strict.warnings)] == [(rule, pointer)]


def test_unknown_field_hint_names_the_close_known_field() -> None:
    (warning,) = validate(mutate(example(JOB), {"/metadata/nmae": "x"})).warnings
    assert "did you mean 'name'?" in warning.message
    (far,) = validate(mutate(example(JOB), {"/metadata/zzz": "x"})).warnings
    assert "did you mean" not in far.message


def test_unknown_fields_are_linted_inside_the_payload_schema_the_type_selects() -> None:
    fix = mutate(example(FIX), {"/payload/data/operations/0/options/autorepair": True})
    (warning,) = validate(fix).warnings
    assert warning.pointer == "/payload/data/operations/0/options/autorepair"
    assert "did you mean 'auto_repair'?" in warning.message


def test_unregistered_payload_data_is_not_linted() -> None:
    job = mutate(example(JOB), {"/payload/type": "guestkit.inspect.v9", "/payload/data/anything": 1})
    assert [w.rule for w in validate(job).warnings] == ["job.payload-type.unregistered"]


def test_free_form_objects_are_not_linted() -> None:
    result = mutate(example("result-failed.json"), {"/error/details/whatever": 1})
    assert validate(result, type="result", strict=True).valid


def test_three_problems_give_three_errors() -> None:
    job = mutate(example(JOB), {"/version": "2", "/kind": "Job", "/execution/priority": 0})
    assert {i.rule for i in validate(job).errors} == {"job.version", "job.kind", "execution.priority.range"}


def test_the_same_rule_at_the_same_place_is_reported_once() -> None:
    """An empty version breaks both the non-empty and the semver pattern; a newline breaks
    the pattern only in ECMA engines and the guard in all: each rule appears once."""
    job = mutate(example(JOB), {"/job_id": "job-1234\n"})
    assert [(i.rule, i.pointer) for i in validate(job).errors] == [("job.job-id.charset", "/job_id")]


def test_messages_say_what_was_found_and_what_is_expected() -> None:
    job = mutate(example(FIX), {"/payload/data/image/checksum": "sha256:abc123..."})
    (error,) = validate(job).errors
    assert error.message == (
        "'checksum' is \"sha256:abc123...\"; expected 'sha256:' followed by 64 lower-case hexadecimal digits"
    )


def test_deepest_cause_is_reported_not_the_nullable_wrapper() -> None:
    job = mutate(example(JOB), {"/execution/deadline": "tomorrow"})
    assert [(i.rule, i.pointer) for i in validate(job).errors] == [("timestamp.rfc3339", "/execution/deadline")]


def test_wrong_type_for_a_nullable_section_names_both_types() -> None:
    (error,) = validate(mutate(example(JOB), {"/metadata": 5})).errors
    assert (error.rule, error.pointer) == ("schema.type", "/metadata")
    assert error.message == "'metadata' is 5; expected an object or null"


def test_document_type_is_told_from_the_fields() -> None:
    for name, doc_type in [
        (JOB, "job"),
        (RESULT_OK, "result"),
        ("progress-disk-inspection.json", "progress"),
        (WORKER, "worker"),
    ]:
        assert validate(example(name), type="auto").doc_type == doc_type
    # An upstream job that lacks created_at is still recognised as a job.
    assert validate(mutate(example(JOB), {"/created_at": DELETE}), type="auto").doc_type == "job"


def test_document_of_no_known_type() -> None:
    report = validate(b'{"hello": "world"}', type="auto")
    assert [(i.rule, i.pointer) for i in report.errors] == [("document.type-unknown", "")]


def test_unknown_type_argument_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown document type 'jobs'"):
        validate(b"{}", type="jobs")


def test_capability_check_names_what_is_missing() -> None:
    assert check_capabilities(["guestkit.inspect"], ["guestkit.inspect", "guestkit.fix"]) is None
    issue = check_capabilities(["guestkit.inspect", "fs.xfs", "fs.xfs", "lvm"], ["guestkit.inspect", "LVM"])
    assert issue is not None and issue.rule == "scheduling.capability.missing"
    assert issue.message == "the worker lacks 2 required capabilities: 'fs.xfs', 'lvm'"


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("pending", "queued", True),
        ("pending", "cancelled", True),
        ("queued", "timeout", True),
        ("assigned", "queued", True),
        ("running", "queued", True),
        ("running", "completed", True),
        ("pending", "running", False),
        ("running", "running", False),
        ("completed", "queued", False),
        ("timeout", "failed", False),
        ("running", "exploded", False),
    ],
)
def test_state_transitions(current: str, new: str, allowed: bool) -> None:
    issue = check_transition(current, new)
    assert (issue is None) is allowed
    if issue is not None:
        assert issue.rule == "state.transition"


# Rules exercised by the decoding and CLI tests rather than by document changes.
TESTED_ELSEWHERE = {
    "json.size": "test_decoding.py",
    "json.encoding": "test_decoding.py",
    "json.syntax": "test_decoding.py",
    "json.trailing-data": "test_decoding.py",
    "json.duplicate-key": "test_decoding.py",
    "json.non-finite-number": "test_decoding.py",
    "json.integer-range": "test_decoding.py",
    "json.depth": "test_decoding.py",
    "json.string-length": "test_decoding.py",
    "json.container-size": "test_decoding.py",
    "input.unreadable": "test_cli.py",
    "document.type-unknown": "test_document_of_no_known_type",
    "scheduling.capability.missing": "test_capability_check_names_what_is_missing",
    **{rule: "test_scheduling.py" for rule, *_ in MISMATCHES},
    "state.transition": "test_state_transitions",
}


def test_every_registered_rule_is_triggered_by_a_test() -> None:
    triggered = {case.rule for case in TRIGGERS} | {rule for rule, _, _ in WARNINGS} | TESTED_ELSEWHERE.keys()
    assert triggered == set(all_rules())


def test_every_document_rule_has_a_valid_neighbour() -> None:
    document_rules = {case.rule for case in TRIGGERS} | {rule for rule, _, _ in WARNINGS}
    assert document_rules == {rule for rule, _, _ in NEIGHBOURS}
