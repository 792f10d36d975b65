//! Reading the conformance cases (tests/conformance/cases/): shared by the runner
//! (tests/conformance.rs) and the round trip (tests/round_trip.rs), each of which uses a part.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use guestkit_job_spec::{Limits, Options};
use serde_json::Value;

/// The suite's folder of cases, from the crate's folder.
pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/cases")
}

/// Every case of every file of `dir`, files in name order.
pub fn cases(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("the cases folder")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .flat_map(|path| {
            let file: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
            file["cases"].as_array().unwrap().clone()
        })
        .collect()
}

/// The bytes a scheduler would receive for a document or text case.
pub fn input(case: &Value) -> Vec<u8> {
    if let Some(text) = case["text"].as_str() {
        return text.as_bytes().to_vec();
    }
    if let Some(encoded) = case["base64"].as_str() {
        return base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("base64");
    }
    serde_json::to_vec(&case["document"]).unwrap()
}

/// The validation options of a document or text case: its type, strict flag and limits.
pub fn options(case: &Value) -> Options {
    let mut limits = Limits::default();
    for (name, value) in case["limits"].as_object().into_iter().flatten() {
        let value = value.as_u64().unwrap() as usize;
        match name.as_str() {
            "max_document_bytes" => limits.max_document_bytes = value,
            "max_depth" => limits.max_depth = value,
            "max_string_length" => limits.max_string_length = value,
            "max_container_entries" => limits.max_container_entries = value,
            other => panic!("unknown limit {other}"),
        }
    }
    Options {
        doc_type: case["type"].as_str().unwrap().to_owned(),
        strict: case["strict"].as_bool().unwrap_or(false),
        limits,
    }
}
