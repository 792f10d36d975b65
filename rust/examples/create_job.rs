//! Build upstream's full-featured job with the builder and print it as JSON, one document per
//! line with --jsonl (one per payload helper): `make conformance` hands the output to the
//! Python package's validator (`guestkit-job validate --strict -`).
//!
//! cargo run --example create_job

use guestkit_job_spec::builder::{compare_job, convert_job, fix_job, inspect_job, profile_job, JobBuilder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let full = inspect_job("/vms/production.qcow2")
        .name("weekly-security-scan")
        .namespace("production")
        .label("environment", "prod")
        .annotation("ticket", "INC-12345")
        .priority(8)
        .timeout_seconds(7200)
        .max_attempts(3)
        .idempotency_key("weekly-scan-2026-w04")
        .require_capability("guestkit.inspect")
        .require_feature("lvm")
        .worker_pool("pool-prod")
        .trace_id("550e8400e29b41d4a716446655440000")
        .submitted_by("api-service");
    let builders: Vec<JobBuilder> = if std::env::args().any(|arg| arg == "--jsonl") {
        vec![
            full,
            profile_job("/vms/db.vmdk", ["security", "compliance"]),
            fix_job("/vms/app.raw", ["fsck", "selinux_relabel"]),
            convert_job("/in/crm.vmdk", "/vms/crm.qcow2"),
            compare_job("/vms/golden.qcow2", "/vms/web-01.qcow2"),
        ]
    } else {
        vec![full]
    };
    for builder in builders {
        println!("{}", serde_json::to_string(&builder.build()?)?);
    }
    Ok(())
}
