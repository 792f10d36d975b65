//! `json.integer-form`: an integer the text writes with a fraction or an exponent (5.0, 5e0).
//! Valid since protocol 1.0 (JSON Schema's `integer` is a value), but serde_json refuses it
//! into an `i64`, so the package warns wherever the schema wants an integer.
//!
//! serde_json reads a number with a fraction or an exponent as a double, so the candidates
//! are the integral doubles; whether the schema wants an integer at one is asked of the
//! validator itself: put 0.5 there, and see whether a type error for `integer` appears there.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value;

use crate::report::{last_token, Issue};
use crate::schema::Compiled;

const RULE: &str = "json.integer-form";

/// A warning for every integer written with a fraction or an exponent where the schema wants an integer.
pub(crate) fn integer_form_issues(document: &Value, compiled: &Compiled) -> Vec<Issue> {
    let mut candidates = Vec::new();
    if holds_double(document) {
        integral_fractions(document, String::new(), &mut candidates);
    }
    let mut issues = Vec::new();
    for (pointer, number) in candidates {
        let mut probe = document.clone();
        if let Some(slot) = probe.pointer_mut(&pointer) {
            *slot = Value::from(0.5);
        }
        let wants_integer = compiled
            .validator
            .iter_errors(&probe)
            .any(|error| integer_type_error_at(&error, &pointer));
        if wants_integer {
            issues.push(Issue::new(RULE, pointer.clone(), message(&pointer, number)));
        }
    }
    issues
}

/// Every number read as a double whose value is integral, in document order.
fn integral_fractions(value: &Value, pointer: String, found: &mut Vec<(String, f64)>) {
    match value {
        // Pointers are made only on the way to a number read as a double: most documents have none.
        Value::Object(members) => {
            for (key, item) in members.iter().filter(|(_, item)| holds_double(item)) {
                integral_fractions(item, crate::report::child(&pointer, key), found);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate().filter(|(_, item)| holds_double(item)) {
                integral_fractions(item, format!("{pointer}/{i}"), found);
            }
        }
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|f| f.is_finite() && f.fract() == 0.0) {
                found.push((pointer, float));
            }
        }
        _ => {}
    }
}

/// Whether a number read as a double lies anywhere in `value`.
fn holds_double(value: &Value) -> bool {
    match value {
        Value::Object(members) => members.values().any(holds_double),
        Value::Array(items) => items.iter().any(holds_double),
        Value::Number(number) => number.is_f64(),
        _ => false,
    }
}

fn integer_type_error_at(error: &ValidationError, pointer: &str) -> bool {
    match error.kind() {
        ValidationErrorKind::Type { kind } if error.instance_path().as_str() == pointer => match kind {
            TypeKind::Single(one) => *one == JsonType::Integer,
            TypeKind::Multiple(set) => set.contains(JsonType::Integer) && !set.contains(JsonType::Number),
        },
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context.iter().flatten().any(|sub| integer_type_error_at(sub, pointer))
        }
        _ => false,
    }
}

fn message(pointer: &str, value: f64) -> String {
    let name = match last_token(pointer) {
        None => "the document".to_owned(),
        Some(last) if last.bytes().all(|b| b.is_ascii_digit()) && !last.is_empty() => format!("item {last}"),
        Some(last) => format!("'{last}'"),
    };
    let written = if value.abs() < crate::code_rules::INT64_BOUND {
        format!("write it {}", value as i64)
    } else {
        "no 64-bit integer holds it".to_owned()
    };
    format!(
        "{name} is an integer written with a fraction or an exponent; valid, but decoders that read integers into integer types (Go's encoding/json, Rust's serde_json) refuse it: {written}"
    )
}
