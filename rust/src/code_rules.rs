//! Rules JSON Schema cannot express, one small function per rule id, as the Python package's
//! `validation/code_rules.py` has them. Each takes the decoded document and returns its
//! findings; each looks only at values of the type it expects and stays silent otherwise
//! (the schema layer reports the wrong type).

use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::decode::thousands;
use crate::report::{show, Issue};
use crate::resources;
use crate::timestamps::Instant;

const LONG_TIMEOUT_SECONDS: i64 = 86_400;
const LARGE_DISK_GB: i64 = 100_000;
/// 2^63: a double below it in magnitude converts to an `i64` exactly when integral.
pub(crate) const INT64_BOUND: f64 = -(i64::MIN as f64);

type Check = fn(&Map<String, Value>) -> Option<Issue>;

/// Each document type's checks, in the Python package's order.
const JOB_RULES: [Check; 7] = [
    payload_type_matches_operation,
    payload_type_registered,
    attempt_within_max,
    timeout_not_too_long,
    deadline_after_creation,
    disk_size_not_too_large,
    idempotency_key_not_empty,
];

/// A check that may find an issue at more than one place.
type Checks = fn(&Map<String, Value>) -> Vec<Issue>;

const LEASE_RULES: [Checks; 2] = [
    |lease| lease_attempt_within_max(lease).into_iter().collect(),
    lease_times_after_leased,
];

/// Every code-only finding for a document of `doc_type`.
pub(crate) fn code_issues(document: &Value, doc_type: &str) -> Vec<Issue> {
    match (document, doc_type) {
        (Value::Object(members), "job") => JOB_RULES.iter().filter_map(|check| check(members)).collect(),
        (Value::Object(members), "lease") => LEASE_RULES.iter().flat_map(|check| check(members)).collect(),
        _ => Vec::new(),
    }
}

fn section<'d>(document: &'d Map<String, Value>, name: &str) -> Option<&'d Map<String, Value>> {
    document.get(name)?.as_object()
}

fn member<'d>(document: &'d Map<String, Value>, section_name: &str, name: &str) -> Option<&'d Value> {
    section(document, section_name)?.get(name)
}

/// An integer as the schema reads it: in integer form, or written with a fraction or an
/// exponent (2.0 and 2e0 are the integer 2) within the 64-bit range.
pub(crate) fn integer(value: &Value) -> Option<i64> {
    let number = value.as_number()?;
    if let Some(whole) = number.as_i64() {
        return Some(whole);
    }
    let float = number.as_f64()?;
    (float.fract() == 0.0 && float.abs() < INT64_BOUND).then_some(float as i64)
}

/// The payload type and the operation it names, when the payload type is well formed.
fn payload_operation(document: &Map<String, Value>) -> Option<(&str, &str)> {
    static PATTERN: OnceLock<regex::Regex> = OnceLock::new();
    let payload_type = member(document, "payload", "type")?.as_str()?;
    PATTERN
        .get_or_init(|| resources::common_pattern("PayloadType"))
        .is_match(payload_type)
        .then_some(())?;
    Some((payload_type, payload_type.rsplit_once('.')?.0))
}

fn text(value: &str) -> String {
    show(&Value::String(value.to_owned()))
}

fn payload_type_matches_operation(document: &Map<String, Value>) -> Option<Issue> {
    let (payload_type, named) = payload_operation(document)?;
    let operation = document.get("operation")?.as_str()?;
    (named != operation).then(|| {
        Issue::new(
            "job.payload-type.matches-operation",
            "/payload/type",
            format!(
                "payload type {} is for operation {}, but the job's operation is {}; expected {} or another version of it",
                text(payload_type),
                text(named),
                text(operation),
                text(&format!("{operation}.v1"))
            ),
        )
    })
}

fn payload_type_registered(document: &Map<String, Value>) -> Option<Issue> {
    let (payload_type, operation) = payload_operation(document)?;
    let registered = resources::payload_types();
    if registered.contains_key(payload_type) {
        return None;
    }
    let versions: Vec<&str> = registered
        .iter()
        .filter(|(_, entry)| entry["operation"] == operation)
        .map(|(name, _)| name.as_str())
        .collect();
    let known = if versions.is_empty() {
        String::new()
    } else {
        format!("; registered for {operation}: {}", versions.join(", "))
    };
    Some(Issue::new(
        "job.payload-type.unregistered",
        "/payload/type",
        format!(
            "no schema is registered for payload type {}, so payload.data is not checked (allowed, for forward compatibility; --strict rejects it){known}",
            text(payload_type)
        ),
    ))
}

