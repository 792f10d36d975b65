"""The prover is memory-safe, re-entrant and locale-proof (issue #14): one test per finding of
the audit, each of which failed before its fix.

Crashes are the failure mode of several, so those run in a child process: a segfault there
is a failed test here, not a dead test run. `make sanitize` runs this file again on the
prover built with AddressSanitizer and UBSan (tests/prover_under_test.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import tracemalloc
from typing import Any

import pytest

from conftest import ROOT, example, mutate
from guestkit_job_spec import Limits, validate
from guestkit_job_spec.protocol.limits import DECODER_MAX_DEPTH, DEFAULT_LIMITS
from guestkit_job_spec.protocol.report import Report
from guestkit_job_spec.validation.fast import closed_check, prover

JOB = example("inspect-full.json")
JOB_BYTES = json.dumps(JOB).encode()


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter, in the repository, with the prover under test loaded first."""
    script = "import prover_under_test\n" + textwrap.dedent(code)
    environment = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT / "tests")}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def assert_ran_clean(process: subprocess.CompletedProcess[str]) -> None:
    assert process.returncode == 0, f"exit {process.returncode}\n{process.stdout}\n{process.stderr[-3000:]}"


def prover_module() -> Any:
    from guestkit_job_spec.validation.fast import _prover

    return _prover


# ------------------------------------------------------------------ re-entrancy


def test_a_finalizer_that_validates_during_a_build_gets_its_own_tape() -> None:
    """The audit's reproducer: the collector runs inside PyDict_New/PyList_New while the prover
    builds a document, and a finalizer validates another document. With one static tape the
    outer call built from the inner one's nodes (heap overflow, segfault)."""
    assert_ran_clean(
        run_python(
            """
            import gc, json, sys
            from guestkit_job_spec import validate

            victim = b"[" + b",".join([b"{}"] * 300) + b"]"
            other = b"[" + b",".join([b'"' + b"y" * 40 + b'"'] * 180) + b"]"
            expected_other = json.loads(other)
            wrong, inner = [], [0]

            class Cyclic:
                def __init__(self):
                    self.me = self

                def __del__(self):
                    inner[0] += 1
                    if validate(other).document != expected_other:
                        wrong.append("inner")
                    Cyclic()  # garbage for the next collection

            gc.set_threshold(1, 1000, 1000)
            Cyclic()
            for _ in range(300):
                for data in (victim, victim.replace(b"{}", b"[]")):
                    if validate(data).document != json.loads(data):
                        wrong.append("outer")
            gc.set_threshold(700, 10, 10)
            assert inner[0] > 100, inner
            sys.exit(f"{len(wrong)} documents built wrong" if wrong else 0)
            """
        )
    )


def test_threads_validating_while_finalizers_validate() -> None:
    """Two plain threads were enough for glibc's "corrupted size vs. prev_size": the collector
    ran a finalizer (Python code) mid-build, and the GIL went to the other thread."""
    assert_ran_clean(
        run_python(
            r"""
            import gc, json, sys, threading
            from guestkit_job_spec import validate

            sys.setswitchinterval(1e-6)
            documents = [
                b"[" + b",".join([b"{}"] * 300) + b"]",
                b"[" + b",".join([b'"' + b"y" * 40 + b'"'] * 180) + b"]",
                open("examples/inspect-full.json", "rb").read(),
                open("examples/worker-registration.json", "rb").read(),
                b'{"a": [' + b",".join([b'{"k\\u00e9%d": [1.5e3, "x\\ny"]}' % n for n in range(200)]) + b"]}",
            ]
            expected = [json.loads(data) for data in documents]
            wrong = []

            class Cyclic:
                def __init__(self):
                    self.me = self

                def __del__(self):
                    if validate(documents[1]).document != expected[1]:
                        wrong.append("finalizer")
                    Cyclic()

            def work(offset):
                for round in range(150):
                    k = (round + offset) % len(documents)
                    if validate(documents[k]).document != expected[k]:
                        wrong.append(k)

            gc.set_threshold(5, 1000, 1000)
            Cyclic()
            threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            gc.set_threshold(700, 10, 10)
            sys.exit(f"{len(wrong)} documents built wrong: {wrong[:5]}" if wrong else 0)
            """
        )
    )


