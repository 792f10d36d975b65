//! The builder as upstream's users call it: every method, rejection instead of clamping, the
//! payload helpers, and what `build()` returns.

use guestkit_job_spec::builder::{compare_job, convert_job, fix_job, inspect_job, profile_job, BuildError, JobBuilder};
use guestkit_job_spec::types::{ImageFormat, PayloadData};
use guestkit_job_spec::{validate, Options};
use serde_json::json;

/// Upstream's minimal example, as its README writes it.
#[test]
fn the_minimal_job_builds() {
    let job = JobBuilder::new()
        .generate_job_id()
        .operation("guestkit.inspect")
        .payload(
            "guestkit.inspect.v1",
            json!({"image": {"path": "/vms/test.qcow2", "format": "qcow2"}}),
        )
        .build()
        .unwrap();
    assert!(job.job_id.starts_with("job-") && job.job_id.len() == 30);
    let PayloadData::GuestkitInspectV1(data) = &job.payload.data else {
        panic!("an inspect payload")
    };
    assert_eq!(data.image.format, ImageFormat::Qcow2);
}

/// Upstream's full-featured example, every setter it shows, then serialised: valid as JSON text.
#[test]
fn the_full_featured_job_builds_and_serialises_valid() {
    let job = inspect_job("/vms/production.qcow2")
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
        .trace_id("550e8400e29b41d4a716446655440000")
        .submitted_by("api-service")
        .build()
        .unwrap();
    let text = serde_json::to_vec(&job).unwrap();
    let report = validate(&text, &Options::default()).unwrap();
    assert!(report.valid && report.warnings.is_empty(), "{report:?}");
}

#[test]
fn every_other_setter_lands_where_the_schema_says() {
    let document = JobBuilder::new()
        .job_id("job-12345678")
        .created_at("2026-01-30T10:00:00Z")
        .schema_uri(None)
        .operation("guestkit.fix")
        .payload(
            "guestkit.fix.v1",
            json!({"image": {"path": "/vms/a.raw", "format": "raw"}, "operations": [{"type": "fsck"}]}),
        )
        .extension("example.com/cost-code", "cc-1")
        .attempt(1)
        .deadline("2026-02-01T00:00:00Z")
        .cancellable(false)
        .allow_worker_pool("pool-a")
        .allow_worker_pool("pool-a")
        .minimum_worker_version("0.4.0")
        .maximum_disk_size_gb(500)
        .require_privileged(true)
        .worker_id("worker-1")
        .affinity("zone", "eu-1")
        .anti_affinity("host", ["h1", "h2"])
        .span_id("00f067aa0ba902b7")
        .parent_span_id("00f067aa0ba902b8")
        .correlation_id("batch-7")
        .submitted_from("10.0.0.1")
        .authorization("oidc", "alice")
        .to_value();
    assert_eq!(document["$schema"], "https://guestkit.dev/schemas/job-v1.json");
    assert_eq!(document["constraints"]["allowed_worker_pools"], json!(["pool-a"]));
    assert_eq!(document["routing"]["anti_affinity"]["host"], json!(["h1", "h2"]));
    assert_eq!(
        document["audit"]["authorization"],
        json!({"method": "oidc", "subject": "alice"})
    );
    assert_eq!(document["example.com/cost-code"], "cc-1");
    let report = validate(
        &serde_json::to_vec(&document).unwrap(),
        &Options {
            strict: true,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(report.valid, "{report:?}");
}

#[test]
fn out_of_range_values_are_rejected_not_clamped() {
    for (builder, field) in [
        (
            inspect_job("/vms/a.qcow2").priority(11),
            "priority must be from 1 to 10, got 11",
        ),
        (
            inspect_job("/vms/a.qcow2").priority(0),
            "priority must be from 1 to 10, got 0",
        ),
        (
            inspect_job("/vms/a.qcow2").max_attempts(0),
            "max_attempts must be at least 1, got 0",
        ),
        (
            inspect_job("/vms/a.qcow2").timeout_seconds(-5),
            "timeout_seconds must be at least 1, got -5",
        ),
        (
            inspect_job("/vms/a.qcow2").maximum_disk_size_gb(0),
            "maximum_disk_size_gb must be at least 1, got 0",
        ),
    ] {
        match builder.build() {
            Err(BuildError::Rejected(problems)) => assert!(problems[0].starts_with(field), "{problems:?}"),
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[test]
fn a_capability_required_twice_is_listed_once() {
    let job = inspect_job("/vms/a.qcow2")
        .require_capability("guestkit.inspect")
        .require_capability("guestkit.inspect");
    assert_eq!(
        job.to_value()["constraints"]["required_capabilities"],
        json!(["guestkit.inspect"])
    );
}

#[test]
fn an_invalid_document_comes_back_with_its_report() {
    let Err(BuildError::Invalid(report)) = JobBuilder::new().generate_job_id().build() else {
        panic!("invalid")
    };
    assert!(report.errors.iter().any(|issue| issue.pointer == "/operation"));
}

#[test]
fn an_extension_key_without_a_domain_is_rejected() {
    assert!(matches!(
        inspect_job("/vms/a.qcow2").extension("cost-code", 1).build(),
        Err(BuildError::Rejected(_))
    ));
}

#[test]
fn strict_building_turns_warnings_into_errors() {
    let builder = JobBuilder::new()
        .generate_job_id()
        .operation("example.echo")
        .payload("example.echo.v1", json!({}));
    let (job, warnings) = builder.build_reported(false).unwrap();
    assert!(matches!(job.payload.data, PayloadData::Unregistered(_)));
    assert_eq!(warnings[0].rule, "job.payload-type.unregistered");
    assert!(matches!(builder.build_reported(true), Err(BuildError::Invalid(_))));
}

#[test]
fn each_payload_helper_builds_a_valid_job() {
    for builder in [
        inspect_job("/vms/web-01.qcow2"),
        profile_job("/vms/db.vmdk", ["security", "compliance"]),
        fix_job("/vms/app.raw", ["fsck", "selinux_relabel"]),
        convert_job("/in/crm.vmdk", "/vms/crm.qcow2"),
        compare_job("/vms/golden.qcow2", "/vms/web-01"),
    ] {
        let job = builder.build().unwrap();
        assert!(!matches!(job.payload.data, PayloadData::Unregistered(_)), "{job:?}");
    }
}

#[test]
fn an_image_whose_extension_names_no_format_is_rejected() {
    let Err(BuildError::Rejected(problems)) = inspect_job("/vms/disk").build() else {
        panic!("rejected")
    };
    assert!(
        problems[0].contains("cannot tell the image format of '/vms/disk'"),
        "{problems:?}"
    );
}
