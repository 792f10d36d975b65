//! Matching jobs to workers (specification, section 9), as the Python package's
//! `match_worker` (typed/scheduling.py) decides it: the same reasons, in the same order,
//! with the same rule ids, pointers and messages.

use std::cmp::Ordering;
use std::sync::OnceLock;

use serde_json::{Map, Number, Value};

use crate::report::Issue;
use crate::resources;

/// Bytes in a GB: every `*_gb` member of the protocol counts decimal gigabytes, never GiB.
const GB: f64 = 1e9;

static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();

fn section<'d>(document: &'d Value, name: &str) -> &'d Map<String, Value> {
    document
        .get(name)
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn names(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn quoted<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|name| format!("'{name}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn count(items: &[&str], one: &str, many: &str) -> String {
    format!("{} {}", items.len(), if items.len() == 1 { one } else { many })
}

/// Required names the worker lacks, in the order required, each once (exact match).
pub fn missing_capabilities<'r>(required: &[&'r str], available: &[&str]) -> Vec<&'r str> {
    let mut missing: Vec<&str> = Vec::new();
    for name in required {
        if !available.contains(name) && !missing.contains(name) {
            missing.push(name);
        }
    }
    missing
}

/// `None` when every required capability is available; otherwise an issue naming what is missing.
pub fn check_capabilities(required: &[&str], available: &[&str]) -> Option<Issue> {
    let missing = missing_capabilities(required, available);
    (!missing.is_empty()).then(|| {
        Issue::new(
            "scheduling.capability.missing",
            "/constraints/required_capabilities",
            format!(
                "the worker lacks {}: {}",
                count(&missing, "required capability", "required capabilities"),
                quoted(missing.iter().copied())
            ),
        )
    })
}

/// A number as JSON writes it and Python shows it: an integral 5.0 as 5.
fn whole(value: &Value) -> String {
    match value.as_number() {
        Some(number) if number.as_i64().is_none() && number.as_f64().is_some_and(|f| f.fract() == 0.0) => {
            format!("{}", number.as_f64().unwrap() as i128)
        }
        _ => value.to_string(),
    }
}

fn number(value: Option<&Value>) -> Option<f64> {
    value.and_then(Value::as_number).and_then(Number::as_f64)
}

