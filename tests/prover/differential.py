"""A differential fuzz of the fast engine against the reference engine.

    python tests/prover/differential.py [--inputs N] [--seed S] [--jobs J] [--out FILE]

Documents from the examples, the upstream corpus and the conformance cases are mutated,
as JSON (values at the edges of every rule: numbers at the int64 and double bounds, in
exponent form, escapes, surrogates, control characters, timestamps with offsets, empty and
numeric keys, unknown fields, deep nesting) and as bytes (flips, insertions, cuts), then
validated by both engines: as bytes, str, bytearray or memoryview, or decoded (some numbers
and strings then of subclasses of int, float and str), strict or not, as the type they are,
another type or "auto", with the default limits or each at random (small, the document's own
size, 2**64). A few inputs are dense documents cut short in brackets or with a duplicate
key. The reports (verdict, every rule id, pointer and message, in order) and the decoded
documents (types included: 1 is not 1.0) must be equal, and neither engine may raise. Each
disagreement is written to --out as a JSON line and the run exits 1. Crashes and memory
errors are for the sanitizers to report: `make sanitize` runs a short fuzz on the prover
built with them, `make fuzz` a long one.
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import prover_under_test  # noqa: E402, F401  (the sanitizer build, when GUESTKIT_PROVER names one)
from conftest import paths_in, same_values  # noqa: E402
from guestkit_job_spec import Limits, validate  # noqa: E402
from guestkit_job_spec.protocol.doctype import detect  # noqa: E402

DOCUMENT_TYPES = ("job", "result", "progress", "worker")
FORMS = ("bytes", "bytes", "bytes", "str", "bytearray", "memoryview", "decoded")

NUMBERS = [
    "0", "-0", "1", "-1", "7", "0.0", "-0.0", "1.0", "2.5", "1e0", "5E+0", "1e-400", "1e400", "-1e400",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "1" + "0" * 30, "123456789012345678", "1234567890123456789",
    "0." + "1" * 40, "1.7976931348623157e308", "4.9e-324", "86401", "100001", "65536", "-5", "3.0e3",
]  # fmt: skip
STRINGS = [
    "", " ", "x", "é", "🙂", "\u2028", "\x7f", "\n", "a\nb", "a\x00b", "\t", "\\", '"', "/", "\ud800", "\udfff",
    "\b\f\r\x1f", "a\u0085b", "\ufeff", "ü\U0001f600\ud83d",
    "2026-01-30T10:00:00Z", "2026-01-30T10:00:00Z\n", "2026-01-30T10:00:00.123456+00:00", "2026-02-29T10:00:00Z",
    "2024-02-29T23:59:59-01:00", "0000-01-01T00:00:00Z", "2026-01-30t10:00:00z", "2026-01-30 10:00:00Z",
    "job-01JAB3Y7X5K4M8F9W2T6GHJKMN", "job-0123\n", "/vms/a.qcow2", "/vms/../etc", "C:\\vms\\a.vhd",
    "sha256:" + "a" * 64, "sha256:" + "A" * 64, "guestkit.inspect", "guestkit.inspect.v1", "guestkit.inspect.v2",
    "guestkit.doctor.v1", "guestkit.backup.v1", "example.com/x", "1.2.3", "1.2.3-rc.1+b.5", "qcow2", "raw",
    "x" * 300, "é" * 70,
]  # fmt: skip
KEYS = ["", "0", "01", "+1", "nmae", "priorty", "example.com/cost", "example.com/cost\n", "é", "a/b", "a~b"]
BYTES = [b'"', b"\\", b"{", b"}", b"[", b"]", b",", b":", b"0", b"e", b"-", b".", b"\x00", b"\xff", b"\xc3", b" "]


def seeds() -> list[Any]:
    """Every document the repository holds: examples, upstream corpus, conformance cases."""
    documents: list[Any] = []
    for folder in (ROOT / "examples", ROOT / "tests" / "corpus" / "upstream"):
        documents += [json.loads(path.read_bytes()) for path in sorted(folder.glob("*.json"))]
    for path in sorted((ROOT / "tests" / "conformance" / "cases").glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            if case["kind"] == "document":
                documents.append(case["document"])
            elif case["kind"] == "text":
                data = case["text"].encode() if "text" in case else base64.b64decode(case["base64"])
                try:
                    documents.append(json.loads(data))
                except ValueError:
                    continue
    return documents


def at(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def value(rng: random.Random, depth: int = 0) -> Any:
    """A JSON value at the edges of the rules (numbers as Literal text, written as they are)."""
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(STRINGS)
    if roll < 0.55:
        return Literal(rng.choice(NUMBERS))
    if roll < 0.65:
        return rng.choice([None, True, False])
    if roll < 0.75 or depth > 3:
        return rng.choice([[], {}, [None], {"": 1}])
    if roll < 0.85:
        return [value(rng, depth + 1) for _ in range(rng.randint(1, 3))]
    if roll < 0.9:
        deep: Any = "x"
        for _ in range(rng.choice([10, 63, 64, 65, 70])):
            deep = [deep] if rng.random() < 0.5 else {"d": deep}
        return deep
    return {rng.choice(KEYS): value(rng, depth + 1) for _ in range(rng.randint(1, 3))}


class Literal(str):
    """JSON text to write as it is: a number in a given spelling (exponents, -0, digits past
    int64...), or a string literal, quotes included, with escapes of our choosing."""


SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(rng: random.Random, text: str) -> Literal:
    """``text`` as a JSON string literal in which some characters are escaped, some not."""
    out = []
    for char in text:
        code = ord(char)
        if char in SHORT_ESCAPES and rng.random() < 0.7:
            out.append(SHORT_ESCAPES[char])
        elif code < 0x20 or char in '"\\' or 0xD800 <= code < 0xE000 or rng.random() < 0.3:
            if code > 0xFFFF:
                high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
                out.append(f"\\u{high:04x}\\u{low:04X}")
            else:
                out.append(f"\\u{code:04x}" if rng.random() < 0.5 else f"\\u{code:04X}")
        else:
            out.append(char)
    return Literal('"' + "".join(out) + '"')


def mutate(rng: random.Random, document: Any) -> Any:
    """The document with one to three changes at random places."""
    for _ in range(rng.randint(1, 3)):
        paths = paths_in(document)
        path = rng.choice(paths)
        holder = at(document, path[:-1]) if path else None
        roll = rng.random()
        if not path or roll < 0.45:
            if not path:
                document = value(rng) if roll < 0.05 else document
                continue
            holder[path[-1]] = value(rng)
        elif roll < 0.6 and isinstance(holder, dict):
            del holder[path[-1]]
        elif roll < 0.8 and isinstance(holder, dict):
            key = rng.choice([*KEYS, str(path[-1])[:-1], str(path[-1]) + "x", str(path[-1]).upper()])
            holder[key] = at(document, path)
        else:
            target = at(document, path)
            if isinstance(target, dict):
                target[rng.choice(KEYS)] = value(rng)
            elif isinstance(target, list):
                target.append(value(rng))
    return document


def serialize(rng: random.Random, document: Any) -> bytes:
    """The document as a producer writes it: Python's defaults, UTF-8, indented, compact or Go's escaping."""
    style = rng.random()
    options: dict[str, Any] = {"ensure_ascii": style < 0.5}
    if rng.random() < 0.3:
        options["indent"] = rng.choice([1, 2, "\t"])
    elif rng.random() < 0.5:
        options["separators"] = (",", ":")
    literals: list[str] = []

    def placeholder(node: Any) -> Any:
        if isinstance(node, str) and not isinstance(node, Literal) and rng.random() < 0.15:
            node = escaped(rng, node)
        if isinstance(node, Literal):
            literals.append(str(node))
            return f"\x01literal{len(literals) - 1}\x01"
        if isinstance(node, dict):
            return {placeholder(key): placeholder(item) for key, item in node.items()}
        if isinstance(node, list):
            return [placeholder(item) for item in node]
        return node

    text = json.dumps(placeholder(document), **options)
    for index, literal in enumerate(literals):
        text = text.replace(f'"\\u0001literal{index}\\u0001"', literal)
    if style > 0.85:  # Go's encoding/json escapes these
        text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.25:
        data = corrupt(rng, data)
    return data


def corrupt(rng: random.Random, data: bytes) -> bytes:
    """A byte-level change: a flip, an insertion, a cut, a repeat or a truncation."""
    if not data:
        return rng.choice(BYTES)
    position = rng.randrange(len(data))
    roll = rng.random()
    if roll < 0.25:
        return data[:position] + bytes([rng.randrange(256)]) + data[position + 1 :]
    if roll < 0.55:
        return data[:position] + rng.choice(BYTES) * rng.choice([1, 1, 2, 70]) + data[position:]
    if roll < 0.7:
        return data[:position] + data[position + rng.randint(1, 8) :]
    if roll < 0.85:
        end = min(len(data), position + rng.randint(1, 40))
        return data[:end] + data[position:end] + data[end:]
    return data[:position]


def dense(rng: random.Random) -> bytes:
    """A document with about as many values as it has bytes / 2, the most the prover's tape
    holds, then cut short in brackets or given a duplicate key: the reader's edges."""
    values = b"0," * rng.randint(4_000, 5_000)
    if rng.random() < 0.5:
        return b"[" + values + b"[" * rng.choice([1, 4, 63, 64, 70])
    keys = [b'"k%d":0' % n for n in range(rng.choice([1, 15, 16, 17, 40]))]
    keys.insert(rng.randrange(len(keys) + 1), rng.choice(keys))
    return b"{" + b",".join(keys) + b',"x":[' + values + b"0]}"


