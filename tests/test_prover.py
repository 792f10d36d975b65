"""The prover (validation.fast._prover): built, sound on every case, and used.

Sound: whatever it proves, the reference engine finds valid with nothing to report.
Used: it proves the bundled examples, so the fast path is the compiled one. Where it
declines (escapes, exponents, offsets needing exact instants...), the report must still
be the reference's: the engines-agree checks below run on exactly those inputs.
"""

from __future__ import annotations

import json
import random
import re
import sys
from functools import cache
from typing import Any

import pytest

from conftest import EXAMPLES, ROOT, example, mutate, same_values
from guestkit_job_spec import validate
from guestkit_job_spec.protocol import resources
from guestkit_job_spec.protocol.limits import DEFAULT_LIMITS, Limits
from guestkit_job_spec.protocol.report import Report
from guestkit_job_spec.validation.code_rules import CODE_RULES
from guestkit_job_spec.validation.fast.prover import PROVABLE_TYPES, limit_arguments, prove, proves
from test_conformance import CASES, case_input

sys.path.insert(0, str(ROOT / "codegen"))
from regex_dfa import OTHER, Dfa, Unsupported, compile_pattern, searched_class


def reference_clean(data: bytes, doc_type: str, **options: Any) -> bool:
    report = validate(data, type=doc_type, engine="reference", **options)
    return report.valid and not report.warnings


def engines_agree(data: bytes, doc_type: str = "job", **options: Any) -> None:
    fast = validate(data, type=doc_type, **options).to_dict()
    assert fast == validate(data, type=doc_type, engine="reference", **options).to_dict()


def text(document: Any, **dumps: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, **dumps).encode()


def test_the_prover_is_built_and_covers_every_document_type() -> None:
    """Fails when the C extension did not compile, or when a code rule has no C twin."""
    assert set(PROVABLE_TYPES) == set(resources.document_types())
    from guestkit_job_spec.validation.fast import _prover

    for doc_type in resources.document_types():
        assert set(_prover.CODE_RULES.get(doc_type, ())) == set(CODE_RULES.get(doc_type, {}))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda path: path.name)
def test_every_bundled_example_is_proven(path: Any) -> None:
    data = path.read_bytes()
    by_id = {resources.document_schema(t)["$id"]: t for t in resources.document_types()}
    doc_type = by_id[json.loads(data)["$schema"]]  # every example names its schema
    assert proves(data, doc_type, DEFAULT_LIMITS)
    assert proves(json.dumps(json.loads(data), separators=(",", ":")).encode(), doc_type, DEFAULT_LIMITS)


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "document" and c["type"] != "auto"], ids=str)
def test_whatever_is_proven_the_reference_finds_clean(case: dict[str, Any]) -> None:
    data = case_input(case)
    if proves(data, case["type"], DEFAULT_LIMITS):
        assert reference_clean(data, case["type"], strict=case.get("strict", False)), case["id"]


def test_the_proven_document_is_the_strict_decoders() -> None:
    """The prover builds the report's document from its tape: values, types and key order as jiter's."""
    odd = {
        "numbers": [0, -0, -0.0, 1.0, 0.1, 2.5e-3 * 0 + 0.0025, 123456789012345678, -5, 1.7976931348623157e308 / 1e300],
        "strings": ["", "é", "🙂 ok", "a\x7fb", "x" * 5000],
        "nested": [[], {}, [[[]]], {"a": {"b": None}}, True, False],
    }
    data = text(mutate(JOB, {"/example.com~1odd": odd, "/metadata/labels": {str(n): "v" for n in range(40)}}))
    proven = validate(data)
    assert not proven.errors and not proven.warnings
    # -0.0 and 1.0 keep it from being proven clean (json.integer-form might apply): find() builds it instead.
    assert not proves(data, "job", DEFAULT_LIMITS)
    assert proves(data.replace(b"-0.0, 1.0,", b""), "job", DEFAULT_LIMITS)
    assert same_values(proven.document, validate(data, engine="reference").document)
    assert same_values(proven.document, json.loads(data))
    assert same_values(prove(data, "job", DEFAULT_LIMITS)[0], json.loads(data))  # type: ignore[index]


def test_the_clean_report_built_in_c_is_the_dataclass() -> None:
    data = example("inspect-minimal.json")
    report = prove(json.dumps(data).encode(), "job", DEFAULT_LIMITS)
    assert type(report) is Report
    assert report == Report("job", (), (), data) and report.document == data
    assert vars(report) == vars(Report("job", (), (), data))


def test_shared_keys_never_stand_in_for_other_keys() -> None:
    """Object keys are shared between documents (c/module.c); thousands of keys, many
    landing on the same slots, and the same keys in another order still decode exactly."""
    labels = {f"k{n}": "v" for n in range(5_000)}
    for order in (labels, dict(reversed(labels.items()))):
        data = text(mutate(JOB, {"/metadata/labels": order}))
        document = validate(data).document
        assert list(document["metadata"]["labels"]) == list(order)
        assert same_values(document, json.loads(data))


