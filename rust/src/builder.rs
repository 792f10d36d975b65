//! The fluent job builder upstream's users know (`JobBuilder::new().generate_job_id()...`),
//! as the Python package's `typed/builder.py` has it, and a helper per payload type.
//!
//! Setters never clamp: a value outside the bounds its schema declares (a priority of 11)
//! is recorded, and [`JobBuilder::build`] returns it as an error. `build()` validates the
//! whole document with [`crate::validate_value`] and returns the typed [`Job`].

use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::report::{Issue, Report};
use crate::types::{ImageFormat, Job};
use crate::validate::{validate_value, Options};
use crate::{resources, timestamps};

/// Why a job could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildError {
    /// A setter was given a value its schema rejects (out of range, not a known format...).
    Rejected(Vec<String>),
    /// The document is not valid: the full report.
    Invalid(Box<Report>),
    /// The document is valid but does not read into [`Job`] (a payload type's data).
    Unreadable(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Rejected(problems) => write!(f, "{}", problems.join("; ")),
            BuildError::Invalid(report) => {
                let errors: Vec<String> = report
                    .errors
                    .iter()
                    .map(|i| format!("{} at '{}': {}", i.rule, i.pointer, i.message))
                    .collect();
                write!(f, "the job is not valid: {}", errors.join("; "))
            }
            BuildError::Unreadable(why) => write!(f, "the job does not read into the Job type: {why}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds a job document step by step. Every setter returns the builder.
#[derive(Debug, Clone)]
pub struct JobBuilder {
    document: Map<String, Value>,
    rejected: Vec<String>,
}

impl Default for JobBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// `job-` followed by a new ULID (26 characters, sortable by creation time).
pub fn generate_job_id() -> String {
    format!("job-{}", timestamps::ulid())
}

impl JobBuilder {
    /// A job of protocol version 1.0, kind `VMOperation`, and nothing else yet.
    pub fn new() -> Self {
        let mut document = Map::new();
        document.insert("version".into(), "1.0".into());
        document.insert("kind".into(), "VMOperation".into());
        JobBuilder {
            document,
            rejected: Vec::new(),
        }
    }

    fn set(mut self, path: &[&str], key: &str, value: impl Into<Value>) -> Self {
        self.section(path).insert(key.to_owned(), value.into());
        self
    }

    fn section(&mut self, path: &[&str]) -> &mut Map<String, Value> {
        let mut node = &mut self.document;
        for part in path {
            let entry = node
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            node = entry.as_object_mut().expect("an object");
        }
        node
    }

    /// Add `value` to the list at `path`; one already there is not added twice.
    fn append(mut self, path: &[&str], key: &str, value: &str) -> Self {
        let list = self
            .section(path)
            .entry(key.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = list {
            if !items.iter().any(|item| item == value) {
                items.push(value.into());
            }
        }
        self
    }

    /// Set an integer member after checking it against the bounds its schema declares.
    fn bounded(self, section: &str, field: &str, value: i64) -> Self {
        let (low, high) = bounds(section, field);
        if low.is_some_and(|low| value < low) || high.is_some_and(|high| value > high) {
            let allowed = match (low, high) {
                (Some(low), Some(high)) => format!("from {low} to {high}"),
                (Some(low), None) => format!("at least {low}"),
                (None, Some(high)) => format!("at most {high}"),
                (None, None) => unreachable!("a bound was broken"),
            };
            let mut rejected = self;
            rejected.rejected.push(format!(
                "{field} must be {allowed}, got {value} (out-of-range values are rejected, not clamped)"
            ));
            return rejected;
        }
        self.set(&[section], field, value)
    }

    // --- identity and payload ---------------------------------------------------------

    pub fn job_id(self, job_id: &str) -> Self {
        self.set(&[], "job_id", job_id)
    }

    /// Use `job-` plus a new ULID as the job id.
    pub fn generate_job_id(self) -> Self {
        self.set(&[], "job_id", generate_job_id())
    }

    /// Creation time, RFC 3339; `build()` uses the current time when it was not set.
    pub fn created_at(self, moment: &str) -> Self {
        self.set(&[], "created_at", moment)
    }

    /// Write `$schema` (the envelope's `$id` when `None`) so editors can complete fields.
    pub fn schema_uri(self, uri: Option<&str>) -> Self {
        let uri = uri.map_or_else(|| resources::index()["documents"]["job"]["id"].clone(), Value::from);
        self.set(&[], "$schema", uri)
    }

    pub fn operation(self, operation: &str) -> Self {
        self.set(&[], "operation", operation)
    }

    /// Payload type (`<operation>.v<N>`) and data: a `serde_json::Value` or a generated payload type.
    pub fn payload(mut self, payload_type: &str, data: impl Serialize) -> Self {
        match serde_json::to_value(data) {
            Ok(data) => {
                let payload = serde_json::json!({"type": payload_type, "data": data});
                self.set(&[], "payload", payload)
            }
            Err(error) => {
                self.rejected
                    .push(format!("the payload data does not serialise: {error}"));
                self
            }
        }
    }

    /// A top-level extension member; `key` is a domain, a slash and a name (`example.com/cost-code`).
    pub fn extension(mut self, key: &str, value: impl Serialize) -> Self {
        static PATTERN: OnceLock<regex::Regex> = OnceLock::new();
        if !PATTERN
            .get_or_init(|| resources::common_pattern("ExtensionKey"))
            .is_match(key)
        {
            self.rejected
                .push(format!("extension keys look like 'example.com/name', got '{key}'"));
            return self;
        }
        match serde_json::to_value(value) {
            Ok(value) => self.set(&[], key, value),
            Err(error) => {
                self.rejected
                    .push(format!("extension {key} does not serialise: {error}"));
                self
            }
        }
    }

    // --- metadata -----------------------------------------------------------------------

    pub fn name(self, name: &str) -> Self {
        self.set(&["metadata"], "name", name)
    }

    pub fn namespace(self, namespace: &str) -> Self {
        self.set(&["metadata"], "namespace", namespace)
    }

    pub fn label(self, key: &str, value: &str) -> Self {
        self.set(&["metadata", "labels"], key, value)
    }

    pub fn annotation(self, key: &str, value: &str) -> Self {
        self.set(&["metadata", "annotations"], key, value)
    }

    // --- execution ----------------------------------------------------------------------

    pub fn idempotency_key(self, key: &str) -> Self {
        self.set(&["execution"], "idempotency_key", key)
    }

    pub fn attempt(self, attempt: i64) -> Self {
        self.bounded("execution", "attempt", attempt)
    }

    pub fn max_attempts(self, max_attempts: i64) -> Self {
        self.bounded("execution", "max_attempts", max_attempts)
    }

    pub fn timeout_seconds(self, seconds: i64) -> Self {
        self.bounded("execution", "timeout_seconds", seconds)
    }

    /// The time by which the job must have finished, RFC 3339.
    pub fn deadline(self, moment: &str) -> Self {
        self.set(&["execution"], "deadline", moment)
    }

    /// 1 to 10, higher is more urgent; anything else is rejected (never clamped).
    pub fn priority(self, priority: i64) -> Self {
        self.bounded("execution", "priority", priority)
    }

    pub fn cancellable(self, cancellable: bool) -> Self {
        self.set(&["execution"], "cancellable", cancellable)
    }

    // --- constraints --------------------------------------------------------------------

    /// Add a required capability; one already required is not added twice.
    pub fn require_capability(self, capability: &str) -> Self {
        self.append(&["constraints"], "required_capabilities", capability)
    }

    pub fn require_feature(self, feature: &str) -> Self {
        self.append(&["constraints"], "required_features", feature)
    }

    pub fn allow_worker_pool(self, pool: &str) -> Self {
        self.append(&["constraints"], "allowed_worker_pools", pool)
    }

    pub fn minimum_worker_version(self, version: &str) -> Self {
        self.set(&["constraints"], "minimum_worker_version", version)
    }

    pub fn maximum_disk_size_gb(self, size_gb: i64) -> Self {
        self.bounded("constraints", "maximum_disk_size_gb", size_gb)
    }

    pub fn require_privileged(self, privileged: bool) -> Self {
        self.set(&["constraints"], "require_privileged", privileged)
    }

    // --- routing ------------------------------------------------------------------------

    pub fn worker_id(self, worker_id: &str) -> Self {
        self.set(&["routing"], "worker_id", worker_id)
    }

    pub fn worker_pool(self, pool: &str) -> Self {
        self.set(&["routing"], "worker_pool", pool)
    }

    pub fn affinity(self, key: &str, value: &str) -> Self {
        self.set(&["routing", "affinity"], key, value)
    }

    pub fn anti_affinity<'a>(self, key: &str, values: impl IntoIterator<Item = &'a str>) -> Self {
        let values: Vec<Value> = values.into_iter().map(Value::from).collect();
        self.set(&["routing", "anti_affinity"], key, values)
    }

    // --- observability and audit --------------------------------------------------------

    pub fn trace_id(self, trace_id: &str) -> Self {
        self.set(&["observability"], "trace_id", trace_id)
    }

    pub fn span_id(self, span_id: &str) -> Self {
        self.set(&["observability"], "span_id", span_id)
    }

    pub fn parent_span_id(self, span_id: &str) -> Self {
        self.set(&["observability"], "parent_span_id", span_id)
    }

    pub fn correlation_id(self, correlation_id: &str) -> Self {
        self.set(&["observability"], "correlation_id", correlation_id)
    }

    pub fn submitted_by(self, who: &str) -> Self {
        self.set(&["audit"], "submitted_by", who)
    }

    pub fn submitted_from(self, place: &str) -> Self {
        self.set(&["audit"], "submitted_from", place)
    }

    pub fn authorization(self, method: &str, subject: &str) -> Self {
        self.set(
            &["audit"],
            "authorization",
            serde_json::json!({"method": method, "subject": subject}),
        )
    }

    // --- result -------------------------------------------------------------------------

    /// The document as built so far; `created_at` is the current time if it was not set.
    pub fn to_value(&self) -> Value {
        let mut document = self.document.clone();
        document.entry("created_at").or_insert_with(|| timestamps::now().into());
        Value::Object(document)
    }

    /// Validate the document and return it as a [`Job`]; a warning (an unknown field, an
    /// unregistered payload type) does not stop it: [`JobBuilder::build_reported`] returns them.
    pub fn build(&self) -> Result<Job, BuildError> {
        self.build_reported(false).map(|(job, _)| job)
    }

    /// Validate the document (warnings are errors with `strict`) and return it as a [`Job`]
    /// with the warnings it has.
    pub fn build_reported(&self, strict: bool) -> Result<(Job, Vec<Issue>), BuildError> {
        if !self.rejected.is_empty() {
            return Err(BuildError::Rejected(self.rejected.clone()));
        }
        let document = self.to_value();
        let report = validate_value(
            &document,
            &Options {
                strict,
                ..Options::of_type("job")
            },
        )
        .expect("job is a type");
        if !report.valid {
            return Err(BuildError::Invalid(Box::new(report)));
        }
        let job = serde_json::from_value(document).map_err(|e| BuildError::Unreadable(e.to_string()))?;
        Ok((job, report.warnings))
    }
}

/// The (minimum, maximum) an integer member of a job section declares in its schema.
fn bounds(section: &str, field: &str) -> (Option<i64>, Option<i64>) {
    let bundle = resources::bundle("job", false).expect("the job bundle");
    let job = &bundle["$defs"]["Job"]["properties"][section]["anyOf"][0]["$ref"];
    let class = job
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .expect("a section's class");
    let spec = &bundle["$defs"][class]["properties"][field];
    (spec["minimum"].as_i64(), spec["maximum"].as_i64())
}

// --- payload helpers ------------------------------------------------------------------------

/// The image format a file name's extension names (`disk.qcow2` -> `qcow2`), if it names one.
pub fn image_format(path: &str) -> Option<ImageFormat> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (_, suffix) = name.rsplit_once('.')?;
    serde_json::from_value(Value::from(suffix.to_lowercase())).ok()
}

/// `{"path", "format"}` of an image given by its path, or the rejection saying to give its format.
fn image(path: &str, rejected: &mut Vec<String>) -> Value {
    match image_format(path) {
        Some(format) => serde_json::json!({"path": path, "format": format}),
        None => {
            let formats = resources::common()["$defs"]["ImageFormat"]["enum"]
                .as_array()
                .expect("formats");
            let listed: Vec<&str> = formats.iter().filter_map(Value::as_str).collect();
            rejected.push(format!(
                "cannot tell the image format of '{path}' from its extension; one of {} (give the payload with its format)",
                listed.join(", ")
            ));
            serde_json::json!({"path": path})
        }
    }
}

/// A builder with a fresh id, the operation of `payload_type` and the payload. No capability is
/// required unasked: a worker runs only the operations it registers (`match_worker` checks that).
fn job(payload_type: &str, data: Value, rejected: Vec<String>) -> JobBuilder {
    let operation = resources::payload_types()[payload_type]["operation"]
        .as_str()
        .expect("an operation");
    let mut builder = JobBuilder::new()
        .generate_job_id()
        .operation(operation)
        .payload(payload_type, data);
    builder.rejected.extend(rejected);
    builder
}

/// A `guestkit.inspect` job of the image at `path` (its format from its extension).
pub fn inspect_job(path: &str) -> JobBuilder {
    let mut rejected = Vec::new();
    let data = serde_json::json!({"image": image(path, &mut rejected)});
    job("guestkit.inspect.v1", data, rejected)
}

/// A `guestkit.profile` job evaluating `profiles` (`["security", "compliance"]`) on the image at `path`.
pub fn profile_job<'a>(path: &str, profiles: impl IntoIterator<Item = &'a str>) -> JobBuilder {
    let mut rejected = Vec::new();
    let profiles: Vec<&str> = profiles.into_iter().collect();
    let data = serde_json::json!({"image": image(path, &mut rejected), "profiles": profiles});
    job("guestkit.profile.v1", data, rejected)
}

