//! The validation pipeline: strict decoding, schema (with the unknown-field lint), code-only
//! rules, then the report, in the Python package's report order.

use serde_json::Value;

use crate::decode::{check_value, decode, Limits};
use crate::report::{Issue, Report};
use crate::{code_rules, doctype, number_form, resources, schema};

/// The type that tells a document's type from its member names.
pub const AUTO: &str = "auto";

/// How to validate: the document type, strict mode and the decoding limits.
#[derive(Clone, Debug)]
pub struct Options {
    /// `job` (the default), `result`, `progress`, `worker`, `lease`, `cancel`, or [`AUTO`].
    pub doc_type: String,
    /// Turn the warnings about unknown fields and unregistered payload types into errors.
    pub strict: bool,
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            doc_type: "job".to_owned(),
            strict: false,
            limits: Limits::default(),
        }
    }
}

impl Options {
    /// Options for a document of `doc_type`, not strict, with the default limits.
    pub fn of_type(doc_type: &str) -> Options {
        Options {
            doc_type: doc_type.to_owned(),
            ..Options::default()
        }
    }
}

/// An unknown document type was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownType(pub String);

impl std::fmt::Display for UnknownType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known = [resources::document_types(), vec![AUTO]].concat().join(", ");
        write!(f, "unknown document type {:?}; expected one of {known}", self.0)
    }
}

impl std::error::Error for UnknownType {}

/// Validate one protocol document given as the bytes of its JSON text, and report every
/// error and warning. Undecodable, oversized or malformed input gives a report with errors.
pub fn validate(data: &[u8], options: &Options) -> Result<Report, UnknownType> {
    check_type(&options.doc_type)?;
    let decoded = decode(data, &options.limits);
    let given = (options.doc_type != AUTO).then_some(options.doc_type.as_str());
    match decoded.value {
        Some(document) if decoded.issues.is_empty() => {
            Ok(validate_decoded(document, options, Some(decoded.has_doubles)))
        }
        _ => Ok(Report::of(given, decoded.issues, options.strict, None)),
    }
}

/// Validate a document already decoded (a `serde_json::Value` built in memory, say): the
/// decoding checks that apply to a value (ranges, limits), then the same pipeline.
pub fn validate_value(document: &Value, options: &Options) -> Result<Report, UnknownType> {
    check_type(&options.doc_type)?;
    let issues = check_value(document, &options.limits);
    if !issues.is_empty() {
        let given = (options.doc_type != AUTO).then_some(options.doc_type.as_str());
        return Ok(Report::of(given, issues, options.strict, None));
    }
    Ok(validate_decoded(document.clone(), options, None))
}

fn check_type(doc_type: &str) -> Result<(), UnknownType> {
    if doc_type == AUTO || resources::document_types().contains(&doc_type) {
        Ok(())
    } else {
        Err(UnknownType(doc_type.to_owned()))
    }
}

/// `has_doubles`: whether the text has a number read as a double, when the decoder knows.
fn validate_decoded(document: Value, options: &Options, has_doubles: Option<bool>) -> Report {
    let doc_type = if options.doc_type == AUTO {
        match detect_or_explain(&document) {
            Ok(found) => found,
            Err(issue) => return Report::of(None, vec![issue], options.strict, Some(document)),
        }
    } else {
        resources::document_types()
            .into_iter()
            .find(|t| *t == options.doc_type)
            .expect("checked")
    };
    let compiled = schema::compiled(doc_type).expect("a validator per document type");
    let (mut issues, unknown): (Vec<Issue>, Vec<Issue>) = compiled
        .issues(&document)
        .into_iter()
        .partition(|issue| issue.rule != "document.unknown-field");
    issues.sort_by(|a, b| (&a.pointer, &a.rule).cmp(&(&b.pointer, &b.rule)));
    issues.extend(code_rules::code_issues(&document, doc_type));
    if has_doubles != Some(false) {
        issues.extend(number_form::integer_form_issues(&document, compiled));
    }
    issues.extend(unknown);
    let mut report = Report::of(Some(doc_type), issues, options.strict, Some(document));
    if options.doc_type != AUTO {
        hint_other_type(&mut report, doc_type);
    }
    report
}

/// The document's type told from its members, or the issue that says why it cannot be told.
fn detect_or_explain(document: &Value) -> Result<&'static str, Issue> {
    if !document.is_object() {
        let message = format!("the document is {}; expected an object", crate::report::show(document));
        return Err(Issue::new("schema.type", "", message));
    }
    doctype::detect(document).ok_or_else(|| {
        let titles: Vec<String> = resources::document_types()
            .into_iter()
            .map(|t| resources::index()["documents"][t]["title"].as_str().unwrap_or_default().to_lowercase())
            .collect();
        let names = format!("{} or {}", titles[..titles.len() - 1].join(", "), titles[titles.len() - 1]);
        Issue::new(
            "document.type-unknown",
            "",
            format!(
                "cannot tell which protocol document this is ({names}): a type is told from its identifier ({}) and more than half of its required members; give the type explicitly (--type)",
                doctype::identifiers().join(", ")
            ),
        )
    })
}

/// A document of another type, validated as `given`, fails on the fields that type requires:
/// the first of those errors says which type the document looks like.
fn hint_other_type(report: &mut Report, given: &str) {
    if report.valid {
        return;
    }
    let Some(looks_like) = report.document.as_ref().and_then(doctype::detect) else {
        return;
    };
    if looks_like == given {
        return;
    }
    let title = |t: &str| {
        resources::index()["documents"][t]["title"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
    };
    if let Some(issue) = report
        .errors
        .iter_mut()
        .find(|i| i.rule == "schema.required" && i.pointer.matches('/').count() == 1)
    {
        issue.message = format!(
            "{} (this looks like a {}, not a {}: validate it with type='{looks_like}', or --type {looks_like} on the command line)",
            issue.message,
            title(looks_like),
            title(given)
        );
    }
}