def test_it_proves_most_clean_conformance_cases() -> None:
    """A prover that declined everything would pass the soundness test above."""
    cases = [c for c in CASES if c["kind"] == "document" and c["type"] != "auto"]
    clean = [c for c in cases if reference_clean(case_input(c), c["type"], strict=c.get("strict", False))]
    proven = [c for c in clean if proves(case_input(c), c["type"], DEFAULT_LIMITS)]
    assert len(proven) >= 0.95 * len(clean), [c["id"] for c in clean if c not in proven]


JOB = example("inspect-full.json")
JOB_TEXT = text(JOB)


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("duplicate key", JOB_TEXT.replace(b'"kind"', b'"version": "1.0", "kind"', 1)),
        (
            "duplicate key deep in an extension",
            text(mutate(JOB, {"/example.com~1x": {"a": 1}})).replace(b'{"a": 1}', b'{"a": 1, "a": 2}'),
        ),
        ("duplicate key once decoded", JOB_TEXT.replace(b'"kind"', b'"versio\\u006e": "1.0", "kind"', 1)),
        ("lone surrogate escape", JOB_TEXT.replace(b'"production"', b'"produ\\ud800ction"')),
        ("unknown escape", JOB_TEXT.replace(b'"production"', b'"produ\\qction"')),
        ("integer past int64", text(mutate(JOB, {"/constraints/maximum_disk_size_gb": 2**63}))),
        ("infinite number", text(mutate(JOB, {"/execution/timeout_seconds": 3600})).replace(b"3600", b"36e400")),
        ("byte order mark", b"\xef\xbb\xbf" + JOB_TEXT),
        ("trailing data", JOB_TEXT + b" {}"),
        ("truncated", JOB_TEXT[:-2]),
        ("encoded surrogate", JOB_TEXT.replace(b'"production"', b'"production\xed\xa0\x80"')),
        ("overlong encoding", JOB_TEXT.replace(b'"production"', b'"production\xc0\xaf"')),
        ("code point past U+10FFFF", JOB_TEXT.replace(b'"production"', b'"production\xf4\x90\x80\x80"')),
        ("raw control character", JOB_TEXT.replace(b'"production"', b'"production\x01"')),
        ("leading zero", text(mutate(JOB, {"/execution/priority": 5})).replace(b'"priority": 5', b'"priority": 05')),
        ("lone minus", text(mutate(JOB, {"/execution/priority": 5})).replace(b'"priority": 5', b'"priority": -')),
        ("bare word", text(mutate(JOB, {"/execution/cancellable": True})).replace(b"true", b"ture")),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_what_the_strict_decoder_refuses_is_not_proven(label: str, data: bytes) -> None:
    assert not proves(data, "job", DEFAULT_LIMITS), label
    engines_agree(data)


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("escaped string", JOB_TEXT.replace(b'"production"', b'"produ\\u0063tion"')),
        ("escaped quote", JOB_TEXT.replace(b'"production"', b'"produ\\"ction"')),
        ("every short escape", JOB_TEXT.replace(b'"production"', b'"\\"\\\\\\/\\b\\f\\n\\r\\t"')),
        ("surrogate pair", JOB_TEXT.replace(b'"production"', b'"\\ud83d\\ude00 \\u00e9"')),
        ("escaped key", JOB_TEXT.replace(b'"environment"', b'"environmen\\u0074"')),
        ("exponent", text(mutate(JOB, {"/example.com~1ratio": 0.25})).replace(b"0.25", b"2.5e-1")),
        ("integer of 19 digits", text(mutate(JOB, {"/example.com~1n": 10**18}))),
        ("the largest integer", text(mutate(JOB, {"/example.com~1n": [2**63 - 1, -(2**63)]}))),
        ("a long fraction", text(mutate(JOB, {"/example.com~1n": 0.1})).replace(b"0.1", b"0." + b"1" * 400)),
        ("json.dumps's defaults", json.dumps(mutate(JOB, {"/metadata/name": "caf\u00e9 & <b>"})).encode()),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_what_the_strict_decoder_reads_the_prover_reads_alike(label: str, data: bytes) -> None:
    """Escapes, exponents and integers up to the int64 bounds are read, to the same values."""
    assert proves(data, "job", DEFAULT_LIMITS), label
    assert same_values(validate(data).document, validate(data, engine="reference").document)
    engines_agree(data)


