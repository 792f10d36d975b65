//! Every document and text case of the conformance suite through `validate()`, printed as one
//! JSON object mapping case id to report (`{type, valid, errors, warnings}`): what
//! tests/conformance/rust_agreement.py compares with the Python package's reports.
//!
//! cargo run --example reports

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;

use guestkit_job_spec::validate;

fn main() {
    let mut reports = BTreeMap::new();
    for case in support::cases(&support::cases_dir()) {
        if matches!(case["kind"].as_str(), Some("document" | "text")) {
            let report = validate(&support::input(&case), &support::options(&case)).expect("a known type");
            reports.insert(case["id"].as_str().expect("id").to_owned(), report);
        }
    }
    println!("{}", serde_json::to_string(&reports).expect("reports serialise"));
}
