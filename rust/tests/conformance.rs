//! The Rust runner of the conformance suite: every case of tests/conformance/cases/.
//!
//! Document and text cases go through `validate()`: the verdict must be the case's, and every
//! expected (rule, pointer) must be reported, errors and warnings apart (a case lists the pairs
//! a conforming implementation reports at least). With GUESTKIT_REFERENCE_REPORTS naming the
//! Python package's reports of the cases (tests/conformance/reports.py, which make conformance
//! runs), each report must also hold exactly Python's pairs. Transition, match and trace cases
//! must report exactly the case's issues (a trace its first breaking step only). Prints one
//! line per failure and a closing "N passed, N failed".

mod support;

use std::collections::BTreeSet;

use guestkit_job_spec::{check_trace, check_transition, decode, fingerprint, match_worker, validate, Issue, Limits};
use serde_json::Value;
use support::{cases, cases_dir, input, options};

fn pairs(issues: impl IntoIterator<Item = (String, String)>) -> BTreeSet<(String, String)> {
    issues.into_iter().collect()
}

fn expected(case: &Value, key: &str) -> BTreeSet<(String, String)> {
    pairs(case[key].as_array().unwrap().iter().map(|i| {
        (
            i["rule"].as_str().unwrap().to_owned(),
            i["pointer"].as_str().unwrap().to_owned(),
        )
    }))
}

fn reported(issues: &[Issue]) -> BTreeSet<(String, String)> {
    pairs(issues.iter().map(|i| (i.rule.clone(), i.pointer.clone())))
}

/// The Python package's reports of the document and text cases, by case id, when given.
fn reference_reports() -> Option<Value> {
    let path = std::env::var_os("GUESTKIT_REFERENCE_REPORTS")?;
    Some(serde_json::from_slice(&std::fs::read(path).expect("the reference reports")).expect("JSON"))
}

fn judge_document(case: &Value, reference: Option<&Value>, worded_alike: &mut usize) -> Vec<String> {
    let report = validate(&input(case), &options(case)).expect("a known document type");
    let mut problems = Vec::new();
    if report.valid != case["valid"].as_bool().unwrap() {
        problems.push(format!(
            "validate() says {}",
            if report.valid { "valid" } else { "invalid" }
        ));
    }
    for (key, issues) in [("errors", &report.errors), ("warnings", &report.warnings)] {
        let (want, got) = (expected(case, key), reported(issues));
        for (rule, pointer) in want.difference(&got) {
            problems.push(format!("misses {key} {rule} at \"{pointer}\""));
        }
    }
    if let Some(python) = reference {
        for (key, issues) in [("errors", &report.errors), ("warnings", &report.warnings)] {
            let (want, got) = (expected(python, key), reported(issues));
            if want != got {
                problems.push(format!("{key} {got:?}, the Python package's {want:?}"));
            }
        }
        let worded = |issues: &[Issue]| serde_json::to_value(issues).unwrap();
        if python["errors"] == worded(&report.errors) && python["warnings"] == worded(&report.warnings) {
            *worded_alike += 1;
        }
    }
    problems
}

/// A transition, match or trace case: exactly the expected issues, and so the verdict.
fn judge_issues(case: &Value, issues: Vec<Issue>) -> Vec<String> {
    let mut problems = Vec::new();
    if issues.is_empty() != case["valid"].as_bool().unwrap() {
        problems.push(format!("says {}", if issues.is_empty() { "valid" } else { "invalid" }));
    }
    let (want, got) = (expected(case, "errors"), reported(&issues));
    if want != got {
        problems.push(format!("reports {got:?}, expected {want:?}"));
    }
    problems
}

#[test]
fn every_conformance_case() {
    let (mut passed, mut failed, mut worded_alike) = (0, 0, 0);
    let reference = reference_reports();
    for case in cases(&cases_dir()) {
        let problems = match case["kind"].as_str().unwrap() {
            "document" | "text" => {
                let python = reference
                    .as_ref()
                    .map(|all| all.get(case["id"].as_str().unwrap()).expect("a reference report"));
                judge_document(&case, python, &mut worded_alike)
            }
            "transition" => {
                let (from, to) = (
                    case["transition"]["from"].as_str().unwrap(),
                    case["transition"]["to"].as_str().unwrap(),
                );
                judge_issues(&case, check_transition(from, to).into_iter().collect())
            }
            "match" => judge_issues(&case, match_worker(&case["job"], &case["worker"], None)),
            "trace" => judge_issues(&case, check_trace(&case).expect("a well-formed trace")),
            other => panic!("unknown case kind {other}"),
        };
        if problems.is_empty() {
            passed += 1;
        } else {
            failed += 1;
            println!("FAIL {}: {}", case["id"].as_str().unwrap(), problems.join(", "));
        }
    }
    if let Some(all) = &reference {
        let compared = all.as_object().unwrap().len();
        println!("reports held to the Python package's, pair for pair: {compared}; worded alike, in the same order: {worded_alike}");
    }
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0, "{failed} conformance cases failed");
}

/// The fingerprint vectors (tests/conformance/fingerprints.json): the text through the strict
/// decoder, then `fingerprint()`: the digest, or the refusal the vector names.
#[test]
fn every_fingerprint_vector() {
    let path = cases_dir().join("../fingerprints.json");
    let file: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let (mut passed, mut failed) = (0, 0);
    for vector in file["vectors"].as_array().unwrap() {
        let decoded = decode(vector["text"].as_str().unwrap().as_bytes(), &Limits::default());
        let got = match (decoded.value, decoded.issues.first()) {
            (_, Some(issue)) => format!("refused: decoding ({})", issue.rule),
            (Some(job), None) => fingerprint(&job).unwrap_or_else(|_| "refused: number".to_owned()),
            (None, None) => unreachable!("a value or an issue"),
        };
        let expected = match vector["refused"].as_str() {
            Some("decoding") => format!("refused: decoding ({})", vector["rule"].as_str().unwrap()),
            Some(other) => format!("refused: {other}"),
            None => vector["fingerprint"].as_str().unwrap().to_owned(),
        };
        if got == expected {
            passed += 1;
        } else {
            failed += 1;
            println!("FAIL {}: {got}, expected {expected}", vector["id"].as_str().unwrap());
        }
    }
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0, "{failed} fingerprint vectors failed");
}
