"""Strict decoding: every malformed input is an issue with its own rule id, never an exception."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from conftest import EXAMPLES, example
from guestkit_job_spec import Limits, validate
from guestkit_job_spec.protocol.doctype import detect
from guestkit_job_spec.protocol.limits import DEFAULT_LIMITS
from guestkit_job_spec.validation.fast import closed_check
from guestkit_job_spec.validation.reference.decoding import decode

VALID = json.dumps(example("inspect-minimal.json")).encode()


@pytest.mark.parametrize(
    ("data", "rule", "pointer", "words"),
    [
        (b"", "json.syntax", "", "empty"),
        (b"   \n", "json.syntax", "", "empty"),
        (VALID[:-5], "json.syntax", "", "ends too early"),
        (b'{"a": 1,}', "json.syntax", "", "trailing comma"),
        (b"{'a': 1}", "json.syntax", "", "not well-formed"),
        (b'{"a": "tab\there"}', "json.syntax", "", "control character"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "json.syntax", "", "not well-formed"),
        (VALID + b" {}", "json.trailing-data", "", "follows the document"),
        (VALID + b"x", "json.trailing-data", "", "follows the document"),
        (b'{"a": 1, "a": 2}', "json.duplicate-key", "", "'a' appears twice"),
        (b'{"a": {"b": 1, "b": 1}}', "json.duplicate-key", "", "'b' appears twice"),
        (b'{"a": NaN}', "json.non-finite-number", "/a", "NaN"),
        (b'{"a": -Infinity}', "json.non-finite-number", "/a", "NaN, Infinity"),
        (b'{"a": 1e400}', "json.non-finite-number", "/a", "too large"),
        (b'{"a": 9223372036854775808}', "json.integer-range", "/a", "9223372036854775808"),
        (b'{"a": -9223372036854775809}', "json.integer-range", "/a", "outside the signed 64-bit range"),
        (b'{"a": ' + b"9" * 4000 + b"}", "json.integer-range", "/a", "of 4,000 digits"),
        (b"\xef\xbb\xbf" + VALID, "json.encoding", "", "UTF-8 byte order mark"),
        (b"\xff\xfe{\x00}\x00", "json.encoding", "", "UTF-16"),
        (b'{"a": "\xff"}', "json.encoding", "", "not valid UTF-8"),
        (b'{"a": "\xed\xa0\x80"}', "json.encoding", "", "not valid UTF-8"),
        (b'{"a": "\\ud800"}', "json.encoding", "", "lone UTF-16 surrogate"),
        (b'{"a": "\\udc00x"}', "json.encoding", "", "lone UTF-16 surrogate"),
        (b"[" * 200_000 + b"]" * 200_000, "json.depth", "", "deeper than the limit of 64"),
    ],
    ids=lambda v: v[:30] if isinstance(v, bytes) else v,
)
def test_malformed_input_gets_its_rule(data: bytes, rule: str, pointer: str, words: str) -> None:
    report = validate(data)
    assert [(i.rule, i.pointer) for i in report.errors] == [(rule, pointer)], report.errors
    assert words in report.errors[0].message
    assert report.document is None


def test_lone_surrogate_in_a_python_string_is_an_encoding_error() -> None:
    report = validate('{"a": "\ud800"}')
    assert [i.rule for i in report.errors] == ["json.encoding"]


def test_valid_surrogate_pair_and_escaped_nul_decode() -> None:
    assert decode(b'{"a": "\\ud83d\\ude00", "b": "\\u0000"}').value == {"a": "\U0001f600", "b": "\x00"}


def test_boundary_integers_are_accepted() -> None:
    assert decode(b"[9223372036854775807, -9223372036854775808]").ok


def test_depth_limit_is_configurable_and_points_at_the_container() -> None:
    nested = b'{"a": {"b": {"c": [1]}}}'
    assert decode(nested, Limits(max_depth=4)).ok
    (issue,) = decode(nested, Limits(max_depth=3)).issues
    assert (issue.rule, issue.pointer) == ("json.depth", "/a/b/c")
    assert "limit of 3 levels" in issue.message


def test_size_limit_counts_bytes_and_names_the_limit() -> None:
    (issue,) = decode(VALID, Limits(max_document_bytes=100)).issues
    assert issue.rule == "json.size" and "limit of 100" in issue.message
    assert decode(VALID, Limits(max_document_bytes=len(VALID))).ok


def test_string_and_container_limits() -> None:
    limits = Limits(max_string_length=5, max_container_entries=2)
    issues = decode(b'{"abcdef": "x", "k": "123456", "l": [1, 2, 3]}', limits).issues
    assert sorted((i.rule, i.pointer) for i in issues) == [
        ("json.container-size", ""),
        ("json.container-size", "/l"),
        ("json.string-length", "/abcdef"),
        ("json.string-length", "/k"),
    ]


def test_mapping_input_gets_the_same_value_checks() -> None:
    job = example("inspect-minimal.json")
    job["payload"]["data"]["image"]["size_bytes"] = math.inf
    job["payload"]["data"]["extra"] = {1: "int key", "when": object()}
    rules = sorted((i.rule, i.pointer) for i in validate(job).errors)
    assert rules == [
        ("json.non-finite-number", "/payload/data/image/size_bytes"),
        ("json.syntax", "/payload/data/extra"),
        ("json.syntax", "/payload/data/extra/when"),
    ]


def test_deeply_nested_mapping_does_not_exhaust_the_stack() -> None:
    deep: dict[str, object] = {}
    node = deep
    for _ in range(100_000):
        node["a"] = {}
        node = node["a"]  # type: ignore[assignment]
    assert [i.rule for i in validate(deep).errors] == ["json.depth"]


def test_fifty_megabytes_is_refused_by_size_before_parsing() -> None:
    big = b'{"a": "' + b"x" * (50 * 1024 * 1024) + b'"}'
    assert [i.rule for i in validate(big).errors] == ["json.size"]


@pytest.mark.parametrize("value", [0, 201, -1])
def test_limits_reject_impossible_values(value: int) -> None:
    with pytest.raises(ValueError, match="max_depth"):
        Limits(max_depth=value)


def test_lone_surrogates_in_a_decoded_mapping_are_an_encoding_error() -> None:
    """The same document as text already failed; handed in as a mapping it passed."""
    report = validate({"a": "x\ud800", "\udc00": 1})
    assert sorted((i.rule, i.pointer) for i in report.errors) == [("json.encoding", ""), ("json.encoding", "/a")]


# The fast engine's decoder vouches only for what the strict decoder would accept unchanged.


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_the_fast_engine_proves_every_example_clean(path: Path) -> None:
    """Without this the fast path could silently stop deciding anything and every test still pass."""
    data = path.read_bytes()
    document = closed_check.decode(data, DEFAULT_LIMITS)
    assert document == decode(data).value
    assert closed_check.is_clean(document, detect(document))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (b'{"a": 1, "a": 2}', "a duplicate key, which orjson drops silently"),
        (b'{"a": {"b": 1, "b": 1}}', "a nested duplicate key"),
        (b'{"a": "\\ud800"}', "a \\u escape: lone surrogates hide there"),
        (b'{"a": "x\\"y", "a": 1}', "an escaped quote, which the duplicate-key count cannot see past"),
        (b'{"a": 18446744073709551616}', "an integer orjson turns into a float"),
        (b'{"a": 9223372036854775808}', "an integer beyond int64 that orjson keeps"),
        (b'{"a": 1e400}', "an infinite number"),
        (b'{"a": NaN}', "NaN"),
        (b"\xef\xbb\xbf{}", "a byte order mark"),
        (b'{"a": 1} x', "trailing data"),
        (b'{"a": "\xff"}', "invalid UTF-8"),
        (b"[" * 65 + b"1" + b"]" * 65, "nesting past the depth limit"),
    ],
)
def test_the_fast_engine_leaves_what_it_cannot_prove_to_the_strict_decoder(text: bytes, why: str) -> None:
    assert closed_check.decode(text, DEFAULT_LIMITS) is None, why


def test_long_digit_runs_inside_strings_do_not_leave_the_fast_engine() -> None:
    digits_in_a_string = b'{"id": "job-00000000000000000000000001", "n": 1'
    assert closed_check.decode(digits_in_a_string + b"}", DEFAULT_LIMITS) is not None
    assert closed_check.decode(digits_in_a_string + b"000000000000000000}", DEFAULT_LIMITS) is None


def test_the_fast_engine_respects_smaller_limits() -> None:
    data = (EXAMPLES / "inspect-full.json").read_bytes()
    assert closed_check.decode(data, Limits(max_document_bytes=len(data) - 1)) is None
    assert closed_check.decode(data, Limits(max_string_length=len(data) - 1)) is not None, "no string is that long"
    assert closed_check.decode(data, Limits(max_string_length=20)) is None
    assert closed_check.decode(data, Limits(max_depth=2)) is None
    assert closed_check.decode(data, Limits(max_container_entries=data.count(b","))) is None


def test_more_brackets_than_the_depth_limit_go_to_the_strict_decoder() -> None:
    """Finding the depth exactly would take a Python loop over every bracket: 2.2 s for 16 MiB
    of them, where the strict decoder refuses at once (issue #14). The count decides alone."""
    shallow = b"[" + b",".join([b"[1]"] * 100) + b"]"
    assert closed_check.decode(b"[[1]]", Limits(max_depth=2)) == [[1]]
    assert closed_check.decode(shallow, Limits(max_depth=2)) is None
    assert validate(shallow, type="auto").to_dict() == validate(shallow, type="auto", engine="reference").to_dict()
