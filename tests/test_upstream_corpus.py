"""The 14 documents upstream shipped get exactly the verdicts of corpus/upstream/EXPECTED.md."""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS
from guestkit_job_spec import validate
from guestkit_job_spec.protocol import resources

CHECKSUM = [("checksum.format", "/payload/data/image/checksum")]
NO_CREATED_AT = [("schema.required", "/created_at")]

# file: the errors without --strict. Each also draws job.payload-type.unregistered, a warning
# (an error under --strict), while its payload type has no registered schema.
EXPECTED = {
    "inspect-minimal.json": [],
    "inspect-full.json": [],
    "profile-security.json": CHECKSUM,
    "fix-offline.json": CHECKSUM,
    "worker-echo-test.json": [],
    "worker-guestkit-agent-call-basic.json": NO_CREATED_AT,
    "worker-guestkit-agent-doctor-basic.json": NO_CREATED_AT,
    "worker-guestkit-agent-evidence-basic.json": NO_CREATED_AT,
    "worker-guestkit-doctor-basic.json": [],
    "worker-guestkit-inspect-basic.json": [],
    "worker-guestkit-inspect-full.json": [],
    "worker-guestkit-migrate-plan-basic.json": [],
    "worker-guestkit-profile-security.json": [],
    "worker-guestkit-repair-basic.json": [],
}


def unregistered(name: str) -> list[tuple[str, str]]:
    payload_type = json.loads((CORPUS / name).read_bytes())["payload"]["type"]
    return [] if payload_type in resources.payload_types() else [("job.payload-type.unregistered", "/payload/type")]


def test_the_corpus_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_verdict(name: str) -> None:
    errors, warnings = EXPECTED[name], unregistered(name)
    report = validate((CORPUS / name).read_bytes())
    assert [(i.rule, i.pointer) for i in report.errors] == errors
    assert [(i.rule, i.pointer) for i in report.warnings] == warnings
    assert report.valid is (not errors)


@pytest.mark.parametrize("name", EXPECTED)
def test_verdict_under_strict(name: str) -> None:
    """Under --strict the documents valid with a warning become invalid."""
    errors, warnings = EXPECTED[name], unregistered(name)
    report = validate((CORPUS / name).read_bytes(), strict=True)
    assert [(i.rule, i.pointer) for i in report.errors] == errors + warnings
    assert report.warnings == ()
    assert report.valid is (not errors and not warnings)
