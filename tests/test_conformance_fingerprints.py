"""The Python runner of the fingerprint vectors (tests/conformance/fingerprints.json): every vector
through fingerprint() given bytes, text, the decoded document and the parsed model, each giving the
expected digest, or refused as the vector says. The Node.js runner is tests/conformance/node/run.mjs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from guestkit_job_spec import fingerprint, parse_job, validate

VECTORS_FILE = Path(__file__).parent / "conformance" / "fingerprints.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]
ACCEPTED = [vector for vector in VECTORS if "fingerprint" in vector]
REFUSED = [vector for vector in VECTORS if "refused" in vector]


def by_id(vectors: list[dict[str, Any]]) -> Any:
    return pytest.mark.parametrize("vector", vectors, ids=[vector["id"] for vector in vectors])


@by_id(ACCEPTED)
def test_the_vector_is_consistent_and_a_valid_job(vector: dict[str, Any]) -> None:
    """The file itself: the digest is that of the canonical text, and the input a valid job (warnings allowed)."""
    assert hashlib.sha256(vector["canonical"].encode("utf-8")).hexdigest() == vector["fingerprint"]
    assert validate(vector["text"]).errors == ()


@by_id(ACCEPTED)
def test_fingerprint_gives_the_vector_digest_from_every_input(vector: dict[str, Any]) -> None:
    text: str = vector["text"]
    decoded = json.loads(text)
    hashed = {"operation": decoded["operation"], "payload": decoded["payload"]}
    assert rfc8785.dumps(hashed).decode("utf-8") == vector["canonical"]
    inputs = {"text": text, "bytes": text.encode("utf-8"), "decoded": decoded, "model": parse_job(text)}
    assert {name: fingerprint(job) for name, job in inputs.items()} == dict.fromkeys(inputs, vector["fingerprint"])


@by_id(REFUSED)
def test_fingerprint_refuses_the_vector(vector: dict[str, Any]) -> None:
    report = validate(vector["text"])
    if vector["refused"] == "decoding":  # not a protocol document: its rule says why
        assert vector["rule"] in {issue.rule for issue in report.errors}
        with pytest.raises(ValueError, match=rf"^no fingerprint: .*\({vector['rule']}( at [^)]*)?\)$"):
            fingerprint(vector["text"])
    else:  # a valid job, whose payload holds a number of magnitude 2**53 or more
        assert report.errors == ()
        with pytest.raises(
            ValueError, match=r"^no fingerprint: the number at /payload/.* of magnitude 2\*\*53 or more"
        ):
            fingerprint(vector["text"])
        with pytest.raises(ValueError, match="of magnitude 2\\*\\*53 or more"):
            fingerprint(json.loads(vector["text"]))


def test_the_vectors_cover_what_section_8_names() -> None:
    """Each property the specification states has vectors that would catch an implementation without it."""
    digest = {vector["id"].removeprefix("fingerprint."): vector.get("fingerprint") for vector in VECTORS}
    same = [
        ("inspect-minimal", "envelope-ignored"),  # members outside operation and payload do not count
        ("inspect-minimal", "member-order-and-whitespace"),
        ("string-escapes", "string-literal"),
        *[("number.5", f"number.{other}") for other in ("5.0", "5e0", "50e-1", "0.5e1-upper-case", "5.000")],
        ("number.0", "number.minus-0"),
        ("number.0", "number.minus-0.0"),
    ]
    different = [
        ("inspect-minimal", "payload-unknown-member"),
        ("inspect-minimal", "payload-extension-member"),
        ("inspect-minimal", "payload-member-beside-data"),
        ("inspect-minimal", "null-member"),  # null is not absent
        ("unregistered-null", "unregistered-absent"),
    ]
    assert [pair for pair in same if digest[pair[0]] != digest[pair[1]]] == []
    assert [pair for pair in different if digest[pair[0]] == digest[pair[1]]] == []
    assert {vector["refused"] for vector in REFUSED} == {"decoding", "number"}