class Integer(int):
    """A subclass of int a caller's decoder may give (as of str and float below)."""


class Fraction(float):
    pass


class Text(str):
    pass


def subclassed(rng: random.Random, node: Any) -> Any:
    """A decoded document with some of its numbers and strings (keys too) of subclasses."""
    if isinstance(node, dict):
        return {subclassed(rng, key): subclassed(rng, item) for key, item in node.items()}
    if isinstance(node, list):
        return [subclassed(rng, item) for item in node]
    if rng.random() < 0.9 or isinstance(node, bool):
        return node
    kind = {int: Integer, float: Fraction, str: Text}.get(type(node))
    return node if kind is None else kind(node)


def limits_for(rng: random.Random, data: bytes) -> Limits:
    """The default limits mostly; else each limit at random: small, near the document's own, or huge."""
    if rng.random() < 0.85:
        return Limits()
    return Limits(
        max_document_bytes=rng.choice([Limits.max_document_bytes, max(1, len(data) - 1), max(1, len(data)), 2**64]),
        max_depth=rng.randint(1, 6) if rng.random() < 0.5 else Limits.max_depth,
        max_string_length=rng.choice([Limits.max_string_length, rng.randint(1, 30), 2**64]),
        max_container_entries=rng.choice([Limits.max_container_entries, rng.randint(1, 10), 2**64]),
    )


