//! What validation reports: issues (rule id, JSON Pointer, message) gathered in a report.

use serde::Serialize;
use serde_json::Value;

/// How grave a finding is: errors make a document invalid, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding: the rule it breaks, where (an RFC 6901 JSON Pointer), and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub rule: String,
    pub pointer: String,
    pub message: String,
}

impl Issue {
    pub fn new(rule: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            rule: rule.to_owned(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// The outcome of validating one document, as the Python package's `Report.to_dict()` gives it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The document type validated against (`None` when `auto` could not tell it).
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub valid: bool,
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
    /// The decoded document, `None` when it could not be decoded.
    #[serde(skip)]
    pub document: Option<Value>,
}

impl Report {
    /// Sort issues into errors and warnings by each rule's severity in this mode, dropping
    /// repeats of the same rule at the same place.
    pub(crate) fn of(doc_type: Option<&str>, issues: Vec<Issue>, strict: bool, document: Option<Value>) -> Report {
        let mut seen = std::collections::HashSet::new();
        let (mut errors, mut warnings) = (Vec::new(), Vec::new());
        for issue in issues {
            if !seen.insert((issue.rule.clone(), issue.pointer.clone())) {
                continue;
            }
            match crate::rules::severity(&issue.rule, strict) {
                Severity::Error => errors.push(issue),
                Severity::Warning => warnings.push(issue),
            }
        }
        Report {
            doc_type: doc_type.map(str::to_owned),
            valid: errors.is_empty(),
            errors,
            warnings,
            document,
        }
    }
}

/// A short, unambiguous rendering of a JSON value for messages (Python's `report.show`).
pub fn show(value: &Value) -> String {
    match value {
        Value::String(text) if text.is_empty() => "an empty string".to_owned(),
        Value::String(_) => {
            let text = value.to_string();
            if text.chars().count() > 60 {
                format!("{}...\"", text.chars().take(56).collect::<String>())
            } else {
                text
            }
        }
        Value::Array(items) if items.is_empty() => "an empty array".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        other => other.to_string(),
    }
}

/// `["payload", "data", "0"]` -> `/payload/data/0`: one RFC 6901 reference token per part.
pub fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// The last reference token of a pointer, unescaped.
pub(crate) fn last_token(pointer: &str) -> Option<String> {
    let (_, last) = pointer.rsplit_once('/')?;
    Some(last.replace("~1", "/").replace("~0", "~"))
}

/// How a message names the value at `pointer`: "the document", "item 3" or "'name'".
pub(crate) fn subject(pointer: &str) -> String {
    match last_token(pointer) {
        None => "the document".to_owned(),
        Some(last) if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) => format!("item {last}"),
        Some(last) => format!("'{last}'"),
    }
}
