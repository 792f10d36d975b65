//! The lifecycle of protocol 1.1 (specification, section 15), checked on traces: what happened
//! to one job, message by message (tests/conformance/README.md, "Traces"). The same checker as
//! Python's `validation/lifecycle.py` and npm's `checkTrace`, case for case.

use serde_json::{Map, Value};

use crate::fingerprint::fingerprint;
use crate::report::Issue;
use crate::states::{check_transition, is_terminal};
use crate::timestamps::Instant;

const WORKER_MESSAGES: [&str; 4] = ["heartbeat", "progress", "result", "release"];
const REFUSABLE: [&str; 6] = ["heartbeat", "progress", "result", "release", "cancel", "resubmit"];
/// Sent again, unchanged, when the answer was lost.
const REPEATABLE: [&str; 2] = ["result", "release"];
#[rustfmt::skip]
const MESSAGES: [&str; 11] =
    ["cancel", "claim", "deadline", "expire", "heartbeat", "progress", "release", "result", "resubmit", "submit", "timeout"];
const ENDS_LEASE: [&str; 5] = ["queued", "completed", "failed", "cancelled", "timeout"];

/// A trace that is not well formed (an unknown message, a missing member, time going back...):
/// an error of the test, not a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceError(pub String);

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TraceError {}

type Checked<T> = Result<T, TraceError>;

fn malformed<T>(message: String) -> Checked<T> {
    Err(TraceError(message))
}

static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();

fn object(value: Option<&Value>) -> &Map<String, Value> {
    value
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn text<'v>(container: &'v Map<String, Value>, name: &str) -> Checked<&'v str> {
    match container.get(name).and_then(Value::as_str) {
        Some(found) => Ok(found),
        None => malformed(format!(
            "a trace step needs {name} (string); found {}",
            shown_json(container.get(name))
        )),
    }
}

fn integer(container: &Map<String, Value>, name: &str) -> Checked<i64> {
    match container.get(name).and_then(Value::as_i64) {
        Some(found) => Ok(found),
        None => malformed(format!(
            "a trace step needs {name} (int); found {}",
            shown_json(container.get(name))
        )),
    }
}

fn at(value: Option<&Value>, what: &str) -> Checked<Instant> {
    match value.and_then(Value::as_str).and_then(Instant::parse) {
        Some(moment) => Ok(moment),
        None => malformed(format!("{what} is not an RFC 3339 date-time: {}", shown_json(value))),
    }
}

fn shown_json(value: Option<&Value>) -> String {
    value.map_or_else(|| "undefined".to_owned(), Value::to_string)
}

/// A value in a message as Python's repr shows it, so every checker says the same words.
fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => format!("'{text}'"),
        other => other.to_string(),
    }
}

/// A present, non-null member, else the default.
fn or_default<'v>(value: Option<&'v Value>, default: &'v Value) -> &'v Value {
    value.filter(|v| !v.is_null()).unwrap_or(default)
}

struct Lease {
    lease_id: String,
    worker_id: String,
    attempt: i64,
    leased_at: Instant,
    expires_at: Instant,
}

/// Two JSON values alike, numbers by value (1 and 1.0), as Python's and npm's checkers compare
/// the documents of a repeated message.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, value)| y.get(key).is_some_and(|other| same(value, other)))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(p), Some(q)) => p == q,
            _ => x.as_f64() == y.as_f64(),
        },
        _ => a == b,
    }
}

/// A job's idempotency scope and key (section 8): no key when it is absent, null or empty.
fn scope_of(job: &Map<String, Value>) -> (Option<&str>, Option<&str>) {
    let key = object(job.get("execution"))
        .get("idempotency_key")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty());
    (
        object(job.get("metadata")).get("namespace").and_then(Value::as_str),
        key,
    )
}

/// What the scheduler knows of the job, step after step.
struct Job {
    job_id: String,
    scope: (Option<String>, Option<String>),
    fingerprint: Option<String>,
    /// Lease id -> the result or release that ended it, and its document.
    ended: std::collections::HashMap<String, (String, Value)>,
    max_attempts: i64,
    timeout_seconds: i64,
    cancellable: bool,
    deadline_at: Option<Instant>,
    status: String,
    last_attempt: i64,
    lease: Option<Lease>,
    sequence: Option<i64>,
    cancel_requested: bool,
}

/// A rule a step breaks, and why.
struct Breach {
    rule: String,
    message: String,
}