/// Absent, null, 0, false and "" all read as the schema default of 1 (Python's `or 1`).
fn or_one(value: Option<&Value>) -> Value {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => Value::from(1),
        Some(Value::String(s)) if s.is_empty() => Value::from(1),
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => Value::from(1),
        Some(Value::Array(a)) if a.is_empty() => Value::from(1),
        Some(Value::Object(o)) if o.is_empty() => Value::from(1),
        Some(other) => other.clone(),
    }
}

fn attempt_within_max(document: &Map<String, Value>) -> Option<Issue> {
    let execution = section(document, "execution");
    let get = |name: &str| execution.and_then(|e| e.get(name));
    let max_given = !matches!(get("max_attempts"), None | Some(Value::Null));
    let attempt = integer(&or_one(get("attempt")))?;
    let max_attempts = integer(&or_one(get("max_attempts")))?;
    (attempt > max_attempts).then(|| {
        Issue::new(
            "execution.attempt.within-max",
            "/execution/attempt",
            format!(
                "attempt is {attempt} but max_attempts is {max_attempts}{}; expected an attempt of at most {max_attempts}, or a larger max_attempts",
                if max_given { "" } else { " (the default)" }
            ),
        )
    })
}

fn timeout_not_too_long(document: &Map<String, Value>) -> Option<Issue> {
    let timeout = integer(member(document, "execution", "timeout_seconds")?)?;
    (timeout > LONG_TIMEOUT_SECONDS).then(|| {
        Issue::new(
            "execution.timeout.long",
            "/execution/timeout_seconds",
            format!(
                "timeout_seconds is {timeout} ({:.1} hours), above 24 hours; allowed, but check it is meant",
                timeout as f64 / 3600.0
            ),
        )
    })
}

fn deadline_after_creation(document: &Map<String, Value>) -> Option<Issue> {
    let created = document.get("created_at")?.as_str()?;
    let deadline = member(document, "execution", "deadline")?.as_str()?;
    // Two UTC timestamps whose date and time differ before the fraction compare as text; only
    // a possible finding needs the exact instants.
    if created.ends_with('Z') && deadline.ends_with('Z') && deadline.get(..19) > created.get(..19) {
        return None;
    }
    let (created_at, deadline_at) = (Instant::parse(created)?, Instant::parse(deadline)?);
    (deadline_at < created_at).then(|| {
        Issue::new(
            "execution.deadline.after-created",
            "/execution/deadline",
            format!(
                "deadline {} is earlier than created_at {}; expected a deadline at or after creation",
                text(deadline),
                text(created)
            ),
        )
    })
}

fn disk_size_not_too_large(document: &Map<String, Value>) -> Option<Issue> {
    let size = integer(member(document, "constraints", "maximum_disk_size_gb")?)?;
    (size > LARGE_DISK_GB).then(|| {
        Issue::new(
            "constraints.disk-size.large",
            "/constraints/maximum_disk_size_gb",
            format!(
                "maximum_disk_size_gb is {} GB, above 100 TB; allowed, but check the unit is GB",
                thousands(size as u128)
            ),
        )
    })
}

fn idempotency_key_not_empty(document: &Map<String, Value>) -> Option<Issue> {
    member(document, "execution", "idempotency_key")?.as_str()?.is_empty().then(|| {
        Issue::new(
            "execution.idempotency-key.empty",
            "/execution/idempotency_key",
            "idempotency_key is an empty string, which means no key: a resubmission of this job runs again; give a key, or leave the member out",
        )
    })
}

fn lease_attempt_within_max(lease: &Map<String, Value>) -> Option<Issue> {
    // A lease need not state max_attempts: absent or null, there is nothing to compare.
    let (attempt, max_attempts) = (integer(lease.get("attempt")?)?, integer(lease.get("max_attempts")?)?);
    (attempt > max_attempts).then(|| {
        Issue::new(
            "lease.attempt.within-max",
            "/attempt",
            format!(
                "attempt is {attempt} but max_attempts is {max_attempts}; expected an attempt of at most max_attempts: no lease is granted past the job's last attempt"
            ),
        )
    })
}

fn lease_times_after_leased(lease: &Map<String, Value>) -> Vec<Issue> {
    let Some(leased) = lease.get("leased_at").and_then(Value::as_str) else {
        return Vec::new();
    };
    let Some(leased_at) = Instant::parse(leased) else {
        return Vec::new();
    }; // the schema reports a malformed one
    ["expires_at", "timeout_at"]
        .into_iter()
        .filter_map(|name| {
            let value = lease.get(name)?.as_str()?;
            (Instant::parse(value)? <= leased_at).then(|| {
                Issue::new(
                    "lease.times.after-leased",
                    format!("/{name}"),
                    format!(
                        "{name} {} is not after leased_at {}; expected a later instant",
                        text(value),
                        text(leased)
                    ),
                )
            })
        })
        .collect()
}