def test_each_interpreter_has_a_prover_of_its_own() -> None:
    """Multi-phase initialisation: the module's state (spare tape, shared keys, report strings)
    is per interpreter, so a sub-interpreter imports and uses it, and the main one goes on."""
    assert_ran_clean(
        run_python(
            """
            import json, sys
            import _xxsubinterpreters as interpreters

            code = '''
            import prover_under_test
            from guestkit_job_spec.validation.fast import _prover

            class Report:
                pass

            data = open("examples/inspect-minimal.json", "rb").read()
            report = _prover.prove(Report, 0, data, 1 << 24, 64, 1 << 20, 100000)
            assert report.document["operation"] == "guestkit.inspect", vars(report)
            '''
            for _ in range(3):
                interpreter = interpreters.create()
                interpreters.run_string(interpreter, code.replace("\\n            ", "\\n"))
                interpreters.destroy(interpreter)
            from guestkit_job_spec import validate
            data = open("examples/inspect-minimal.json", "rb").read()
            assert validate(data).document == json.loads(data)
            """
        )
    )


# ------------------------------------------------------------------ numbers, whatever the locale


def test_a_decimal_comma_locale_changes_no_number() -> None:
    """strtod follows LC_NUMERIC: under de_DE.UTF-8 it read the priority 1.5 as 1, a valid integer."""
    localedef = shutil.which("localedef")
    if localedef is None:
        pytest.skip("localedef (glibc's locale compiler) is not installed")
    with_locales = ROOT / "build" / "locales"
    if not (with_locales / "de_DE.UTF-8").exists():
        with_locales.mkdir(parents=True, exist_ok=True)
        subprocess.run([localedef, "-i", "de_DE", "-f", "UTF-8", str(with_locales / "de_DE.UTF-8")], check=True)
    assert_ran_clean(
        run_python(
            """
            import json, locale
            from guestkit_job_spec import validate

            locale.setlocale(locale.LC_ALL, "de_DE.UTF-8")
            assert locale.localeconv()["decimal_point"] == ","
            job = json.load(open("examples/inspect-minimal.json"))
            for value, valid in (("1.5", False), ("2.5e0", False), ("5e0", True), ("7.0", True)):
                priority = b'"execution": {"priority": %s}, "kind"' % value.encode()
                data = json.dumps(job).encode().replace(b'"kind"', priority)
                fast, reference = validate(data), validate(data, engine="reference")
                assert fast.to_dict() == reference.to_dict(), (value, fast.to_dict(), reference.to_dict())
                assert fast.valid is valid and fast.document["execution"]["priority"] == float(value), value
            """,
            env={"LOCPATH": str(with_locales)},
        )
    )


# ------------------------------------------------------------------ pointers from jsonschema-rs


@pytest.mark.parametrize(
    "changes",
    [
        {"/metadata/labels": {"": 5.0}},
        {"/metadata/labels": {"01": 5.0}},
        {"/metadata/labels": {"0": 5.0, "1": "x"}},
        {"/metadata/labels": {"+1": 5.0, "1": "x"}},
        {"/metadata/labels": {"00": 5.0}},
        {"/routing/anti_affinity": {"": [5.0]}},
        {"/routing/anti_affinity": {"1": [5.0], "": ["x"]}},
        {"/metadata/": {"": 1}, "/metadata/name": 7},
    ],
    ids=str,
)
def test_an_error_under_an_empty_or_numeric_key_points_where_the_reference_points(changes: dict[str, Any]) -> None:
    """jsonschema-rs drops "" from its paths and reads "01" or "+1" as 1; a decoded mapping is
    explained by it, and pointed at /metadata/labels or /metadata/labels/1 where the reference
    says /metadata/labels/ or /metadata/labels/01."""
    document = mutate(JOB, changes)
    assert validate(document).to_dict() == validate(document, engine="reference").to_dict()


# ------------------------------------------------------------------ inputs that were slow


class CountingDict(dict[str, Any]):
    """A mapping that counts how often Python code iterates over it."""

    iterations = 0

    def __iter__(self) -> Any:
        CountingDict.iterations += 1
        return super().__iter__()


