"""The fast engine's explanations match the reference engine's report, order included.

The conformance suite and the property tests compare the engines on every case; these
are the cases that once differed.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pytest

from conftest import example, mutate
from guestkit_job_spec import validate


def both(document: Any, **options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    text = json.dumps(document).encode()
    return validate(text, **options).to_dict(), validate(text, engine="reference", **options).to_dict()


def test_unknown_fields_come_object_by_object_outermost_first() -> None:
    """Found by the property tests: an object's own unknown fields come before those of objects inside it."""
    job = mutate(example("compare-baseline.json"), {"/payload/data/target/": None, "/payload/data/": None})
    fast, reference = both(job)
    assert fast == reference
    assert [w["pointer"] for w in fast["warnings"]] == ["/payload/data/", "/payload/data/target/"]


@pytest.mark.parametrize("strict", [False, True])
def test_many_problems_at_once_are_worded_alike(strict: bool) -> None:
    job = mutate(
        example("inspect-full.json"),
        {
            "/job_id": "../etc/passwd",
            "/execution/priority": 11,
            "/payload/data/image/checksum": "md5:abc",
            "/payload/data/image/formt": "qcow2",
            "/metadata/nmae": "typo",
            "/created_at": "yesterday",
            "/constraints": [],
        },
    )
    fast, reference = both(job, strict=strict)
    assert fast == reference
    assert len(fast["errors"]) >= 5


def test_a_dict_subclass_is_an_object_to_both_engines() -> None:
    """Found by the tests of issue #14: the reference lint took an OrderedDict (json's
    object_pairs_hook makes them) for a number, and reported none of its unknown fields."""
    document = json.loads(
        json.dumps(mutate(example("inspect-full.json"), {"/metadata/nmae": "x"})), object_pairs_hook=OrderedDict
    )
    fast, reference = validate(document).to_dict(), validate(document, engine="reference").to_dict()
    assert fast == reference
    assert [w["pointer"] for w in reference["warnings"]] == ["/metadata/nmae"]
