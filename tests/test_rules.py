"""What the rules report beyond a verdict: messages, hints, pointers, de-duplication.

Which documents break which rule, and their valid neighbours, are conformance cases
(tests/conformance/); these tests pin how the Python package words and places them.
"""

from __future__ import annotations

import json

import pytest

from conftest import DELETE, example, mutate
from guestkit_job_spec import check_capabilities, validate

JOB, FIX, RESULT_OK, RESULT_FAILED, WORKER = (
    "inspect-minimal.json",
    "fix-offline.json",
    "result-completed.json",
    "result-failed.json",
    "worker-registration.json",
)


def test_unknown_field_hint_names_the_close_known_field() -> None:
    (warning,) = validate(mutate(example(JOB), {"/metadata/nmae": "x"})).warnings
    assert "did you mean 'name'?" in warning.message
    (far,) = validate(mutate(example(JOB), {"/metadata/zzz": "x"})).warnings
    assert "did you mean" not in far.message


def test_unknown_fields_are_linted_inside_the_payload_schema_the_type_selects() -> None:
    fix = mutate(example(FIX), {"/payload/data/operations/0/options/autorepair": True})
    (warning,) = validate(fix).warnings
    assert warning.pointer == "/payload/data/operations/0/options/autorepair"
    assert "did you mean 'auto_repair'?" in warning.message


def test_unregistered_payload_data_is_not_linted() -> None:
    job = mutate(example(JOB), {"/payload/type": "guestkit.inspect.v9", "/payload/data/anything": 1})
    assert [w.rule for w in validate(job).warnings] == ["job.payload-type.unregistered"]


def test_free_form_objects_are_not_linted() -> None:
    result = mutate(example("result-failed.json"), {"/error/details/whatever": 1})
    assert validate(result, type="result", strict=True).valid


def test_three_problems_give_three_errors() -> None:
    job = mutate(example(JOB), {"/version": "2", "/kind": "Job", "/execution/priority": 0})
    assert {i.rule for i in validate(job).errors} == {"job.version", "job.kind", "execution.priority.range"}


def test_the_same_rule_at_the_same_place_is_reported_once() -> None:
    """An empty version breaks both the non-empty and the semver pattern; a newline breaks
    the pattern only in ECMA engines and the guard in all: each rule appears once."""
    job = mutate(example(JOB), {"/job_id": "job-1234\n"})
    assert [(i.rule, i.pointer) for i in validate(job).errors] == [("job.job-id.charset", "/job_id")]


def test_messages_say_what_was_found_and_what_is_expected() -> None:
    job = mutate(example(FIX), {"/payload/data/image/checksum": "sha256:abc123..."})
    (error,) = validate(job).errors
    assert error.message == (
        "'checksum' is \"sha256:abc123...\"; expected 'sha256:' followed by 64 lower-case hexadecimal digits"
    )


def test_deepest_cause_is_reported_not_the_nullable_wrapper() -> None:
    job = mutate(example(JOB), {"/execution/deadline": "tomorrow"})
    assert [(i.rule, i.pointer) for i in validate(job).errors] == [("timestamp.rfc3339", "/execution/deadline")]


def test_wrong_type_for_a_nullable_section_names_both_types() -> None:
    (error,) = validate(mutate(example(JOB), {"/metadata": 5})).errors
    assert (error.rule, error.pointer) == ("schema.type", "/metadata")
    assert error.message == "'metadata' is 5; expected an object or null"


def test_document_type_is_told_from_the_fields() -> None:
    for name, doc_type in [
        (JOB, "job"),
        (RESULT_OK, "result"),
        ("progress-disk-inspection.json", "progress"),
        (WORKER, "worker"),
    ]:
        assert validate(example(name), type="auto").doc_type == doc_type
    # An upstream job that lacks created_at is still recognised as a job.
    assert validate(mutate(example(JOB), {"/created_at": DELETE}), type="auto").doc_type == "job"


def test_document_of_no_known_type() -> None:
    report = validate(b'{"hello": "world"}', type="auto")
    assert [(i.rule, i.pointer) for i in report.errors] == [("document.type-unknown", "")]


def test_unknown_type_argument_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown document type 'jobs'"):
        validate(b"{}", type="jobs")


def test_capability_check_names_what_is_missing() -> None:
    assert check_capabilities(["guestkit.inspect"], ["guestkit.inspect", "guestkit.fix"]) is None
    issue = check_capabilities(["guestkit.inspect", "fs.xfs", "fs.xfs", "lvm"], ["guestkit.inspect", "LVM"])
    assert issue is not None and issue.rule == "scheduling.capability.missing"
    assert issue.message == "the worker lacks 2 required capabilities: 'fs.xfs', 'lvm'"


def test_an_integer_written_with_a_fraction_is_named_with_its_integer_form() -> None:
    """json.integer-form, from the text and from a decoded mapping alike (a Python producer's 5.0)."""
    job = mutate(example(JOB), {"/execution/priority": 5.0})
    for document in (job, json.dumps(job).encode()):
        report = validate(document)
        assert report.valid
        (warning,) = report.warnings
        assert (warning.rule, warning.pointer) == ("json.integer-form", "/execution/priority")
        assert warning.message == (
            "'priority' is an integer written with a fraction or an exponent; valid, but decoders that read "
            "integers into integer types (Go's encoding/json, Rust's serde_json) refuse it: write it 5"
        )
    huge = validate(mutate(example(JOB), {"/payload/data/image/size_bytes": 1e300})).warnings
    assert [w.message.rsplit(": ", 1)[-1] for w in huge] == ["no 64-bit integer holds it"]
