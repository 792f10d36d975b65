"""The builder and the helpers, including the intent of upstream's 16 Rust tests."""

from __future__ import annotations

import re

import pytest
from ulid import ULID

from guestkit_job_spec import (
    DocumentWarning,
    InvalidDocumentError,
    JobBuilder,
    check_capabilities,
    compare_job,
    convert_job,
    dumps,
    fix_job,
    inspect_job,
    parse_job,
    profile_job,
    to_json,
    validate,
)
from guestkit_job_spec.typed.models.job_v1 import ExecutionPolicy
from guestkit_job_spec.typed.models.payloads.guestkit_convert_v1 import ConvertTarget
from guestkit_job_spec.typed.models.payloads.guestkit_fix_v1 import FixOperation
from guestkit_job_spec.typed.models.payloads.guestkit_inspect_v1 import InspectOptions

PROTOCOL_VERSION = "1.0"


# --- upstream's tests, one by one -------------------------------------------------------


def test_protocol_version() -> None:
    job = inspect_job("/vms/a.qcow2").build()
    assert job.version == PROTOCOL_VERSION and job.kind == "VMOperation"


def test_job_document_serialization() -> None:
    job = inspect_job("/vms/a.qcow2").name("n").build()
    again = parse_job(dumps(job))
    assert to_json(again) == to_json(job)


def test_execution_policy_defaults() -> None:
    policy = ExecutionPolicy()
    assert (policy.attempt, policy.max_attempts, policy.timeout_seconds, policy.priority, policy.cancellable) == (
        1,
        1,
        3600,
        5,
        True,
    )


def test_builder_minimal() -> None:
    job = (
        JobBuilder()
        .generate_job_id()
        .operation("guestkit.inspect")
        .payload("guestkit.inspect.v1", {"image": {"path": "/vms/test.qcow2", "format": "qcow2"}})
        .build()
    )
    assert job.operation == "guestkit.inspect" and job.payload.type == "guestkit.inspect.v1"
    assert re.fullmatch(r"job-[0-9A-HJKMNP-TV-Z]{26}", job.job_id)
    ULID.from_str(job.job_id.removeprefix("job-"))


def test_builder_with_metadata() -> None:
    job = inspect_job("/vms/a.qcow2").name("scan").namespace("prod").label("env", "prod").annotation("t", "1").build()
    assert job.metadata is not None
    assert (job.metadata.name, job.metadata.namespace) == ("scan", "prod")
    assert job.metadata.labels == {"env": "prod"} and job.metadata.annotations == {"t": "1"}


def test_builder_with_constraints() -> None:
    job = (
        inspect_job("/vms/a.qcow2")
        .require_feature("lvm")
        .minimum_worker_version("0.4.0")
        .maximum_disk_size_gb(1000)
        .require_privileged()
        .build()
    )
    assert job.constraints is not None
    assert job.constraints.required_features == ["lvm"] and job.constraints.require_privileged is True


def test_inspect_job_helper() -> None:
    """The seed's full example."""
    job = (
        inspect_job("/vms/production.qcow2")
        .name("weekly-security-scan")
        .namespace("production")
        .label("environment", "prod")
        .label("team", "platform")
        .annotation("ticket", "INC-12345")
        .priority(8)
        .timeout_seconds(7200)
        .max_attempts(3)
        .idempotency_key("weekly-scan-2026-w04")
        .require_capability("guestkit.inspect")
        .require_feature("lvm")
        .worker_pool("pool-prod")
        .trace_id("550e8400-e29b-41d4-a716-446655440000")
        .correlation_id("batch-1")
        .submitted_by("api-service")
        .build()
    )
    assert job.constraints is not None and job.constraints.required_capabilities == ["guestkit.inspect"]
    assert job.payload.data.image.format == "qcow2"
    assert validate(to_json(job), strict=True).valid


def test_builder_missing_operation() -> None:
    with pytest.raises(InvalidDocumentError) as raised:
        JobBuilder().generate_job_id().payload(
            "guestkit.inspect.v1", {"image": {"path": "/a", "format": "raw"}}
        ).build()
    assert [(i.rule, i.pointer) for i in raised.value.report.errors] == [("schema.required", "/operation")]