/// A `guestkit.fix` job running `operations` (`["fsck", "selinux_relabel"]`) in order, without options.
pub fn fix_job<'a>(path: &str, operations: impl IntoIterator<Item = &'a str>) -> JobBuilder {
    let mut rejected = Vec::new();
    let operations: Vec<Value> = operations
        .into_iter()
        .map(|name| serde_json::json!({"type": name}))
        .collect();
    let data = serde_json::json!({"image": image(path, &mut rejected), "operations": operations});
    job("guestkit.fix.v1", data, rejected)
}

/// A `guestkit.convert` job writing the image at `source` as `target` (formats from the extensions).
pub fn convert_job(source: &str, target: &str) -> JobBuilder {
    let mut rejected = Vec::new();
    let data = serde_json::json!({"source": image(source, &mut rejected), "target": image(target, &mut rejected)});
    job("guestkit.convert.v1", data, rejected)
}

/// A `guestkit.compare` job comparing the image at `target` with the one at `baseline`; a target
/// whose extension names no format has the baseline's.
pub fn compare_job(baseline: &str, target: &str) -> JobBuilder {
    let mut rejected = Vec::new();
    let baseline_image = image(baseline, &mut rejected);
    let target_image = match (image_format(target), baseline_image.get("format")) {
        (None, Some(format)) => serde_json::json!({"path": target, "format": format}),
        _ => image(target, &mut rejected),
    };
    job(
        "guestkit.compare.v1",
        serde_json::json!({"baseline": baseline_image, "target": target_image}),
        rejected,
    )
}
