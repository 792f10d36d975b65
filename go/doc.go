// Package jobspec is the guestkit job protocol v1 for Go: the schemas and bundles
// embedded, typed documents generated from the schemas, and Validate, which reports the
// rule ids and JSON Pointers the Python package and the npm package report, pinned by the
// same conformance suite (tests/conformance/). MatchWorker and CheckTransition answer
// what a scheduler asks: can this worker run this job, may this job move to that status.
//
// See the module's README.md for a job of every payload type built and validated.
package jobspec