/// Every reason `worker` cannot run `job`; empty when it can. Both are decoded documents,
/// assumed valid. Pointers refer to the job ("" for the worker as a whole: its state and load).
/// `current_jobs`: the jobs the worker runs now as the scheduler counts them; by default the
/// registration's `status.current_jobs`.
pub fn match_worker(job: &Value, worker: &Value, current_jobs: Option<u64>) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut issue = |rule: &str, pointer: String, message: String| issues.push(Issue::new(rule, pointer, message));
    let (constraints, routing) = (section(job, "constraints"), section(job, "routing"));
    let (capabilities, configuration) = (section(worker, "capabilities"), section(worker, "configuration"));
    let (limits, status) = (section(worker, "resources"), section(worker, "status"));
    let (operations, features) = (
        names(capabilities.get("operations")),
        names(capabilities.get("features")),
    );
    let operation = job.get("operation").and_then(Value::as_str).unwrap_or_default();
    let payload = job.get("payload").unwrap_or(&Value::Null);
    let payload_type = payload.get("type").and_then(Value::as_str);

    let listed = capabilities.get("payload_types").filter(|v| !v.is_null());
    let reads: Vec<String> = match listed {
        Some(types) => names(Some(types)).into_iter().map(str::to_owned).collect(),
        None => operations.iter().map(|op| format!("{op}.v1")).collect(),
    };
    if !operations.contains(&operation) {
        let runs = quoted(operations.iter().copied());
        issue(
            "scheduling.operation.unsupported",
            "/operation".into(),
            format!(
                "the worker has no handler for '{operation}'; it runs {}",
                if runs.is_empty() { "nothing" } else { &runs }
            ),
        );
    } else if !payload_type.is_some_and(|t| reads.iter().any(|r| r == t)) {
        let prefix = format!("{operation}.v");
        let of_operation = quoted(reads.iter().filter(|t| t.starts_with(&prefix)).map(String::as_str));
        issue(
            "scheduling.payload-type.unsupported",
            "/payload/type".into(),
            format!(
                "the worker reads {} of '{operation}', not '{}'{}",
                if of_operation.is_empty() {
                    "no payload type"
                } else {
                    &of_operation
                },
                payload_type.unwrap_or("None"),
                if listed.is_some() {
                    ""
                } else {
                    " (it lists no payload_types: it reads the v1 of each operation it runs)"
                }
            ),
        );
    }
    let offered: Vec<&str> = operations.iter().chain(features.iter()).copied().collect();
    if let Some(found) = check_capabilities(&names(constraints.get("required_capabilities")), &offered) {
        issue(&found.rule, found.pointer, found.message);
    }
    let lacking = missing_capabilities(&names(constraints.get("required_features")), &features);
    if !lacking.is_empty() {
        issue(
            "scheduling.feature.missing",
            "/constraints/required_features".into(),
            format!(
                "the worker lacks {}: {}",
                count(&lacking, "required feature", "required features"),
                quoted(lacking.iter().copied())
            ),
        );
    }
    let formats = names(capabilities.get("disk_formats"));
    let mut images = Vec::new();
    image_references(payload, "/payload".to_owned(), &mut images);
    for (pointer, image) in &images {
        let format = image["format"].as_str().unwrap_or_default();
        if !formats.contains(&format) {
            let opens = quoted(formats.iter().copied());
            issue(
                "scheduling.disk-format.unsupported",
                format!("{pointer}/format"),
                format!(
                    "the worker cannot open {format} images; it opens {}",
                    if opens.is_empty() { "none" } else { &opens }
                ),
            );
        }
    }
    let pools = names(constraints.get("allowed_worker_pools"));
    let pool = configuration.get("worker_pool").and_then(Value::as_str);
    if !pools.is_empty() && !pool.is_some_and(|p| pools.contains(&p)) {
        let place = pool.map_or_else(|| "no pool".to_owned(), |p| format!("pool '{p}'"));
        issue(
            "scheduling.worker-pool.not-allowed",
            "/constraints/allowed_worker_pools".into(),
            format!(
                "the worker is in {place}; the job allows {}",
                quoted(pools.iter().copied())
            ),
        );
    }
    let truthy = |value: Option<&Value>| value.is_some_and(|v| v.as_bool() == Some(true));
    if truthy(constraints.get("require_privileged")) && !truthy(configuration.get("privileged")) {
        issue(
            "scheduling.privileged.required",
            "/constraints/require_privileged".into(),
            "the job requires a privileged worker; this one is not".into(),
        );
    }
    if let Some(minimum) = constraints
        .get("minimum_worker_version")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
    {
        let version = worker.get("version").and_then(Value::as_str);
        if compare_versions(version.unwrap_or("0.0.0"), minimum) == Some(Ordering::Less) {
            issue(
                "scheduling.worker-version.too-old",
                "/constraints/minimum_worker_version".into(),
                format!(
                    "the worker runs version {}; the job needs {minimum} or later",
                    version.unwrap_or("None")
                ),
            );
        }
    }
    let limit = limits.get("max_disk_size_gb").filter(|v| !v.is_null());
    let size = constraints.get("maximum_disk_size_gb").filter(|v| !v.is_null());
    match (size, limit) {
        (Some(size), None) => issue(
            "scheduling.disk-size.too-large",
            "/constraints/maximum_disk_size_gb".into(),
            format!(
                "the job may touch disks of {} GB; the worker states no max_disk_size_gb (it sends no resources), so nothing shows it accepts them",
                whole(size)
            ),
        ),
        (Some(size), Some(limit)) if number(Some(size)) > number(Some(limit)) => issue(
            "scheduling.disk-size.too-large",
            "/constraints/maximum_disk_size_gb".into(),
            format!("the job may touch disks of {} GB; the worker accepts at most {} GB", whole(size), whole(limit)),
        ),
        _ => {}
    }
    if let Some(limit) = limit {
        let limit_gb = number(Some(limit)).unwrap_or(f64::INFINITY);
        for (pointer, image) in &images {
            let Some(size_bytes) = image.get("size_bytes").filter(|v| v.is_number()) else {
                continue;
            };
            if exceeds(size_bytes, limit) {
                let limit_bytes = match limit.as_i64() {
                    Some(gb) => (i128::from(gb) * 1_000_000_000).to_string(),
                    None => whole(&Value::from(limit_gb * GB)),
                };
                issue(
                    "scheduling.disk-size.too-large",
                    format!("{pointer}/size_bytes"),
                    format!(
                        "the image is {} bytes; the worker accepts disks of at most {} GB ({limit_bytes} bytes)",
                        whole(size_bytes),
                        whole(limit)
                    ),
                );
            }
        }
    }
    let pinned = routing.get("worker_id").filter(|v| !v.is_null());
    let worker_id = worker.get("worker_id").and_then(Value::as_str).unwrap_or("None");
    if let Some(pinned) = pinned.and_then(Value::as_str).filter(|p| *p != worker_id) {
        issue(
            "scheduling.worker.pinned-elsewhere",
            "/routing/worker_id".into(),
            format!("the job is pinned to worker '{pinned}', not '{worker_id}'"),
        );
    }
    match status.get("state").and_then(Value::as_str) {
        None => issue(
            "scheduling.worker.not-ready",
            String::new(),
            "the worker sends no status, so its state is unknown: it takes new jobs only when its status says ready"
                .into(),
        ),
        Some("ready") => {}
        Some(state) => issue(
            "scheduling.worker.not-ready",
            String::new(),
            format!("the worker is {state}: it takes new jobs only when ready"),
        ),
    }
    let running = current_jobs
        .map(Value::from)
        .or_else(|| status.get("current_jobs").filter(|v| v.is_number()).cloned());
    let most = limits.get("max_concurrent_jobs").filter(|v| v.is_number());
    if let (Some(running), Some(most)) = (running, most) {
        if number(Some(&running)) >= number(Some(most)) {
            issue(
                "scheduling.worker.at-capacity",
                String::new(),
                format!(
                    "the worker runs {} jobs and at most {} at once: it takes a new one when one ends",
                    whole(&running),
                    whole(most)
                ),
            );
        }
    }
    issues
}

