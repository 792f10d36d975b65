//! Every valid document of the conformance suite and every example of examples/ parses into
//! the generated types and serialises back to the same JSON value: unknown members, nulls and
//! number forms kept, nothing added.

mod support;

use std::fs;
use std::path::Path;

use guestkit_job_spec::types::{CancelRequest, Job, JobResult, Lease, ProgressEvent, WorkerRegistration};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

fn round_trip<T: DeserializeOwned + Serialize>(document: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(document.clone()).map_err(|e| format!("does not parse: {e}"))?;
    serde_json::to_value(&typed).map_err(|e| format!("does not serialise: {e}"))
}

/// The document back through the type of `doc_type`.
fn through_type(doc_type: &str, document: &Value) -> Result<Value, String> {
    match doc_type {
        "job" => round_trip::<Job>(document),
        "result" => round_trip::<JobResult>(document),
        "progress" => round_trip::<ProgressEvent>(document),
        "worker" => round_trip::<WorkerRegistration>(document),
        "lease" => round_trip::<Lease>(document),
        "cancel" => round_trip::<CancelRequest>(document),
        other => Err(format!("no type for {other}")),
    }
}

fn check(id: &str, doc_type: &str, document: &Value, failures: &mut Vec<String>) {
    match through_type(doc_type, document) {
        Ok(back) if &back == document => {}
        Ok(back) => failures.push(format!("{id}: comes back as {back}")),
        Err(problem) => failures.push(format!("{id}: {problem}")),
    }
}

#[test]
fn every_valid_document_case_round_trips() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in support::cases(&support::cases_dir()) {
        let id = case["id"].as_str().unwrap();
        if case["kind"] == "document" && case["valid"] == true {
            checked += 1;
            check(id, case["type"].as_str().unwrap(), &case["document"], &mut failures);
        }
        // A valid text whose integers are all in integer form (5, not 5.0 or 5e0: json.integer-form
        // says serde_json refuses those into an i64, and so do these types).
        let integer_form = case["warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|w| w["rule"] == "json.integer-form");
        if case["kind"] == "text" && case["valid"] == true && !integer_form {
            let report = guestkit_job_spec::validate(&support::input(&case), &support::options(&case)).unwrap();
            checked += 1;
            check(
                id,
                report.doc_type.as_deref().unwrap(),
                report.document.as_ref().unwrap(),
                &mut failures,
            );
        }
    }
    assert!(checked > 250, "only {checked} valid document cases");
    assert!(
        failures.is_empty(),
        "{} of {checked} do not round-trip:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_example_round_trips() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut failures = Vec::new();
    // examples/ and its folders (examples/runtime/: the runtime's jobs), as `validate examples/` reads them.
    let mut folders = vec![examples];
    let mut paths = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().and_then(|e| e.to_str()) == Some("json") {
                paths.push(path);
            }
        }
    }
    assert!(paths.len() > 20, "examples/ holds {} documents", paths.len());
    for path in paths {
        let document: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let options = guestkit_job_spec::Options::of_type(guestkit_job_spec::AUTO);
        let report = guestkit_job_spec::validate(&fs::read(&path).unwrap(), &options).unwrap();
        let doc_type = report.doc_type.expect("every example's type is told by its members");
        check(&path.display().to_string(), &doc_type, &document, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
