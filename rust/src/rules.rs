//! The rules registry (`schemas/rules-v1.json`) and the keyword table's generic rules: where
//! every rule id, severity and expectation comes from. Nothing here is kept by hand.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::report::Severity;
use crate::resources;

/// One rule of the registry.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    pub strict_severity: Option<Severity>,
    pub layer: String,
    pub summary: String,
    pub expected: Option<String>,
}

fn severity_of(value: &Value) -> Option<Severity> {
    match value.as_str()? {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        other => panic!("unknown severity {other}"),
    }
}

fn all() -> &'static HashMap<String, Rule> {
    static RULES: OnceLock<HashMap<String, Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let text = |entry: &Value, key: &str| entry[key].as_str().map(str::to_owned);
        resources::rules_registry()["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .map(|entry| {
                let rule = Rule {
                    id: text(entry, "id").expect("rule id"),
                    severity: severity_of(&entry["severity"]).expect("rule severity"),
                    strict_severity: severity_of(&entry["strict_severity"]),
                    layer: text(entry, "layer").unwrap_or_default(),
                    summary: text(entry, "summary").unwrap_or_default(),
                    expected: text(entry, "expected"),
                };
                (rule.id.clone(), rule)
            })
            .collect()
    })
}

/// The rule with this id; panics on an id the registry lacks (a bug of this crate).
pub fn get(id: &str) -> &'static Rule {
    all()
        .get(id)
        .unwrap_or_else(|| panic!("rule {id} is not in the registry"))
}

/// A finding's severity under `rule`, in strict mode or not.
pub fn severity(rule: &str, strict: bool) -> Severity {
    let rule = get(rule);
    match (strict, rule.strict_severity) {
        (true, Some(severity)) => severity,
        _ => rule.severity,
    }
}

/// The keyword table's entry for a schema keyword.
pub(crate) fn keyword(name: &str) -> Option<&'static Value> {
    resources::keyword_table()["keywords"].get(name)
}

/// The rule a failing schema keyword enforces: the `x-rule` annotation beside it in its schema
/// object, else the keyword's generic rule; `None` for keywords no rule covers (applicators).
pub fn rule_of(keyword_name: &str, schema: Option<&Value>) -> Option<&'static Rule> {
    if let Some(annotated) = schema.and_then(|s| s.get("x-rule")).and_then(|x| x.get(keyword_name)) {
        return Some(get(annotated.as_str().expect("x-rule names a rule id")));
    }
    keyword(keyword_name)?.get("rule")?.as_str().map(get)
}