def test_unknown_fields_are_ordered_without_a_scan_per_field() -> None:
    """100,000 unknown fields took 168 s on the fast engine: each one looked for its place with
    list(node).index(). Each object's member order is now listed once."""
    metadata = CountingDict({f"unknown{n}": "x" for n in range(500)})
    document = {**JOB, "metadata": metadata}
    CountingDict.iterations = 0
    fast = validate(document)
    assert CountingDict.iterations <= 2, CountingDict.iterations
    assert len(fast.warnings) == 500
    assert fast.to_dict() == validate(document, engine="reference").to_dict()


@pytest.mark.parametrize(
    "data",
    [
        b"{0:" + b"[" * 1_000_000,
        b"[" * 1_000_000,
        b"[" + b"[]," * 300_000 + b"[]]",
        b'{"a": "' + b"\\n" * 400_000 + b'"}',
    ],
    ids=["unclosed-brackets-after-a-bad-key", "unclosed-brackets", "dense-brackets", "escapes"],
)
def test_what_the_reader_refuses_goes_straight_to_the_strict_decoder(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The prover's reader reads every JSON text the strict decoder reads, so what it refuses,
    the strict decoder refuses too: orjson's pre-check (a Python loop over 16 MiB of brackets
    took 2.2 s) is never asked."""

    def not_asked(*_: Any) -> Any:
        raise AssertionError("orjson's path was tried on bytes the prover's reader refused")

    monkeypatch.setattr(closed_check, "decode", not_asked)
    report = validate(data)
    assert report.to_dict() == validate(data, engine="reference").to_dict()


# ------------------------------------------------------------------ integers past int64


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        (b"9223372036854775807", None),
        (b"-9223372036854775808", None),
        (b"9223372036854775808", "json.integer-range"),
        (b"-9223372036854775809", "json.integer-range"),
        (b"99999999999999999999", "json.integer-range"),
        (b"1" + b"0" * 400, "json.integer-range"),
    ],
    ids=lambda value: value[:24].decode() if isinstance(value, bytes) else str(value),
)
def test_integers_stop_at_the_int64_bounds_without_overflowing(number: bytes, rule: str | None) -> None:
    """A 19-digit integer of at least 2**63 overflowed a signed accumulator (undefined
    behaviour: a build that traps on it aborted on the project's own conformance cases)."""
    data = b'{"a": ' + number + b"}"
    explained = prover_module().find(0, data, *prover.limit_arguments(DEFAULT_LIMITS))
    report = validate(data, type="job")
    assert [issue.rule for issue in report.errors if issue.rule.startswith("json.")] == ([rule] if rule else [])
    assert (explained is None) is (rule is not None)
    if explained is not None:
        assert explained[0] == {"a": int(number)}


# ------------------------------------------------------------------ the private API's arguments


@pytest.mark.parametrize("report_type", [bool, int, str, tuple, type, float], ids=lambda t: t.__name__)
def test_prove_refuses_a_class_it_cannot_make_reports_of(report_type: type) -> None:
    """Any class used to go through tp_alloc uninitialised: fatal errors, segfaults, a bad free."""
    code = f"""
    import sys
    from guestkit_job_spec.validation.fast import _prover
    data = open("examples/inspect-minimal.json", "rb").read()
    try:
        _prover.prove({report_type.__name__}, 0, data, 1 << 24, 64, 1 << 20, 100000)
    except TypeError as error:
        sys.exit(0 if "report_type" in str(error) else f"another TypeError: {{error}}")
    sys.exit("no TypeError")
    """
    assert_ran_clean(run_python(code))


def test_prove_still_makes_reports_of_a_plain_class() -> None:
    class Plain:
        pass

    data = (ROOT / "examples" / "inspect-minimal.json").read_bytes()
    made = prover_module().prove(Plain, 0, data, *prover.limit_arguments(DEFAULT_LIMITS))
    assert type(made) is Plain and made.document == json.loads(data) and made.errors == ()
    report = prover_module().prove(Report, 0, data, *prover.limit_arguments(DEFAULT_LIMITS))
    assert report == Report("job", (), (), json.loads(data))


@pytest.mark.parametrize("function", ["prove", "find"])
def test_an_absurd_depth_limit_is_refused_not_recursed_into(function: str) -> None:
    data = b"[" * 100_000 + b"]" * 100_000
    arguments = (0, data, 1 << 24, 10**9, 1 << 20, 100_000)
    call = getattr(prover_module(), function)
    with pytest.raises(ValueError, match="max_depth"):
        call(*((Report, *arguments) if function == "prove" else arguments))
    assert prover_module().MAX_DEPTH == DECODER_MAX_DEPTH


def test_the_first_bad_argument_is_the_one_reported() -> None:
    """A bad type index left its TypeError pending while the limits were read: the next
    conversion ran with an exception set, and its OverflowError replaced the TypeError."""
    with pytest.raises(TypeError):
        prover_module().find("job", b"{}", -1, 64, 1 << 20, 100_000)
    with pytest.raises(OverflowError):
        prover_module().find(0, b"{}", -1, 64, 1 << 20, 100_000)
    with pytest.raises(IndexError):
        prover_module().find(99, b"{}", 1 << 24, 64, 1 << 20, 100_000)


def test_a_document_the_tape_cannot_index_is_refused_before_any_allocation() -> None:
    """Node indices are int and offsets uint32_t: the guard tested the node count against
    UINT32_MAX, so 2 GiB documents got a 43 GB tape (or, at 2**31 nodes, negative indices).
    bytes(n) is zero pages the kernel maps lazily: this costs no memory."""
    huge = bytes(2**31)
    assert prover_module().find(0, huge, 2**40, 64, 1 << 20, 100_000) is None


def test_escapes_exponents_and_long_integers_are_read_as_the_strict_decoder_reads_them() -> None:
    """The reader reads every JSON text now: nothing is left to orjson's path on the way."""
    job = mutate(
        JOB, {"/metadata/name": 'caf\u00e9 "\u2028" \ud83d\ude00\n', "/constraints/maximum_disk_size_gb": 10**18}
    )
    data = json.dumps(job).encode().replace(b'"priority": 7', b'"priority": 7e0')
    assert b"\\u00e9" in data and b"7e0" in data
    report = validate(data)
    assert report.to_dict() == validate(data, engine="reference").to_dict()
    assert report.document == validate(data, engine="reference").document
    assert prover_module().find(0, data, *prover.limit_arguments(DEFAULT_LIMITS)) is not None


def test_limits_are_checked_in_characters_after_decoding() -> None:
    escaped = b'{"a": "' + b"\\u00e9" * 10 + b'"}'
    for limit, within in ((10, True), (9, False)):
        limits = prover.limit_arguments(type(DEFAULT_LIMITS)(max_string_length=limit))
        assert (prover_module().find(0, escaped, *limits) is not None) is within


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "prover" / "seeds").iterdir()), ids=lambda path: path.name)
def test_every_fuzz_seed_gets_the_reference_report(path: Any) -> None:
    """The libFuzzer seeds (make fuzz) are inputs like any other: the two engines agree on them."""
    data = path.read_bytes()
    for doc_type in ("job", "auto"):
        assert validate(data, type=doc_type).to_dict() == validate(data, type=doc_type, engine="reference").to_dict()


