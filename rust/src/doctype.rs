//! Telling a document's type from its member names (docs/decisions.md, "Telling the document
//! type"): a type is told only when the document has every one of that type's identifiers
//! (its required `*_id` members) and more than half of its required top-level members; of
//! the types that qualify, the one whose required members the document has the largest
//! share of. A tie, or no type qualifying, is unknown: never a guess.

use std::sync::OnceLock;

use serde_json::Value;

use crate::resources;

struct Signature {
    doc_type: &'static str,
    required: Vec<&'static str>,
    identifiers: Vec<&'static str>,
}

fn signatures() -> &'static [Signature] {
    static ALL: OnceLock<Vec<Signature>> = OnceLock::new();
    ALL.get_or_init(|| {
        resources::document_types()
            .into_iter()
            .map(|doc_type| {
                let bundle = resources::bundle(doc_type, false).expect("a bundle per type");
                let class = bundle["$ref"]
                    .as_str()
                    .and_then(|r| r.rsplit('/').next())
                    .expect("the root names its class");
                let required: Vec<&str> = bundle["$defs"][class]["required"]
                    .as_array()
                    .expect("required")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                let identifiers = required.iter().copied().filter(|name| name.ends_with("_id")).collect();
                Signature {
                    doc_type,
                    required,
                    identifiers,
                }
            })
            .collect()
    })
}

/// Every type's identifiers, sorted: what a message about an unknown type names.
pub(crate) fn identifiers() -> Vec<&'static str> {
    let mut all: Vec<&str> = signatures()
        .iter()
        .flat_map(|s| s.identifiers.iter().copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The document's type by the rule above; `None` when it is not an object or no type is told.
pub fn detect(document: &Value) -> Option<&'static str> {
    let members = document.as_object()?;
    let mut best = None;
    let (mut best_found, mut best_size, mut tied) = (0, 1, false);
    for signature in signatures() {
        if !signature.identifiers.iter().all(|name| members.contains_key(*name)) {
            continue;
        }
        let found = signature
            .required
            .iter()
            .filter(|name| members.contains_key(**name))
            .count();
        if found < signature.required.len() / 2 + 1 {
            continue;
        }
        let size = signature.required.len();
        if found * best_size > best_found * size {
            (best, best_found, best_size, tied) = (Some(signature.doc_type), found, size, false);
        } else if found * best_size == best_found * size {
            tied = true;
        }
    }
    if tied {
        None
    } else {
        best
    }
}