def test_validate_valid_job() -> None:
    assert validate(to_json(inspect_job("/vms/a.qcow2").build())).valid


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("version", "2.0", "job.version"),
        ("job_id", "short", "job.job-id.length"),
        ("kind", "Other", "job.kind"),
        ("operation", "inspect", "job.operation.namespaced"),
    ],
)
def test_validate_invalid_envelope_fields(field: str, value: str, rule: str) -> None:
    """upstream: test_validate_invalid_version, _short_job_id, _invalid_kind, _non_namespaced_operation."""
    document = to_json(inspect_job("/vms/a.qcow2").build())
    document[field] = value
    assert rule in {i.rule for i in validate(document).errors}


def test_validate_invalid_payload_type() -> None:
    document = to_json(inspect_job("/vms/a.qcow2").build())
    document["payload"]["type"] = "inspect"
    assert "job.payload-type.format" in {i.rule for i in validate(document).errors}


def test_check_capabilities_match() -> None:
    assert check_capabilities(["guestkit.inspect"], ["guestkit.inspect", "guestkit.fix"]) is None


def test_check_capabilities_missing() -> None:
    issue = check_capabilities(["guestkit.inspect", "guestkit.fix"], ["guestkit.inspect"])
    assert issue is not None and "'guestkit.fix'" in issue.message


# --- beyond upstream --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setter", "value"),
    [("priority", 0), ("priority", 11), ("max_attempts", 0), ("timeout_seconds", 0), ("maximum_disk_size_gb", 0)],
)
def test_out_of_range_values_are_rejected_not_clamped(setter: str, value: int) -> None:
    with pytest.raises(ValueError, match="rejected, not clamped"):
        getattr(JobBuilder(), setter)(value)


def test_non_integers_are_rejected() -> None:
    with pytest.raises(ValueError, match="whole number"):
        JobBuilder().priority(True)
    with pytest.raises(ValueError, match="True or False"):
        JobBuilder().cancellable("yes")  # type: ignore[arg-type]


def test_capabilities_and_features_are_not_duplicated() -> None:
    job = inspect_job("/a.qcow2").require_capability("guestkit.inspect").require_feature("lvm").require_feature("lvm")
    constraints = job.build().constraints
    assert constraints is not None
    assert constraints.required_capabilities == ["guestkit.inspect"] and constraints.required_features == ["lvm"]


def test_schema_is_written_only_when_set() -> None:
    assert "$schema" not in to_json(inspect_job("/a.qcow2").build())
    assert (
        to_json(inspect_job("/a.qcow2").schema_uri().build())["$schema"] == "https://guestkit.dev/schemas/job-v1.json"
    )


def test_built_jobs_are_in_schema_order() -> None:
    job = inspect_job("/a.qcow2").submitted_by("me").name("n").schema_uri().build()
    assert list(to_json(job))[:6] == ["$schema", "version", "job_id", "created_at", "kind", "operation"]


def test_every_helper_builds_a_strictly_valid_job() -> None:
    jobs = [
        inspect_job("/vms/a.qcow2", options=InspectOptions(deep_scan=True)),
        profile_job("/vms/a.vmdk", ["security", "hardening"]),
        fix_job("/vms/a.raw", [FixOperation(type="fsck", options={"auto_repair": True})]),
        convert_job("/in/a.vmdk", ConvertTarget(path="/out/a.qcow2", format="qcow2", compression=True)),
        compare_job("/golden/base.qcow2", "/vms/a.qcow2"),
    ]
    for builder in jobs:
        report = validate(to_json(builder.build()), strict=True)
        assert report.valid and not report.warnings, report


def test_image_format_comes_from_the_extension_or_is_asked_for() -> None:
    assert inspect_job("/vms/A.VMDK").build().payload.data.image.format == "vmdk"
    with pytest.raises(ValueError, match="cannot tell the image format of '/vms/disk'"):
        inspect_job("/vms/disk")
    assert inspect_job("/vms/disk", format="raw").build().payload.data.image.format == "raw"


