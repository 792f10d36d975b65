//! The schema layer: the `jsonschema` crate (2020-12) on the closed bundles, its errors as
//! issues. One pass gives the schema rules and the unknown-field lint (the closed bundle's
//! `additionalProperties: false`). Each error gets the rule id of the `x-rule` annotation
//! beside its failing keyword, else the keyword's generic rule of keywords-v1.json, as
//! Python's `validation/wording.py` and npm's `schema-issues.js` give them.

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::report::{child, show, subject, Issue};
use crate::rules::{self, Rule};
use crate::{resources, timestamps, unknown_fields};

const UNKNOWN_FIELD_RULE: &str = "document.unknown-field";

/// A document type's compiled validator, and where each schema resource of its bundle lives.
pub(crate) struct Compiled {
    pub(crate) validator: Validator,
    bundle: &'static Value,
    resources: HashMap<String, &'static Value>,
}

/// The compiled closed bundle of a document type; `None` for an unknown type.
pub(crate) fn compiled(doc_type: &str) -> Option<&'static Compiled> {
    static ALL: OnceLock<HashMap<String, Compiled>> = OnceLock::new();
    ALL.get_or_init(|| {
        resources::document_types()
            .into_iter()
            .map(|doc_type| {
                let bundle = resources::bundle(doc_type, true).expect("a bundle per document type");
                let validator = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true)
                    .with_format("date-time", timestamps::is_date_time)
                    .with_format(CONTROL_FORMAT, has_control_character)
                    // The schemas' patterns are portable (no look-around): the regex crate runs them in linear time.
                    .with_pattern_options(jsonschema::PatternOptions::regex())
                    .build(&with_control_format(bundle.clone()))
                    .unwrap_or_else(|error| panic!("the {doc_type} bundle compiles: {error}"));
                let mut found = HashMap::new();
                embedded_resources(bundle, &mut found);
                (
                    doc_type.to_owned(),
                    Compiled {
                        validator,
                        bundle,
                        resources: found,
                    },
                )
            })
            .collect()
    })
    .get(doc_type)
}

/// The guard against control characters the schemas set on member names and on strings
/// (`"not": {"pattern": "[\\x00-\\x1f\\x7f]"}`, on every class of the closed bundles), and the
/// format that asserts the same of a string with a byte scan instead of a regex search: the
/// compiled validator checks it on every member name of every object.
const CONTROL_PATTERN: &str = "[\\x00-\\x1f\\x7f]";
const CONTROL_FORMAT: &str = "x-guestkit-control-character";

fn has_control_character(text: &str) -> bool {
    text.bytes().any(|byte| byte < 0x20 || byte == 0x7f)
}

/// The bundle with each control-character pattern inside a `not` asserted by [`CONTROL_FORMAT`]:
/// the same verdicts and the same failing keyword (the `not`), so the same issues.
fn with_control_format(mut schema: Value) -> Value {
    match &mut schema {
        Value::Object(members) => {
            if let Some(Value::Object(negated)) = members.get_mut("not") {
                if negated.get("pattern").and_then(Value::as_str) == Some(CONTROL_PATTERN) {
                    negated.remove("pattern");
                    negated.insert("format".into(), CONTROL_FORMAT.into());
                }
            }
            for value in members.values_mut() {
                *value = with_control_format(std::mem::take(value));
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = with_control_format(std::mem::take(item));
            }
        }
        _ => {}
    }
    schema
}

/// Every schema object with an absolute `$id` in a bundle, by that `$id`.
fn embedded_resources(schema: &'static Value, found: &mut HashMap<String, &'static Value>) {
    match schema {
        Value::Object(members) => {
            if let Some(id) = members.get("$id").and_then(Value::as_str) {
                found.insert(id.trim_end_matches('#').to_owned(), schema);
            }
            members.values().for_each(|value| embedded_resources(value, found));
        }
        Value::Array(items) => items.iter().for_each(|value| embedded_resources(value, found)),
        _ => {}
    }
}

