"""The 14 documents upstream shipped get exactly the verdicts of corpus/upstream/EXPECTED.md."""

from __future__ import annotations

import pytest

from conftest import CORPUS
from guestkit_job_spec import validate

CHECKSUM = [("checksum.format", "/payload/data/image/checksum")]
NO_CREATED_AT = [("schema.required", "/created_at")]
UNREGISTERED = [("job.payload-type.unregistered", "/payload/type")]

# file: (errors, warnings) without --strict
EXPECTED = {
    "inspect-minimal.json": ([], []),
    "inspect-full.json": ([], []),
    "profile-security.json": (CHECKSUM, []),
    "fix-offline.json": (CHECKSUM, []),
    "worker-echo-test.json": ([], UNREGISTERED),
    "worker-guestkit-agent-call-basic.json": (NO_CREATED_AT, UNREGISTERED),
    "worker-guestkit-agent-doctor-basic.json": (NO_CREATED_AT, UNREGISTERED),
    "worker-guestkit-agent-evidence-basic.json": (NO_CREATED_AT, UNREGISTERED),
    "worker-guestkit-doctor-basic.json": ([], UNREGISTERED),
    "worker-guestkit-inspect-basic.json": ([], []),
    "worker-guestkit-inspect-full.json": ([], []),
    "worker-guestkit-migrate-plan-basic.json": ([], UNREGISTERED),
    "worker-guestkit-profile-security.json": ([], []),
    "worker-guestkit-repair-basic.json": ([], UNREGISTERED),
}


def test_the_corpus_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_verdict(name: str) -> None:
    errors, warnings = EXPECTED[name]
    report = validate((CORPUS / name).read_bytes())
    assert [(i.rule, i.pointer) for i in report.errors] == errors
    assert [(i.rule, i.pointer) for i in report.warnings] == warnings
    assert report.valid is (not errors)


@pytest.mark.parametrize("name", EXPECTED)
def test_verdict_under_strict(name: str) -> None:
    """Under --strict the four 'valid, with a warning' documents become invalid."""
    errors, warnings = EXPECTED[name]
    report = validate((CORPUS / name).read_bytes(), strict=True)
    assert [(i.rule, i.pointer) for i in report.errors] == errors + warnings
    assert report.warnings == ()
    assert report.valid is (not errors and not warnings)