def test_extension_keys_are_checked() -> None:
    assert to_json(inspect_job("/a.qcow2").extension("example.com/cost", "c1").build())["example.com/cost"] == "c1"
    with pytest.raises(ValueError, match=r"example\.com/name"):
        JobBuilder().extension("cost", "c1")


def test_naive_datetimes_are_refused() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="time zone"):
        JobBuilder().created_at(datetime(2026, 1, 30, 10, 0))


def test_build_validates_everything_at_once() -> None:
    builder = inspect_job("/vms/../etc/shadow.qcow2").minimum_worker_version("latest")
    with pytest.raises(InvalidDocumentError) as raised:
        builder.build()
    assert {i.rule for i in raised.value.report.errors} == {"path.safe", "version.semver"}


def test_helpers_require_no_capability_unasked() -> None:
    """Every helper added the operation as a required capability; a worker runs only the
    operations it registers anyway (match_worker checks the operation)."""
    assert inspect_job("/vms/a.qcow2").build().constraints is None


def test_helpers_take_the_plain_forms_the_source_side_takes() -> None:
    """convert_job's target and fix_job's operations refused a path and names."""
    converted = convert_job("/in/a.vmdk", "/vms/a.qcow2").build().payload.data
    assert (converted.target.path, converted.target.format) == ("/vms/a.qcow2", "qcow2")
    assert convert_job("/in/a.vmdk", "/vms/a", target_format="raw").build().payload.data.target.format == "raw"
    fixed = fix_job("/vms/a.qcow2", ["fsck", FixOperation(type="selinux_relabel")]).build().payload.data
    assert [operation.type for operation in fixed.operations] == ["fsck", "selinux_relabel"]


def test_one_name_given_alone_is_one_name_not_its_characters() -> None:
    """profile_job(image, "security") made eight profiles, "s", "e", ...; fix_job likewise."""
    assert profile_job("/vms/a.qcow2", "security").build().payload.data.profiles == ["security"]
    assert [op.type for op in fix_job("/vms/a.qcow2", "fsck").build().payload.data.operations] == ["fsck"]


def test_compare_takes_the_formats_of_images_without_an_extension() -> None:
    data = compare_job("/vms/a", "/vms/b", format="raw").build().payload.data
    assert (data.baseline.format, data.target.format) == ("raw", "raw")
    data = compare_job("/vms/a", "/vms/b.qcow2", format="raw").build().payload.data
    assert data.target.format == "qcow2"  # a target's extension comes before the baseline's format
    with pytest.raises(ValueError, match=r"target_format=, or --target-format"):
        compare_job("/vms/a.qcow2", "/vms/b")


def test_build_issues_each_warning_and_strict_refuses_them() -> None:
    """build() returned a job with an unregistered payload type without a word."""
    builder = JobBuilder().generate_job_id().operation("acme.scan").payload("acme.scan.v1", {"depth": 1})
    with pytest.warns(DocumentWarning, match=r"/payload/type: .* \[job.payload-type.unregistered\]"):
        builder.build()
    with pytest.raises(InvalidDocumentError, match=r"job\.payload-type\.unregistered"):
        builder.build(strict=True)


def test_validate_takes_a_built_job() -> None:
    """validate(job) said 'a Job is not a JSON value' while match_worker took models."""
    job = inspect_job("/vms/a.qcow2").build()
    assert validate(job).valid and validate(job, engine="reference").valid
    assert validate(job).document == to_json(job)


def test_a_default_of_true_is_written_by_the_builder_and_a_parsed_document_keeps_its_text() -> None:
    """A reader that missed a repair's dry_run (default true) and took it for false would change the disk."""
    from guestkit_job_spec import parse_job, repair_job, to_json

    data = to_json(repair_job("/vms/a.qcow2").build())["payload"]["data"]
    assert data["dry_run"] is True and data["enable_systemd"] is True
    assert to_json(repair_job("/vms/a.qcow2", dry_run=False).build())["payload"]["data"]["dry_run"] is False
    parsed = to_json(repair_job("/vms/a.qcow2").build())
    del parsed["payload"]["data"]["dry_run"]
    assert "dry_run" not in to_json(parse_job(parsed))["payload"]["data"]