@pytest.mark.parametrize(
    ("label", "document", "clean"),
    [
        ("non-ASCII in a path", mutate(JOB, {"/payload/data/image/path": "/vms/café-🙂.qcow2"}), True),
        ("non-ASCII where only ASCII may go", mutate(JOB, {"/job_id": "job-café-0123"}), False),
        ("DEL in a job id", mutate(JOB, {"/job_id": "job-0123\x7f456"}), False),
        ("an integer written 2.0", mutate(JOB, {"/execution/priority": 2.0}), False),  # json.integer-form
        ("an integer written 2.5", mutate(JOB, {"/execution/priority": 2.5}), False),
        ("29 February of a leap year", mutate(JOB, {"/created_at": "2024-02-29T10:00:00Z"}), True),
        ("29 February of another year", mutate(JOB, {"/created_at": "2026-02-29T10:00:00Z"}), False),
        ("year 0", mutate(JOB, {"/created_at": "0000-01-30T10:00:00Z"}), False),
        ("an unknown field", mutate(JOB, {"/metadata/nmae": "x"}), False),
        ("an extension field", mutate(JOB, {"/metadata/example.com~1owner": {"any": [1, None]}}), True),
        ("a fraction of a second", mutate(JOB, {"/created_at": "2026-01-30T10:00:00.123456Z"}), True),
        ("a long timeout", mutate(JOB, {"/execution/timeout_seconds": 86_401}), False),
        (
            "attempt past the default max",
            mutate(JOB, {"/execution/attempt": 2, "/execution/max_attempts": None}),
            False,
        ),
        ("a deadline before creation", mutate(JOB, {"/execution/deadline": "2026-01-30T09:59:59Z"}), False),
        ("an unregistered payload type", mutate(JOB, {"/payload/type": "guestkit.inspect.v2"}), False),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_prover_decides_as_the_reference(label: str, document: Any, clean: bool) -> None:
    for data in (text(document), text(document, indent=1), text(document, separators=(",", ":"))):
        assert reference_clean(data, "job") is clean, label
        assert proves(data, "job", DEFAULT_LIMITS) is clean, label
        engines_agree(data)


LONGEST = "/vms/" + "é" * 30 + "🙂.qcow2"  # 43 characters, 74 bytes: the longest string


@pytest.mark.parametrize(
    ("limits", "within"),
    [
        (Limits(max_depth=4), True),
        (Limits(max_depth=3), False),
        (Limits(max_string_length=len(LONGEST)), True),
        (Limits(max_string_length=len(LONGEST) - 1), False),
        (Limits(max_container_entries=9), True),  # the labels; the job itself has 7 members
        (Limits(max_container_entries=8), False),
    ],
    ids=str,
)
def test_limits_hold_on_the_compiled_path(limits: Limits, within: bool) -> None:
    """Depth counts containers from 1; lengths count characters, not bytes."""
    job = mutate(
        {"version": "1.0", "job_id": "job-0123456789", "created_at": "2026-01-30T10:00:00Z", "kind": "VMOperation"},
        {
            "/operation": "guestkit.inspect",
            "/payload": {"type": "guestkit.inspect.v1", "data": {"image": {"path": LONGEST, "format": "raw"}}},
            "/metadata/labels": {str(n): "v" for n in range(9)},
        },
    )
    data = text(job)
    assert proves(data, "job", limits) is within
    assert validate(data, limits=limits).valid is within
    engines_agree(data, limits=limits)


def test_a_large_map_is_proven_and_a_duplicate_in_it_found() -> None:
    """Objects of more than 16 members are checked for repeats by sorting, not pairwise."""
    labels = {f"label-{n}": "v" for n in range(1000)}
    data = text(mutate(JOB, {"/metadata/labels": labels}))
    assert proves(data, "job", DEFAULT_LIMITS)
    repeated = data.replace(b'"label-999"', b'"label-17"')
    assert not proves(repeated, "job", DEFAULT_LIMITS)
    engines_agree(repeated)


# ------------------------------------------------------------------ patterns as automata


def _schema_patterns() -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    found.add(value)
                elif key == "patternProperties":
                    found.update(value)
                if not key.startswith("x-"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for doc_type in resources.document_types():
        walk(json.loads((ROOT / "bundles" / f"{doc_type}-v1.closed.bundle.json").read_text(encoding="utf-8")))
    return found


@cache
def automaton_of(pattern: str) -> Dfa:
    return compile_pattern(pattern)


def accepts(pattern: str, candidate: str) -> bool:
    automaton, state = automaton_of(pattern), 0
    for char in candidate:
        state = automaton.transitions[state][min(ord(char), OTHER)]
        if state < 0:
            return False
    return automaton.accepting[state]


SAMPLES = [
    "2026-01-30T10:00:00Z", "2026-01-30T10:00:00.5+01:00", "1.2.3-rc.1+b.5", "01.2.3", "sha256:" + "ab" * 32,
    "/vms/x.qcow2", "../etc", "a/./b", "C:\\x", "guestkit.inspect.v1", "example.com/x", "", "é", "a\x7fb",
]  # fmt: skip


@pytest.mark.parametrize("pattern", sorted(_schema_patterns() | {"a{2,3}b", "(ab)*c?", "x{0}y", "[^a-c]+", "a|b|"}))
def test_every_schema_pattern_compiles_to_an_automaton_that_agrees_with_re(pattern: str) -> None:
    rng = random.Random(pattern)
    alphabet = "abcxyz019.-_/\\:+TZ vhé🙂\x7f"
    candidates = SAMPLES + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(3000)]
    compiled = re.compile(pattern)
    for candidate in candidates:
        assert accepts(pattern, candidate) is bool(compiled.search(candidate)), candidate


@pytest.mark.parametrize("pattern", sorted(_schema_patterns() | {"[a-c]", "[^a-c]", "x", "[a-c]+", "^[a-c]", "a|b"}))
def test_a_class_searched_for_is_found_byte_by_byte(pattern: str) -> None:
    """The prover checks such a pattern without an automaton (checks.h contains_any): one of
    its symbols anywhere. It must agree with re exactly where it is used."""
    symbols = searched_class(automaton_of(pattern))
    if symbols is None:
        return
    compiled, rng = re.compile(pattern), random.Random(pattern)
    for candidate in SAMPLES + [
        "".join(rng.choice("abcxyz é\x7f\x01") for _ in range(rng.randint(0, 9))) for _ in range(2000)
    ]:
        assert any(min(ord(char), OTHER) in symbols for char in candidate) is bool(compiled.search(candidate)), (
            candidate
        )


def test_only_a_bare_class_is_searched_for_without_an_automaton() -> None:
    """Anchors and sequences keep their automaton; so do a|b and [a-c]+ (the automata are not
    minimized, so they have more than two states), which is slower but as right."""
    candidates = ("[a-c]", "[^a-c]", "x", "a|b", "[a-c]+", "^[a-c]", "[a-c]$", "ab")
    assert [p for p in candidates if searched_class(automaton_of(p)) is not None] == ["[a-c]", "[^a-c]", "x"]
    assert searched_class(automaton_of("[\\x00-\\x1f\\x7f]")) == frozenset([*range(0x20), 0x7F])


@pytest.mark.parametrize("pattern", [r"\d+", r"^a$b", "(?:a)", "é", r"\bword", "a**"])
def test_patterns_outside_the_subset_are_refused_at_generation(pattern: str) -> None:
    with pytest.raises(Unsupported):
        compile_pattern(pattern)


def test_a_prover_generated_from_other_schemas_is_not_used(tmp_path: Any) -> None:
    """Issue #15: after a schema edit without `make gen`, the default engine called an invalid
    job valid until the C was rebuilt. The prover carries the digest of the schemas it was
    generated from; a package whose schemas differ warns and validates without it."""
    import shutil
    import subprocess

    package = tmp_path / "guestkit_job_spec"
    shutil.copytree(ROOT / "python" / "guestkit_job_spec", package, ignore=shutil.ignore_patterns("__pycache__"))
    common = package / "schemas" / "common-v1.json"
    text = common.read_text(encoding="utf-8")
    tightened = text.replace('"minLength": 8,', '"minLength": 40,', 1)  # JobId: 8 to 128 characters
    assert tightened != text
    common.write_text(tightened, encoding="utf-8")
    script = """
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from guestkit_job_spec import inspect_job, validate  # the prover and the models: each warns
    data = open("examples/inspect-minimal.json", "rb").read()
    fast, reference = validate(data), validate(data, engine="reference")
assert len([w for w in caught if "make gen" in str(w.message)]) == 2, [str(w.message) for w in caught]
assert fast.to_dict() == reference.to_dict() and not fast.valid, fast.to_dict()
print(fast.errors[0].rule)
"""
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "job.job-id.length"


def test_what_the_prover_does_not_prove_it_answers_as_find_does_from_one_reading() -> None:
    """A document with a warning (issue #18: upstream's payload types) or an error is not read
    twice: prove() hands back the findings find() would, which the report is worded from."""
    from guestkit_job_spec.validation.fast import _prover

    job = example("inspect-full.json")  # under a payload version no one registers: a warning
    job["payload"]["type"], job["operation"] = "guestkit.doctor.v2", "guestkit.doctor"
    for document in (job, {**job, "priority": "high"}):
        data = json.dumps(document).encode()
        index, limits = PROVABLE_TYPES["job"], limit_arguments(DEFAULT_LIMITS)
        assert _prover.prove(Report, index, data, *limits) == _prover.find(index, data, *limits)
        assert validate(data).to_dict() == validate(data, engine="reference").to_dict()
