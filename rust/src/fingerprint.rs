//! The payload fingerprint of a job (specification, section 8): the lower-case hexadecimal
//! SHA-256 of the RFC 8785 (JCS) serialization of `{"operation": ..., "payload": ...}` as
//! decoded, as Python's `fingerprint` (the `rfc8785` package) and npm's (`canonicalize`) give it.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::report::child;

/// Numbers of this magnitude or more have no fingerprint: above 2^53 doubles skip integers,
/// so two different payloads could share one.
pub const EXACT_NUMBERS: f64 = 9_007_199_254_740_992.0;

/// Why a job has no fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoFingerprint(pub String);

impl std::fmt::Display for NoFingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NoFingerprint {}

/// The payload fingerprint of a decoded job: 64 lower-case hexadecimal digits. The job is not
/// validated (`validate` it first); decode its text with `decode`, whose refusals are the
/// specification's. An error when it has none: not an object with `operation` and `payload`,
/// or a number of magnitude 2^53 or more in them.
pub fn fingerprint(job: &Value) -> Result<String, NoFingerprint> {
    let (Some(operation), Some(payload)) = (job.get("operation"), job.get("payload")) else {
        return Err(NoFingerprint(
            "no fingerprint: expected a job, an object with the members operation and payload".into(),
        ));
    };
    let mut text = String::from("{\"operation\":");
    canonical(operation, "/operation", &mut text)?;
    text.push_str(",\"payload\":");
    canonical(payload, "/payload", &mut text)?;
    text.push('}');
    Ok(Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// RFC 8785: members sorted by their UTF-16 code units, no whitespace, strings escaped as JSON
/// must, numbers as ECMAScript writes a double.
fn canonical(value: &Value, pointer: &str, out: &mut String) -> Result<(), NoFingerprint> {
    match value {
        Value::Object(members) => {
            let mut keys: Vec<&String> = members.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&members[key], &child(pointer, key), out)?;
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, &format!("{pointer}/{i}"), out)?;
            }
            out.push(']');
        }
        Value::Number(number) => out.push_str(&ecmascript_number(number, pointer)?),
        other => out.push_str(&other.to_string()), // strings, booleans, null: serde_json writes them as JCS does
    }
    Ok(())
}

/// A number as ECMAScript's `Number.prototype.toString` writes its double; refused at 2^53 or more.
fn ecmascript_number(number: &serde_json::Number, pointer: &str) -> Result<String, NoFingerprint> {
    let value = number.as_f64().unwrap_or(f64::INFINITY);
    let exact = number
        .as_i64()
        .map(|i| i.unsigned_abs() < 1 << 53)
        .unwrap_or(value.abs() < EXACT_NUMBERS);
    if !exact || value.abs() >= EXACT_NUMBERS {
        return Err(NoFingerprint(format!(
            "no fingerprint: the number at {pointer} is {number}, of magnitude 2**53 or more, where a double no longer holds every integer and two payloads could share a fingerprint; expected a number within +-9007199254740991 (write larger ones as strings)"
        )));
    }
    if value == 0.0 {
        return Ok("0".into()); // -0 too
    }
    if value.fract() == 0.0 {
        return Ok(format!("{}", value as i64));
    }
    // Rust writes the shortest digits that read back, as ECMAScript does; ECMAScript switches to
    // an exponent below 1e-6 (above 1e21 too, past 2^53 and refused here).
    Ok(if value.abs() < 1e-6 {
        format!("{value:e}")
    } else {
        format!("{value}")
    })
}
