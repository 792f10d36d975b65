"""The realistic corpus of `make bench` (bench/realistic.py): documents as producers write them.

Each class holds what it says (the reference engine's verdict), and on every document the
fast engine reports exactly what the reference does: what the prover proves, the reference
finds valid with nothing to report, and what it hands on with warnings or errors is worded
alike (issue #18).
"""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT
from guestkit_job_spec import validate
from guestkit_job_spec.protocol import resources
from guestkit_job_spec.protocol.limits import DEFAULT_LIMITS
from guestkit_job_spec.validation.fast import prover

sys.path.insert(0, str(ROOT / "bench"))
import realistic  # bench/ is no package: on the path above

CORPUS = realistic.corpus()
MISTAKES = realistic.mistakes()


def test_every_class_is_full_and_mixes_the_document_types() -> None:
    for name, samples in CORPUS.items():
        assert len(samples) >= realistic.PER_CLASS * 3 // 4, name
        if name != "upstream types":
            assert {sample.doc_type for sample in samples} == set(resources.document_types()), name
    assert set(MISTAKES) == set(realistic.MISTAKES)
    assert all(MISTAKES.values())


def test_the_producers_write_what_they_are_named_for() -> None:
    document = {"name": "Café & <crème>", "at": "2026-01-30T10:00:00Z"}
    assert b"\\u00e9" in realistic.python_default(document)
    assert b"\n  " in realistic.python_indented(document)
    assert "é".encode() in realistic.python_utf8(document)
    assert b"\\u0026 \\u003ccr" in realistic.go(document) and "é".encode() in realistic.go(document)
    assert realistic.isoformat_timestamps(document)["at"] == "2026-01-30T10:00:00.250000+00:00"
    assert realistic.local_zone_timestamps(document)["at"] == "2026-01-30T11:00:00+01:00"


@pytest.mark.parametrize("name", [*CORPUS, *MISTAKES])
def test_the_engines_agree_on_every_document_and_the_prover_proves_only_clean_ones(name: str) -> None:
    for sample in CORPUS.get(name) or MISTAKES[name]:
        fast, reference = (
            validate(sample.data, type=sample.doc_type, strict=sample.strict, engine=engine)
            for engine in ("fast", "reference")
        )
        assert fast.to_dict() == reference.to_dict(), sample.data
        proven = prover.proves(sample.data, sample.doc_type, DEFAULT_LIMITS)
        assert proven is (reference.valid and not reference.warnings), sample.data
        if name in MISTAKES:
            assert not reference.valid, sample.data
        elif name == "upstream types":
            assert [issue.rule for issue in reference.warnings] == ["job.payload-type.unregistered"]
        else:
            assert reference.valid and not reference.warnings, sample.data