fn breach(rule: &str, message: String) -> Checked<Option<Breach>> {
    Ok(Some(Breach {
        rule: rule.to_owned(),
        message,
    }))
}

impl Job {
    fn new(job: &Map<String, Value>) -> Checked<Job> {
        let execution = object(job.get("execution"));
        let job_id = text(job, "job_id")?.to_owned();
        let (namespace, key) = scope_of(job);
        let fingerprint = match key {
            None => None,
            Some(_) => match fingerprint(&Value::Object(job.clone())) {
                Ok(digest) => Some(digest),
                Err(why) => {
                    return malformed(format!(
                        "a job with an idempotency key and {why} is refused at submission (section 8)"
                    ))
                }
            },
        };
        let number = |name: &str, default: i64| or_default(execution.get(name), &Value::from(default)).as_i64();
        let deadline = execution.get("deadline").filter(|v| !v.is_null());
        Ok(Job {
            job_id,
            scope: (namespace.map(str::to_owned), key.map(str::to_owned)),
            fingerprint,
            ended: std::collections::HashMap::new(),
            max_attempts: number("max_attempts", 1).unwrap_or(1),
            timeout_seconds: number("timeout_seconds", 3600).unwrap_or(3600),
            cancellable: execution.get("cancellable") != Some(&Value::Bool(false)),
            deadline_at: deadline.map(|d| at(Some(d), "execution.deadline")).transpose()?,
            status: "queued".to_owned(),
            last_attempt: number("attempt", 1).unwrap_or(1) - 1,
            lease: None,
            sequence: None,
            cancel_requested: false,
        })
    }

    fn breach(&self, kind: &str, step: &Map<String, Value>, now: &Instant) -> Checked<Option<Breach>> {
        if self.repeats(kind, step) {
            return Ok(None);
        }
        if let Some(found) = self.mismatch(kind, step)? {
            return Ok(Some(found));
        }
        if kind == "resubmit" {
            return self.resubmit(object(step.get("document")));
        }
        if kind == "cancel" && self.status == "cancelled" {
            return Ok(None); // asked again: already done
        }
        if is_terminal(&self.status) == Some(true) {
            return breach(
                "state.transition",
                format!("the job is {}: {kind} cannot change it", self.status),
            );
        }
        if WORKER_MESSAGES.contains(&kind) {
            if let Some(found) = self.fenced(kind, step, now)? {
                return Ok(Some(found));
            }
        }
        let document = object(step.get("document"));
        match kind {
            "claim" => self.claim(document, now),
            "progress" => self.progress(document),
            "result" => self.result(document),
            "cancel" => Ok(self.cancel()),
            "expire" => {
                let lease = self.held(kind, step)?;
                if now < &lease.expires_at {
                    return breach(
                        "lifecycle.lease.live",
                        format!("lease '{}' is taken back before its expires_at", lease.lease_id),
                    );
                }
                Ok(None)
            }
            "timeout" => {
                let lease = self.held(kind, step)?;
                if now < &lease.leased_at.plus_seconds(self.timeout_seconds) {
                    return breach(
                        "lifecycle.timeout",
                        format!(
                            "the attempt is timed out before timeout_seconds ({}) passed",
                            self.timeout_seconds
                        ),
                    );
                }
                Ok(None)
            }
            "deadline" => match &self.deadline_at {
                Some(deadline) if now >= deadline => Ok(None),
                _ => breach(
                    "lifecycle.deadline",
                    "the job is timed out for its deadline before the deadline".into(),
                ),
            },
            _ => Ok(None), // heartbeat and release break no rule of their own
        }
    }

    /// Whether the message is the result or release that ended its lease, sent again unchanged:
    /// accepted again, it changes nothing.
    fn repeats(&self, kind: &str, step: &Map<String, Value>) -> bool {
        let Some(lease_id) = step.get("lease_id").and_then(Value::as_str) else {
            return false;
        };
        REPEATABLE.contains(&kind)
            && self.ended.get(lease_id).is_some_and(|(ended, document)| {
                ended == kind && same(document, step.get("document").unwrap_or(&Value::Null))
            })
    }