impl Compiled {
    /// The schema object holding the failing keyword of `error` (its `x-rule` sits beside it).
    fn schema_of(&self, error: &ValidationError) -> Option<&'static Value> {
        let location = error.absolute_keyword_location()?.as_str();
        let (resource, fragment) = location.split_once('#').unwrap_or((location, ""));
        let mut node = *self.resources.get(resource).unwrap_or(&self.bundle);
        let tokens: Vec<String> = fragment
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        for token in &tokens[..tokens.len().saturating_sub(1)] {
            node = match node {
                Value::Object(members) => members.get(token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Every schema issue of `document`, errors of the unknown-field lint included.
    pub(crate) fn issues(&self, document: &Value) -> Vec<Issue> {
        let mut issues = Vec::new();
        if self.validator.is_valid(document) {
            return issues; // nearly every document: is_valid stops at nothing to collect
        }
        for error in self.validator.iter_errors(document) {
            for cause in deepest_causes(&error) {
                self.issues_of(cause, &mut issues);
            }
        }
        issues
    }

    /// The issues one error makes: one, or one per member for `required` and `additionalProperties`.
    fn issues_of(&self, error: &ValidationError, issues: &mut Vec<Issue>) {
        let kind = error.kind();
        let keyword = kind.keyword();
        let schema = self.schema_of(error);
        let Some(rule) = rules::rule_of(keyword, schema) else {
            return;
        };
        let pointer = error.instance_path().as_str();
        match kind {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let why = if rule.id == "schema.required" {
                    String::new()
                } else {
                    format!(" ({})", rule.summary)
                };
                issues.push(Issue::new(
                    &rule.id,
                    child(pointer, name),
                    format!("required field '{name}' is missing{why}"),
                ));
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let declared = declared_fields(schema);
                for name in unexpected {
                    let message = unknown_fields::message(name, &declared);
                    issues.push(Issue::new(&rule.id, child(pointer, name), message));
                }
            }
            ValidationErrorKind::PropertyNames { error: inner } => {
                let name = inner.instance().as_str().unwrap_or_default().to_owned();
                let at = child(pointer, &name);
                let message = if rule.id == UNKNOWN_FIELD_RULE {
                    unknown_fields::message(&name, &declared_fields(schema))
                } else {
                    format!(
                        "{} is {}; expected {}",
                        subject(&at),
                        show(inner.instance()),
                        expectation(&rule.id, keyword, schema, error)
                    )
                };
                issues.push(Issue::new(&rule.id, at, message));
            }
            _ => {
                let message = format!(
                    "{} is {}; expected {}",
                    subject(pointer),
                    show(error.instance()),
                    expectation(&rule.id, keyword, schema, error)
                );
                issues.push(Issue::new(&rule.id, pointer, message));
            }
        }
    }
}

fn declared_fields(schema: Option<&Value>) -> Vec<String> {
    schema
        .and_then(|s| s["properties"].as_object())
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// Replace an `anyOf` error by the errors of the one branch the value was meant for: a branch
/// that failed only on its type at the value itself was not meant (a non-null value against
/// `{"type": "null"}`); when exactly one branch is left, its errors are the real causes.
fn deepest_causes<'e>(error: &'e ValidationError<'e>) -> Vec<&'e ValidationError<'e>> {
    let ValidationErrorKind::AnyOf { context } = error.kind() else {
        return vec![error];
    };
    let at = error.instance_path().as_str();
    let meant: Vec<&Vec<ValidationError<'static>>> = context
        .iter()
        .filter(|branch| {
            branch
                .iter()
                .any(|sub| sub.kind().keyword() != "type" || sub.instance_path().as_str() != at)
        })
        .collect();
    match meant.as_slice() {
        [branch] => branch.iter().flat_map(|sub| deepest_causes(sub)).collect(),
        _ => vec![error],
    }
}

/// What the failing keyword asks for, in words: the rule's `expected`, else the keyword table's.
fn expectation(rule_id: &str, keyword: &str, schema: Option<&Value>, error: &ValidationError) -> String {
    let rule: &Rule = rules::get(rule_id);
    if let Some(expected) = &rule.expected {
        return expected.clone();
    }
    let value = schema.and_then(|s| s.get(keyword)).cloned().unwrap_or(Value::Null);
    let expected = rules::keyword(keyword).and_then(|entry| entry.get("expected"));
    match expected {
        Some(Value::String(form)) if form == "{types}" => {
            if let ValidationErrorKind::AnyOf { context } = error.kind() {
                let types: Vec<Value> = context
                    .iter()
                    .flatten()
                    .filter(|sub| sub.kind().keyword() == "type")
                    .filter_map(|sub| type_value(sub))
                    .collect();
                return types_in_words(&Value::Array(types));
            }
            types_in_words(&value)
        }
        Some(Value::String(form)) if form == "{one_of}" => {
            let listed: Vec<String> = value.as_array().into_iter().flatten().map(python_json).collect();
            format!("one of {} (a closed set in v1)", listed.join(", "))
        }
        Some(Value::Array(forms)) => {
            let singular = value.as_u64() == Some(1) || forms.len() == 1;
            let form = forms[if singular { 0 } else { 1 }].as_str().unwrap_or_default();
            form.replace("{value}", &value.to_string())
        }
        _ => format!("a value that satisfies {keyword} {}", python_json(&value)),
    }
}

/// The `type` a type error's schema asks for.
fn type_value(error: &ValidationError) -> Option<Value> {
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let names: Vec<Value> = match kind {
                jsonschema::error::TypeKind::Single(one) => vec![Value::String(one.to_string())],
                jsonschema::error::TypeKind::Multiple(set) => {
                    set.iter().map(|t| Value::String(t.to_string())).collect()
                }
            };
            Some(Value::Array(names))
        }
        _ => None,
    }
}

