//! The protocol's data files, embedded in the crate (copies of schemas/ and bundles/ that
//! `make gen` places in rust/data/ and drift-checks), each parsed once on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::generated::embedded::FILES;

/// The text of an embedded file, by its path below `rust/data/` (`schemas/job-v1.json`,
/// `bundles/job-v1.closed.bundle.json`); `None` for a file the crate does not carry.
pub fn file(path: &str) -> Option<&'static str> {
    FILES.iter().find(|(name, _)| *name == path).map(|(_, text)| *text)
}

fn parsed(path: &str) -> Value {
    serde_json::from_str(file(path).unwrap_or_else(|| panic!("{path} is not embedded"))).expect("embedded JSON parses")
}

macro_rules! cached {
    ($(#[$doc:meta])* $name:ident, $path:expr) => {
        $(#[$doc])*
        pub fn $name() -> &'static Value {
            static CELL: OnceLock<Value> = OnceLock::new();
            CELL.get_or_init(|| parsed(&$path))
        }
    };
}

cached!(
    /// `schemas/index.json`: the documents, payload types and data files of the protocol.
    index, "schemas/index.json"
);
cached!(
    /// The rules registry, `schemas/rules-v1.json`.
    rules_registry, format!("schemas/{}", index()["rules"].as_str().unwrap())
);
cached!(
    /// The keyword table, `schemas/keywords-v1.json`: each keyword's generic rule.
    keyword_table, format!("schemas/{}", index()["keywords"].as_str().unwrap())
);
cached!(
    /// The job state machine, `schemas/job-states-v1.json`.
    state_machine, format!("schemas/{}", index()["state_machine"].as_str().unwrap())
);
cached!(
    /// The common definitions, `schemas/common-v1.json`.
    common, format!("schemas/{}", index()["definitions"]["common"]["file"].as_str().unwrap())
);

/// The index's documents and payload types in the index's order, which messages follow (a
/// `serde_json::Map` sorts its keys).
#[derive(serde::Deserialize)]
struct Ordered {
    documents: indexmap::IndexMap<String, Value>,
    payloads: indexmap::IndexMap<String, Value>,
}

fn ordered() -> &'static Ordered {
    static CELL: OnceLock<Ordered> = OnceLock::new();
    CELL.get_or_init(|| serde_json::from_str(file("schemas/index.json").expect("the index")).expect("the index"))
}

/// The document types, in the index's order (job, result, progress, worker, lease, cancel).
pub fn document_types() -> Vec<&'static str> {
    ordered().documents.keys().map(String::as_str).collect()
}

/// The registered payload types (`guestkit.inspect.v1`...) and the index entry of each, in the index's order.
pub fn payload_types() -> &'static indexmap::IndexMap<String, Value> {
    &ordered().payloads
}

/// The single-file schema of a document type, as in bundles/; `closed`: the variant that
/// rejects unknown fields (the unknown-field lint).
pub fn bundle(doc_type: &str, closed: bool) -> Option<&'static Value> {
    static CELLS: OnceLock<HashMap<(String, bool), Value>> = OnceLock::new();
    let all = CELLS.get_or_init(|| {
        let mut all = HashMap::new();
        for (name, entry) in index()["documents"].as_object().expect("index documents") {
            let file = entry["file"].as_str().expect("document file");
            for closed in [false, true] {
                let suffix = if closed { ".closed.bundle.json" } else { ".bundle.json" };
                let path = format!("bundles/{}", file.replace(".json", suffix));
                all.insert((name.clone(), closed), parsed(&path));
            }
        }
        all
    });
    all.get(&(doc_type.to_owned(), closed))
}

/// A pattern of common-v1.json, compiled (the protocol anchors its patterns with ^ and $).
pub(crate) fn common_pattern(name: &str) -> regex::Regex {
    regex::Regex::new(common()["$defs"][name]["pattern"].as_str().expect("a pattern")).expect("a portable pattern")
}