def form_of(data: bytes, form: str, rng: random.Random) -> Any:
    """``data`` as validate is given it; "decoded" is Python's json.loads of it, when it decodes."""
    if form == "decoded":
        try:
            return subclassed(rng, json.loads(data))
        except (ValueError, RecursionError):
            return data
    if form == "str":
        return data.decode("utf-8", "surrogateescape")
    if form == "bytearray":
        return bytearray(data)
    if form == "memoryview":
        return memoryview(data)
    return data


def trial(rng: random.Random, documents: list[Any]) -> dict[str, Any] | None:
    """One input through both engines; the disagreement, or None."""
    document = mutate(rng, json.loads(json.dumps(rng.choice(documents))))
    data = serialize(rng, document) if rng.random() < 0.99 else dense(rng)
    own = detect(document) if isinstance(document, dict) else None
    doc_type = own if own and rng.random() < 0.7 else rng.choice([*DOCUMENT_TYPES, "auto"])
    strict = rng.random() < 0.5
    limits = limits_for(rng, data)
    form = rng.choice(FORMS)
    state = rng.getstate()  # the same subclasses for both engines
    answers = []
    for engine in ("fast", "reference"):
        rng.setstate(state)
        given = form_of(data, form, rng)
        try:
            report = validate(given, type=doc_type, strict=strict, limits=limits, engine=engine)
        except Exception as error:  # validate never raises on bad input: an exception is a finding too
            answers.append((f"{type(error).__name__}: {error}", None))
        else:
            answers.append((report.to_dict(), report.document))
    (fast, fast_document), (reference, reference_document) = answers
    if fast == reference and same_values(fast_document, reference_document):
        return None
    return {
        "base64": base64.b64encode(data).decode(),
        "type": doc_type,
        "strict": strict,
        "limits": {name: str(limit) for name, limit in vars(limits).items()},  # 2**64 is no JSON number
        "form": form,
        "fast": fast,
        "reference": reference,
    }


def run_chunk(arguments: tuple[int, int, int]) -> tuple[int, list[dict[str, Any]]]:
    seed, chunk, count = arguments
    rng = random.Random(f"{seed}/{chunk}")  # runs of different seeds share no chunk
    documents = _DOCUMENTS or seeds()
    found = [disagreement for _ in range(count) if (disagreement := trial(rng, documents)) is not None]
    return count, found


_DOCUMENTS: list[Any] = []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=10_000, help="how many inputs (default 10,000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first chunk; the run is reproducible")
    parser.add_argument("--jobs", type=int, default=multiprocessing.cpu_count(), help="processes (default: cores)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "differential-disagreements.jsonl")
    args = parser.parse_args()
    _DOCUMENTS.extend(seeds())
    chunk = 250
    chunks = [(args.seed, n, min(chunk, args.inputs - n * chunk)) for n in range((args.inputs + chunk - 1) // chunk)]
    done, found, started = 0, [], time.monotonic()
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for count, disagreements in pool.imap_unordered(run_chunk, chunks):
            done += count
            found += disagreements
            rate = done / max(time.monotonic() - started, 1e-9)
            if sys.stderr.isatty():
                progress = f"{done:,} / {args.inputs:,} inputs, {len(found)} disagreements, {rate:,.0f}/s"
                print(f"\r{progress}", end="", file=sys.stderr)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    summary = f"{done:,} inputs from {len(_DOCUMENTS):,} seed documents, seed {args.seed}"
    print(f"differential fuzz: {summary}: {len(found)} disagreements")
    if found:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(item) + "\n" for item in found), encoding="utf-8")
        print(f"written to {args.out}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