# ------------------------------------------------------------------ found afresh by a second, independent audit


@pytest.mark.parametrize(
    "data",
    [b"[" + b"0," * 4092 + b"[[[[", b"[" + b"0," * 99_000 + b"[" * 63, b"[" + b"0," * 4092 + b"[]" + b"[" * 10],
    ids=["4-brackets", "63-brackets", "after-an-empty-array"],
)
def test_a_dense_document_cut_short_in_brackets_is_refused_not_out_of_memory(data: bytes) -> None:
    """The tape holds size / 2 + 2 nodes, as many as any JSON text of that size has; unclosed
    brackets at the end of a cut one are a node a byte, so they overflowed it, and the prover
    raised MemoryError (a traceback from the CLI). A tape that would need more is refused."""
    assert prover_module().find(0, data, *prover.limit_arguments(DEFAULT_LIMITS)) is None
    for doc_type in ("job", "auto"):
        assert validate(data, type=doc_type).to_dict() == validate(data, type=doc_type, engine="reference").to_dict()


@pytest.mark.parametrize("keys_before", [1, 15, 16, 17, 40], ids=lambda count: f"{count}-keys-before")
def test_a_duplicate_key_is_refused_where_it_stands(keys_before: int) -> None:
    """Duplicates were looked for when the object closed, so a duplicate near the start of a
    16 MB document was refused after reading all of it (2 s and 290 MiB, against 0.01 ms for
    the strict decoder, which stops at it). The reader's allocations tell how far it read: the
    tape starts at a node per 16 bytes and doubles as it fills, so stopping early keeps it there."""
    keys = b",".join(b'"k%d":0' % n for n in range(keys_before))
    rest = b",".join([b"0"] * 200_000)
    data = b"{" + keys + b',"k0":1,"x":[' + rest + b"]}"
    first_tape = len(data) // 16 * 48  # a node and its key slot take 44 bytes
    tracemalloc.start()
    try:
        assert prover_module().find(0, data, *prover.limit_arguments(DEFAULT_LIMITS)) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * first_tape, f"the reader went on past the duplicate: {peak:,} bytes at the peak"
    assert validate(data).errors[0].rule == "json.duplicate-key"
    assert validate(data).to_dict() == validate(data, engine="reference").to_dict()