fn types_in_words(types: &Value) -> String {
    let mut flat: Vec<String> = Vec::new();
    let mut add = |value: &Value| {
        let name = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        if !flat.contains(&name) {
            flat.push(name);
        }
    };
    match types {
        Value::Array(items) => items.iter().for_each(|item| match item {
            Value::Array(inner) => inner.iter().for_each(&mut add),
            other => add(other),
        }),
        other => add(other),
    }
    let word = |name: &str| match name {
        "object" => "an object".to_owned(),
        "array" => "an array".to_owned(),
        "string" => "a string".to_owned(),
        "integer" => "an integer".to_owned(),
        "number" => "a number".to_owned(),
        "boolean" => "a boolean".to_owned(),
        "null" => "null".to_owned(),
        other => other.to_owned(),
    };
    flat.iter().map(|name| word(name)).collect::<Vec<_>>().join(" or ")
}

/// A value as Python's `json.dumps` writes it (", " and ": " between items), for messages.
fn python_json(value: &Value) -> String {
    match value {
        Value::Array(items) => format!("[{}]", items.iter().map(python_json).collect::<Vec<_>>().join(", ")),
        Value::Object(members) => {
            let inner: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), python_json(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_control_format_asserts_what_the_pattern_does() {
        let pattern = regex::Regex::new(CONTROL_PATTERN).unwrap();
        for code in (0..0x300).chain([0x2028, 0xfeff]) {
            let text = format!("a{}b", char::from_u32(code).unwrap());
            assert_eq!(has_control_character(&text), pattern.is_match(&text), "U+{code:04X}");
        }
    }

    #[test]
    fn the_bundle_has_no_control_pattern_left_and_keeps_every_not() {
        let bundle = resources::bundle("job", true).unwrap();
        let text = bundle.to_string();
        let swapped = with_control_format(bundle.clone()).to_string();
        assert_eq!(swapped.matches("\"not\"").count(), text.matches("\"not\"").count());
        let guards = text.matches(&serde_json::to_string(CONTROL_PATTERN).unwrap()).count();
        assert!(guards > 30, "only {guards} control-character guards");
        assert_eq!(swapped.matches(CONTROL_FORMAT).count(), guards);
        assert!(!swapped.contains(&serde_json::to_string(CONTROL_PATTERN).unwrap()));
    }
}
