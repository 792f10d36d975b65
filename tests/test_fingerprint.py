"""fingerprint(): what it takes and what it refuses (the vectors of tests/conformance/fingerprints.json,
run by test_conformance_fingerprints.py, pin the digests themselves)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import mutate
from guestkit_job_spec import Limits, fingerprint, inspect_job, parse_job, to_json

HEX = re.compile(r"[0-9a-f]{64}")


def test_every_form_of_a_job_has_one_fingerprint(minimal_job: dict[str, Any]) -> None:
    text = json.dumps(minimal_job)
    forms = [text, text.encode(), bytearray(text.encode()), memoryview(text.encode()), minimal_job, parse_job(text)]
    digests = {fingerprint(form) for form in forms}
    assert len(digests) == 1
    assert HEX.fullmatch(digests.pop())


def test_a_built_job_has_the_fingerprint_of_its_json() -> None:
    job = inspect_job("/vms/web-01.qcow2").idempotency_key("scan-web-01").build()
    assert fingerprint(job) == fingerprint(to_json(job))


def test_only_operation_and_payload_count(minimal_job: dict[str, Any]) -> None:
    retry = mutate(
        minimal_job,
        {"/job_id": "job-01JAB3Y7X5K4M8F9W2T6RETRY1", "/execution/attempt": 2, "/execution/max_attempts": 3},
    )
    moved = mutate(minimal_job, {"/payload/data/image/path": "/vms/production-web-02.qcow2"})
    assert fingerprint(retry) == fingerprint(minimal_job) != fingerprint(moved)


def test_the_job_is_not_validated(minimal_job: dict[str, Any]) -> None:
    """validate() says what is wrong with a job; the fingerprint needs only operation and payload."""
    broken = mutate(minimal_job, {"/job_id": "../etc/passwd", "/payload/data/image/format": "floppy"})
    assert HEX.fullmatch(fingerprint(broken))


@pytest.mark.parametrize(
    ("job", "message"),
    [
        ([], "expected a job, an object with the members operation and payload"),
        ({"operation": "example.echo"}, "expected a job, an object with the members operation and payload"),
        ({"payload": {}}, "expected a job, an object with the members operation and payload"),
        (b"", "the document is empty"),
        ("[1, 2]", "expected a job"),
        ({"operation": "x", "payload": {"a": "\ud800"}}, r"lone UTF-16 surrogate.* \(json.encoding at /payload/a\)"),
        ({"operation": "x", "payload": {"a": {1, 2}}}, r"a set is not a JSON value \(json.syntax at /payload/a\)"),
        ({"operation": "x", "payload": {"a": math.nan}}, r"NaN.* \(json.non-finite-number at /payload/a\)"),
        (
            {"operation": "x", "payload": {"a": 2**63}},
            r"outside the signed 64-bit range.* \(json.integer-range at /payload/a\)",
        ),
        ({"operation": "x", "payload": {"a": [-(2**53)]}}, r"the number at /payload/a/0 is -9007199254740992"),
        ({"operation": "x", "payload": {"a": 1e16}}, r"the number at /payload/a is 1e\+16, of magnitude 2\*\*53"),
        ({"operation": 2.0**60, "payload": {}}, r"the number at /operation is"),
    ],
)
def test_a_job_without_a_fingerprint_is_refused_with_the_reason(job: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"^no fingerprint: .*{message}"):
        fingerprint(job)


def test_numbers_outside_operation_and_payload_do_not_matter(minimal_job: dict[str, Any]) -> None:
    big = mutate(minimal_job, {"/example.com~1serial": 2**62})
    assert fingerprint(big) == fingerprint(minimal_job)


def test_the_largest_exact_numbers_and_booleans_are_fine() -> None:
    for value in (2**53 - 1, -(2**53 - 1), 9007199254740991.0, True, False, None, 5e-324):
        assert HEX.fullmatch(fingerprint({"operation": "x", "payload": {"n": value}}))


def test_limits_apply_as_in_validate(minimal_job: dict[str, Any]) -> None:
    text = json.dumps(minimal_job)
    assert HEX.fullmatch(fingerprint(text))
    with pytest.raises(ValueError, match=r"\(json.size\)$"):
        fingerprint(text, limits=Limits(max_document_bytes=100))
    with pytest.raises(ValueError, match=r"\(json.depth at /payload/data/image\)$"):
        fingerprint(minimal_job, limits=Limits(max_depth=3))


# Any JSON value within the numbers a fingerprint takes.
EXACT = 2**53 - 1
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-EXACT, EXACT)
    | st.floats(-float(EXACT), float(EXACT), allow_nan=False)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"]), max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values, st.dictionaries(st.sampled_from(["job_id", "metadata", "x"]), json_values, max_size=3))
def test_spelling_order_and_other_members_never_change_the_fingerprint(data: Any, other: dict[str, Any]) -> None:
    job = {"operation": "example.echo", "payload": {"type": "example.echo.v1", "data": data}}
    expected = fingerprint(job)
    respelled = json.dumps({**other, **job}, sort_keys=True, indent=2, ensure_ascii=True)
    assert fingerprint(respelled) == expected
    assert fingerprint(json.dumps(dict(reversed(job.items())), ensure_ascii=False)) == expected