/// size_bytes > limit GB, exactly for integers (a double loses bytes beyond 2^53).
fn exceeds(size_bytes: &Value, limit_gb: &Value) -> bool {
    match (size_bytes.as_i64(), limit_gb.as_i64()) {
        (Some(size), Some(limit)) => i128::from(size) > i128::from(limit) * 1_000_000_000,
        _ => number(Some(size_bytes)) > number(Some(limit_gb)).map(|l| l * GB),
    }
}

/// Every image reference (an object with a path and an image format) in a payload, with its pointer.
fn image_references<'v>(value: &'v Value, pointer: String, found: &mut Vec<(String, &'v Map<String, Value>)>) {
    static FORMATS: OnceLock<Vec<String>> = OnceLock::new();
    let formats = FORMATS.get_or_init(|| {
        let listed = resources::common()["$defs"]["ImageFormat"]["enum"]
            .as_array()
            .expect("ImageFormat's enum");
        listed.iter().filter_map(|f| f.as_str().map(str::to_owned)).collect()
    });
    match value {
        Value::Object(members) => {
            let is_format = members
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| formats.iter().any(|k| k == f));
            if members.get("path").is_some_and(Value::is_string) && is_format {
                found.push((pointer.clone(), members));
            }
            for (key, item) in members {
                image_references(item, format!("{pointer}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                image_references(item, format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// Semantic Versioning 2.0.0 precedence of `a` against `b` (build metadata ignored); `None`
/// when either is not a semantic version.
pub fn compare_versions(a: &str, b: &str) -> Option<Ordering> {
    Some(semver_key(a)?.cmp(&semver_key(b)?))
}

/// Release numbers, then 1 for a release or 0 and the identifiers for a pre-release (which
/// sorts first); numeric identifiers sort before alphanumeric ones.
type SemverKey = (Vec<u128>, u8, Vec<(u8, u128, String)>);

fn semver_key(version: &str) -> Option<SemverKey> {
    static FORM: OnceLock<regex::Regex> = OnceLock::new();
    let form = FORM.get_or_init(|| {
        regex::Regex::new(r"^([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$").unwrap()
    });
    let parts = form.captures(version)?;
    let release = (1..=3)
        .map(|i| parts[i].parse::<u128>().ok())
        .collect::<Option<Vec<_>>>()?;
    let Some(pre) = parts.get(4) else {
        return Some((release, 1, Vec::new()));
    };
    let identifiers = pre
        .as_str()
        .split('.')
        .map(|p| match p.parse::<u128>() {
            Ok(n) if p.bytes().all(|b| b.is_ascii_digit()) => (0, n, String::new()),
            _ => (1, 0, p.to_owned()),
        })
        .collect();
    Some((release, 0, identifiers))
}