    /// A document about another job than the message's, or a body naming another lease than the
    /// one it is sent under (a release carries no document).
    fn mismatch(&self, kind: &str, step: &Map<String, Value>) -> Checked<Option<Breach>> {
        if !["progress", "result", "cancel"].contains(&kind) {
            return Ok(None);
        }
        let document = object(step.get("document"));
        if let Some(about) = document
            .get("job_id")
            .filter(|id| id.as_str() != Some(self.job_id.as_str()))
        {
            return breach(
                "lifecycle.message.mismatch",
                format!("the {kind} is about job {}, not '{}'", shown(about), self.job_id),
            );
        }
        let sent_under = if kind == "cancel" {
            None
        } else {
            Some(text(step, "lease_id")?)
        };
        let named = document.get("lease_id").filter(|l| !l.is_null());
        if let (Some(sent_under), Some(named)) = (sent_under, named) {
            if named.as_str() != Some(sent_under) {
                return breach(
                    "lifecycle.message.mismatch",
                    format!(
                        "the {kind} names lease {} and is sent under lease '{sent_under}'",
                        shown(named)
                    ),
                );
            }
        }
        Ok(None)
    }

    fn resubmit(&self, job: &Map<String, Value>) -> Checked<Option<Breach>> {
        let (namespace, key) = scope_of(job);
        if let Some(key) = key {
            let Ok(again) = fingerprint(&Value::Object(job.clone())) else {
                return breach(
                    "lifecycle.submission.no-fingerprint",
                    "the job carries a key and has no fingerprint".into(),
                );
            };
            if (namespace, Some(key)) == (self.scope.0.as_deref(), self.scope.1.as_deref()) {
                if Some(&again) == self.fingerprint.as_ref() {
                    return Ok(None);
                }
                return breach(
                    "lifecycle.submission.conflict",
                    format!("idempotency key '{key}' is recorded with another payload fingerprint"),
                );
            }
        }
        if job.get("job_id").and_then(Value::as_str) == Some(self.job_id.as_str()) {
            return breach(
                "lifecycle.submission.job-id-taken",
                format!("job id '{}' is another submission's", self.job_id),
            );
        }
        malformed("a resubmit shares the job's idempotency key and scope, or its job id".into())
    }

    fn fenced(&self, kind: &str, step: &Map<String, Value>, now: &Instant) -> Checked<Option<Breach>> {
        let lease_id = text(step, "lease_id")?;
        let Some(lease) = self.lease.as_ref().filter(|lease| lease.lease_id == lease_id) else {
            let held = self
                .lease
                .as_ref()
                .map_or_else(|| "no lease".to_owned(), |l| format!("lease '{}'", l.lease_id));
            return breach(
                "lifecycle.lease.fenced",
                format!("lease '{lease_id}' is not the job's current lease ({held})"),
            );
        };
        if now >= &lease.expires_at {
            return breach(
                "lifecycle.lease.fenced",
                format!("lease '{lease_id}' expired before this {kind}"),
            );
        }
        let document = object(step.get("document"));
        let attempt = if document.contains_key("attempt") {
            document.get("attempt")
        } else {
            object(document.get("execution_summary")).get("attempt")
        };
        let named = [
            (
                "lease_id",
                document.get("lease_id"),
                Value::from(lease.lease_id.clone()),
            ),
            (
                "worker_id",
                document.get("worker_id"),
                Value::from(lease.worker_id.clone()),
            ),
            ("attempt", attempt, Value::from(lease.attempt)),
        ];
        for (name, given, held) in named {
            if let Some(given) = given.filter(|g| !g.is_null() && **g != held) {
                return breach(
                    "lifecycle.lease.fenced",
                    format!(
                        "the {kind} names {name} {}; the lease's is {}",
                        shown(given),
                        shown(&held)
                    ),
                );
            }
        }
        Ok(None)
    }

    fn claim(&self, lease: &Map<String, Value>, now: &Instant) -> Checked<Option<Breach>> {
        if let Some(issue) = check_transition(&self.status, "assigned") {
            return breach(
                &issue.rule,
                format!("a claim while the job is {}: {}", self.status, issue.message),
            );
        }
        let attempt = integer(lease, "attempt")?;
        if attempt != self.last_attempt + 1 {
            return breach(
                "lifecycle.attempt.sequence",
                format!(
                    "the claim is attempt {attempt}; the next attempt is {}",
                    self.last_attempt + 1
                ),
            );
        }
        if attempt > self.max_attempts {
            return breach(
                "lifecycle.attempts.exhausted",
                format!("attempt {attempt} is past max_attempts {}", self.max_attempts),
            );
        }
        if self.deadline_at.as_ref().is_some_and(|deadline| now >= deadline) {
            return breach(
                "lifecycle.deadline",
                "the job is claimed at or after its deadline".into(),
            );
        }
        Ok(None)
    }

