//! The guestkit job protocol v1 for Rust: the contract of `schemas/`, where the upstream
//! worker lives.
//!
//! - [`types`]: serde types generated from the schemas (`make gen`), one per schema class;
//! - [`validate`]: strict decoding, the schemas, the code-only rules and the unknown-field
//!   lint, reported under the rule ids every other runner of the conformance suite reports;
//! - [`JobBuilder`] and the payload helpers; [`match_worker`]; [`check_transition`];
//!   [`check_trace`]; [`fingerprint`].
//!
//! ```
//! use guestkit_job_spec::builder::inspect_job;
//! use guestkit_job_spec::{validate, Options};
//!
//! let job = inspect_job("/vms/web-01.qcow2").priority(8).build().unwrap();
//! let text = serde_json::to_vec(&job).unwrap();
//! let report = validate(&text, &Options::default()).unwrap();
//! assert!(report.valid);
//!
//! let report = validate(br#"{"version": "2.0"}"#, &Options::default()).unwrap();
//! assert!(report.errors.iter().any(|issue| issue.rule == "job.version" && issue.pointer == "/version"));
//! ```

pub mod builder;
mod code_rules;
mod decode;
mod doctype;
mod fingerprint;
mod generated;
mod lifecycle;
mod nullable;
mod number_form;
mod report;
pub mod resources;
pub mod rules;
mod scheduling;
mod schema;
mod states;
mod timestamps;
mod unknown_fields;
mod validate;

pub use builder::{
    compare_job, convert_job, fix_job, generate_job_id, image_format, inspect_job, profile_job, BuildError, JobBuilder,
};
pub use decode::{decode, Decoded, Limits, DECODER_MAX_DEPTH};
pub use doctype::detect;
pub use fingerprint::{fingerprint, NoFingerprint, EXACT_NUMBERS};
pub use generated::types;
pub use lifecycle::{check_trace, TraceError};
pub use report::{Issue, Report, Severity};
pub use scheduling::{check_capabilities, compare_versions, match_worker, missing_capabilities};
pub use states::{allowed_transitions, check_transition, is_terminal};
pub use validate::{validate, validate_value, Options, UnknownType, AUTO};