@pytest.mark.parametrize("keys", [3, 40], ids=["small-object", "large-object"])
def test_keys_read_before_the_tape_grows_are_checked_after_it(keys: int) -> None:
    """The tape is reallocated as it grows, the stack of open objects' keys moved with it: a
    duplicate of a key read before 90,000 values grew it is still found, and none is made up."""
    head = b",".join(b'"k%d":0' % n for n in range(keys))
    values = b"[" + b",".join([b"0"] * 90_000) + b"]"
    for last, duplicate in ((b'"k1"', True), (b'"k1x"', False)):
        data = b'{"outer":{' + head + b',"x":' + values + b"," + last + b":0}}"
        found = prover_module().find(0, data, *prover.limit_arguments(DEFAULT_LIMITS))
        assert (found is None) is duplicate
        assert validate(data).to_dict() == validate(data, engine="reference").to_dict()


def test_duplicates_are_told_apart_from_keys_of_other_objects() -> None:
    """Large objects share one set of keys, each key with its object: the same key in two
    objects, or in an object inside another, is no duplicate."""
    labels = {f"label-{n}": "v" for n in range(40)}
    job = mutate(JOB, {"/metadata/labels": labels, "/metadata/annotations": labels})
    nested = {f"label-{n}": {f"label-{k}": k for k in range(20)} for n in range(20)}
    for data in (json.dumps(job).encode(), json.dumps({"x": nested}).encode()):
        assert prover_module().find(0, data, *prover.limit_arguments(DEFAULT_LIMITS)) is not None


@pytest.mark.parametrize("name", ["max_document_bytes", "max_string_length", "max_container_entries"])
def test_a_limit_larger_than_the_prover_counts_means_no_limit(name: str) -> None:
    """Limits bounds only depth from above; a limit of 2**64 raised OverflowError in the fast
    engine (the prover's size_t) where the reference engine reported as usual."""
    limits = Limits(**{name: 2**64})
    for data in (JOB_BYTES, b"{}"):
        assert validate(data, limits=limits).to_dict() == validate(data, limits=limits, engine="reference").to_dict()


class Integer(int):
    pass


class Fraction(float):
    pass


class Text(str):
    pass


@pytest.mark.parametrize(
    "changes",
    [{"/priority": Integer(3)}, {"/priority": Fraction(2.5)}, {"/metadata/name": Text("web")}, {"/x": Integer(1)}],
    ids=["int", "float", "str", "unknown-int"],
)
def test_subclasses_of_int_float_and_str_in_a_decoded_document(changes: dict[str, Any]) -> None:
    """jsonschema-rs takes no subclass of int, float or str (its ValueError escaped the fast
    engine); the reference engine, which does, now reports on such documents."""
    document = mutate(JOB, changes)
    assert validate(document).to_dict() == validate(document, engine="reference").to_dict()


def test_a_subclass_of_str_as_a_key_in_a_decoded_document() -> None:
    document = {Text(key): value for key, value in JOB.items()}
    assert validate(document).to_dict() == validate(document, engine="reference").to_dict()
    assert validate(document).valid