    fn progress(&self, event: &Map<String, Value>) -> Checked<Option<Breach>> {
        let sequence = integer(event, "sequence")?;
        match self.sequence {
            None if sequence != 0 => breach(
                "lifecycle.progress.sequence",
                format!("the attempt's first progress event has sequence {sequence}"),
            ),
            Some(previous) if sequence <= previous => breach(
                "lifecycle.progress.sequence",
                format!("sequence {sequence} does not increase on the previous {previous}"),
            ),
            _ => Ok(None),
        }
    }

    fn result(&self, result: &Map<String, Value>) -> Checked<Option<Breach>> {
        let status = text(result, "status")?;
        match check_transition(&self.status, status) {
            None => Ok(None),
            Some(issue) => breach(
                &issue.rule,
                format!("a {status} result while the job is {}: {}", self.status, issue.message),
            ),
        }
    }

    fn cancel(&self) -> Option<Breach> {
        ((self.status == "assigned" || self.status == "running") && !self.cancellable).then(|| Breach {
            rule: "lifecycle.cancel.not-cancellable".into(),
            message: format!("the job is {} and its execution.cancellable is false", self.status),
        })
    }

    /// The current lease, which a scheduler's own message must name.
    fn held(&self, kind: &str, step: &Map<String, Value>) -> Checked<&Lease> {
        let lease_id = text(step, "lease_id")?;
        match self.lease.as_ref().filter(|lease| lease.lease_id == lease_id) {
            Some(lease) => Ok(lease),
            None => malformed(format!(
                "the scheduler's {kind} names lease '{lease_id}', not the current lease"
            )),
        }
    }

    /// The status the protocol prescribes after an accepted message, and the rule a trace saying
    /// otherwise breaks.
    fn outcome(&self, kind: &str, step: &Map<String, Value>, now: &Instant) -> (String, &'static str) {
        let status = |s: &str| (s.to_owned(), "lifecycle.status");
        match kind {
            "claim" => status("assigned"),
            "heartbeat" | "resubmit" => status(&self.status),
            _ if self.repeats(kind, step) => status(&self.status),
            "progress" => status("running"),
            "cancel" => status(if self.status == "queued" {
                "cancelled"
            } else {
                &self.status
            }),
            "deadline" => status("timeout"),
            "result" => {
                let document = object(step.get("document"));
                let reported = document.get("status").and_then(Value::as_str).unwrap_or_default();
                if reported == "completed" || reported == "cancelled" {
                    return status(reported);
                }
                let error = object(document.get("error"));
                let recoverable = error.get("recoverable") == Some(&Value::Bool(true))
                    && error.get("retry_recommended") == Some(&Value::Bool(true));
                self.again_or(reported, now, reported == "timeout" || recoverable)
            }
            _ if self.cancel_requested && kind != "timeout" => status("cancelled"),
            _ => self.again_or(if kind == "timeout" { "timeout" } else { "failed" }, now, true),
        }
    }

    fn again_or(&self, last: &str, now: &Instant, retryable: bool) -> (String, &'static str) {
        let attempt = self.lease.as_ref().map_or(0, |lease| lease.attempt);
        let (status, rule) = if self.cancel_requested {
            (last, "lifecycle.retry.not-allowed")
        } else if attempt >= self.max_attempts {
            (last, "lifecycle.attempts.exhausted")
        } else if !retryable {
            (last, "lifecycle.retry.not-allowed")
        } else if self.deadline_at.as_ref().is_some_and(|deadline| now >= deadline) {
            ("timeout", "lifecycle.deadline")
        } else {
            ("queued", "lifecycle.retry.required")
        };
        (status.to_owned(), rule)
    }

    fn apply(&mut self, kind: &str, step: &Map<String, Value>, status: &str) -> Checked<()> {
        let document = object(step.get("document"));
        match kind {
            "claim" => {
                let lease = Lease {
                    lease_id: text(document, "lease_id")?.to_owned(),
                    worker_id: text(document, "worker_id")?.to_owned(),
                    attempt: integer(document, "attempt")?,
                    leased_at: at(document.get("leased_at"), "leased_at")?,
                    expires_at: at(document.get("expires_at"), "expires_at")?,
                };
                self.last_attempt = lease.attempt;
                self.lease = Some(lease);
                self.sequence = None;
            }
            "heartbeat" => {
                let expires_at = at(document.get("expires_at"), "expires_at")?;
                if let Some(lease) = self.lease.as_mut() {
                    lease.expires_at = expires_at;
                }
            }
            "progress" => self.sequence = document.get("sequence").and_then(Value::as_i64),
            "cancel" if status != "cancelled" => self.cancel_requested = true,
            "result" | "release" => {
                let lease_id = text(step, "lease_id")?.to_owned();
                let document = step.get("document").cloned().unwrap_or(Value::Null);
                self.ended.insert(lease_id, (kind.to_owned(), document));
            }
            _ => {}
        }
        if status != self.status && ENDS_LEASE.contains(&status) {
            self.lease = None;
            self.sequence = None;
        }
        self.status = status.to_owned();
        Ok(())
    }
}

/// The first step of `trace` (an object with `steps`, or the steps) that breaks a rule of the
/// lifecycle, as one issue pointing at it (`/steps/<i>`); empty when none does. A trace that is
/// not well formed is a [`TraceError`].
pub fn check_trace(trace: &Value) -> Result<Vec<Issue>, TraceError> {
    let steps = match trace {
        Value::Array(steps) => steps,
        other => other
            .get("steps")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice),
    };
    if steps.first().and_then(|s| s.get("message")) != Some(&Value::from("submit")) {
        return malformed("a trace starts with the job's submit step".into());
    }
    let mut job: Option<Job> = None;
    let mut previous: Option<Instant> = None;
    for (index, raw) in steps.iter().enumerate() {
        let step = object(Some(raw));
        let kind = step.get("message").and_then(Value::as_str).unwrap_or_default();
        let status = text(step, "status")?;
        if !MESSAGES.contains(&kind) {
            return malformed(format!(
                "step {index}: unknown message {}; expected one of {}",
                shown_json(step.get("message")),
                MESSAGES.join(", ")
            ));
        }
        let now = at(step.get("at"), &format!("step {index}: at"))?;
        if previous.as_ref().is_some_and(|before| &now < before) {
            return malformed(format!("step {index}: at goes back in time"));
        }
        previous = Some(now.clone());
        let pointer = format!("/steps/{index}");
        let issue = |rule: &str, message: String| Ok(vec![Issue::new(rule, pointer.clone(), message)]);
        if kind == "submit" {
            if job.is_some() {
                return malformed(format!("step {index}: a trace has one submit, its first step"));
            }
            job = Some(Job::new(object(step.get("document")))?);
            if status != "queued" {
                return issue("lifecycle.status", format!("a submitted job is queued, not {status}"));
            }
            continue;
        }
        let job = job.as_mut().expect("the first step is the submit");
        let refused = step.get("refused").filter(|r| !r.is_null());
        if refused.is_some() && !REFUSABLE.contains(&kind) {
            return malformed(format!("step {index}: the scheduler's own {kind} cannot be refused"));
        }
        let found = job.breach(kind, step, &now)?;
        if let Some(refused) = refused {
            let refused = refused.as_str().unwrap_or_default();
            match &found {
                Some(found) if found.rule == refused => {}
                _ => {
                    let why = found
                        .as_ref()
                        .map_or_else(|| "it breaks no rule".to_owned(), |f| format!("it breaks {}", f.rule));
                    return issue(
                        "lifecycle.refusal",
                        format!("the {kind} was refused under {refused}, but {why}"),
                    );
                }
            }
            if status != job.status {
                return issue(
                    "lifecycle.status",
                    format!("a refused {kind} leaves the job {}, not {status}", job.status),
                );
            }
            continue;
        }
        if let Some(found) = found {
            return issue(
                &found.rule,
                format!("step {index} ({kind}) accepted: {}", found.message),
            );
        }
        let (expected, rule) = job.outcome(kind, step, &now);
        if status != expected {
            return issue(rule, format!("after this {kind} the job is {expected}, not {status}"));
        }
        job.apply(kind, step, status)?;
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::same;
    use serde_json::json;

    #[test]
    fn a_repeated_document_is_the_same_with_1_written_1_0() {
        assert!(same(
            &json!({"a": [1, {"b": 2}]}),
            &serde_json::from_str(r#"{"a": [1.0, {"b": 2e0}]}"#).unwrap()
        ));
        assert!(!same(&json!({"a": 1}), &json!({"a": true})));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": null})));
    }
}
