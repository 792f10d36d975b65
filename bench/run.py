"""make bench: guestkit-job-spec's speed and scale beside its peers, written to docs/benchmarks.md.

    python bench/run.py [--out docs/benchmarks.md] [--quick] [--peer-sample N]

Builds its inputs in a temporary folder and runs every comparison of issue #6 side by side
on this machine, interleaving the contenders so that a noisy moment hurts them alike:
per document against orjson, jsonschema and ajv; an invalid document's full error list;
the CLI over a JSON Lines file and a folder against check-jsonschema; start-up; and how
time and memory grow with document size and count. Peers: jsonschema and check-jsonschema
from requirements/dev.txt, ajv from tests/conformance/node/package-lock.json (make bench
installs both). --quick shrinks every input, for the smoke test in make test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson
import realistic

from guestkit_job_spec import validate
from guestkit_job_spec.protocol.limits import DEFAULT_LIMITS
from guestkit_job_spec.validation.fast import closed_check, prover

# jsonschema as a Python scheduler would use it, and as the reference engine does: the
# canonical schemas, formats asserted.
from guestkit_job_spec.validation.reference.schema_check import validator_for

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FULL_JOB = (ROOT / "examples" / "inspect-full.json").read_bytes()
MINIMAL_JOB = (ROOT / "examples" / "inspect-minimal.json").read_bytes()
JOB_BUNDLE = ROOT / "bundles" / "job-v1.bundle.json"
GO = os.environ.get("GO") or shutil.which("go") or "go"  # the Makefile gives its GO
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Sizes:
    jsonl_jobs: int
    folder_files: int
    peer_sample: int
    rounds: int
    seconds_per_round: float
    labels: tuple[int, ...]
    payload_bytes: tuple[int, ...]
    per_class: int


FULL = Sizes(
    100_000,
    10_000,
    1_000,
    7,
    0.25,
    (10, 100, 1_000, 10_000, 100_000),
    (1_000, 10_000, 100_000, 1_000_000, 10_000_000),
    realistic.PER_CLASS,
)
QUICK = Sizes(1_000, 300, 10, 2, 0.02, (10, 1_000), (1_000, 100_000), 2)


# ---------------------------------------------------------------- timing


def per_call(contenders: dict[str, Callable[[], Any]], sizes: Sizes) -> dict[str, float]:
    """Seconds per call of each contender: the best of several interleaved rounds."""
    counts = {}
    for name, call in contenders.items():
        started, count = time.perf_counter(), 0
        while time.perf_counter() - started < sizes.seconds_per_round / 5:
            call()
            count += 1
        counts[name] = max(1, count * 5)
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(sizes.rounds):
        for name, call in contenders.items():
            started = time.perf_counter()
            for _ in range(counts[name]):
                call()
            best[name] = min(best[name], (time.perf_counter() - started) / counts[name])
    return best


def node_timings(document: Path, sizes: Sizes) -> dict[str, float]:
    iterations = "2000" if sizes is FULL else "200"
    out = subprocess.run(
        ["node", str(ROOT / "bench" / "ajv.mjs"), str(document), iterations, str(sizes.rounds)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {name: micros / 1e6 for name, micros in json.loads(out).items()}


def go_timings(document: Path, sizes: Sizes, work: Path) -> dict[str, float]:
    """The Go module's Validate on the same bytes (go/internal/bench), built offline from the
    modules make bench downloaded."""
    binary = work / "go-bench"
    if not binary.exists():
        offline = {**os.environ, "GOFLAGS": "-mod=readonly", "GOPROXY": "off"}
        subprocess.run([GO, "build", "-o", str(binary), "./internal/bench"], cwd=ROOT / "go", env=offline, check=True)
    iterations = "2000" if sizes is FULL else "200"
    out = subprocess.run([str(binary), str(document), iterations, str(sizes.rounds)], check=True, capture_output=True)
    return {name: micros / 1e6 for name, micros in json.loads(out.stdout).items()}


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    max_rss_mb: float
    stdout_lines: int


def run_measured(command: list[str]) -> Run:
    """Run a command in a fresh wrapper process, whose children's usage is the command's alone."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
        "wall = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps([wall, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024, p.stdout.count(b'\\n')]))\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, *command], check=True, capture_output=True, text=True)
    wall, cpu, rss, lines = json.loads(out.stdout)
    return Run(wall, cpu, rss, lines)


# ---------------------------------------------------------------- inputs


def job_with_id(template: dict[str, Any], rng: random.Random) -> bytes:
    template["job_id"] = "job-" + "".join(rng.choice(CROCKFORD) for _ in range(26))
    return orjson.dumps(template)


def write_jsonl(path: Path, count: int) -> None:
    rng, template = random.Random(6), json.loads(FULL_JOB)
    with path.open("wb") as out:
        for _ in range(count):
            out.write(job_with_id(template, rng) + b"\n")


def write_folder(path: Path, count: int) -> None:
    rng, template = random.Random(7), json.loads(FULL_JOB)
    path.mkdir()
    for number in range(count):
        (path / f"job-{number:05d}.json").write_bytes(job_with_id(template, rng))


def invalid_job() -> bytes:
    job = json.loads(FULL_JOB)
    job["job_id"] = "../etc/passwd"
    job["execution"]["priority"] = 11
    job["execution"]["timeout_seconds"] = 0
    job["payload"]["data"]["image"]["checksum"] = "md5:abc"
    job["payload"]["data"]["image"]["format"] = "vhd"
    job["metadata"]["nmae"] = "typo"
    job["created_at"] = "yesterday"
    return json.dumps(job).encode()


def job_with_labels(count: int) -> bytes:
    job = json.loads(FULL_JOB)
    job["metadata"]["labels"] = {f"label-{i}": f"value-{i}" for i in range(count)}
    return json.dumps(job).encode()


def job_with_payload_bytes(size: int) -> bytes:
    job = json.loads(FULL_JOB)
    chunk = "x" * 1_000
    job["payload"]["data"]["example.com/blob"] = [chunk] * max(1, size // 1_004)
    return json.dumps(job).encode()


# ---------------------------------------------------------------- sections


def ratio(slow: float, fast: float) -> str:
    return f"{slow / fast:,.1f}x"


def section_per_document(sizes: Sizes, work: Path, goals: list[tuple[str, str, bool]]) -> list[str]:
    reference = validator_for("job")
    lines = [
        "## Per document: `validate(bytes)` end to end",
        "",
        "Decoding, schema, code-only rules and warnings, on the bytes a scheduler receives. jsonschema gets "
        "the decoded document (`json.loads` included) and the canonical schemas with formats asserted; "
        "ajv runs `JSON.parse` + validate on Node.js.",
        "",
        "| document | orjson.loads | guestkit (fast) | guestkit (reference) | jsonschema | ajv (Node) | "
        "npm package (Node) | vs jsonschema | vs orjson | vs ajv |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, data in (
        (f"full job, {len(FULL_JOB):,} bytes", FULL_JOB),
        (f"minimal job, {len(MINIMAL_JOB):,} bytes", MINIMAL_JOB),
    ):
        timings = per_call(
            {
                "orjson": lambda data=data: orjson.loads(data),
                "fast": lambda data=data: validate(data),
                "reference": lambda data=data: validate(data, engine="reference"),
                "jsonschema": lambda data=data: reference.is_valid(json.loads(data)),
            },
            sizes,
        )
        path = work / "document.json"
        path.write_bytes(data)
        node = node_timings(path, sizes)
        fast = timings["fast"]
        micros = [timings[name] * 1e6 for name in ("orjson", "fast", "reference", "jsonschema")]
        micros += [node[name] * 1e6 for name in ("ajv", "npm_package")]
        lines.append(
            f"| {label} | " + " | ".join(f"{value:,.1f} µs" for value in micros) + " | "
            f"{ratio(timings['jsonschema'], fast)} | {timings['orjson'] / fast:.2f}x | {node['ajv'] / fast:.2f}x |"
        )
        goals.append(
            (
                f"{label}: at least 40x jsonschema",
                ratio(timings["jsonschema"], fast),
                timings["jsonschema"] / fast >= 40,
            )
        )
        goals.append(
            (
                f"{label}: at least 0.4x orjson.loads",
                f"{timings['orjson'] / fast:.2f}x",
                timings["orjson"] / fast >= 0.4,
            )
        )
        goals.append((f"{label}: faster than ajv (aim)", f"{node['ajv'] / fast:.2f}x", node["ajv"] / fast >= 1))
    return lines


def section_go(sizes: Sizes, work: Path, goals: list[tuple[str, str, bool]]) -> list[str]:
    reference = validator_for("job")
    lines = [
        "## The Go module: `Validate(bytes)` end to end",
        "",
        "The Go module's `Validate` (go/: jsontext decoding, its fast path proving a clean document, "
        "santhosh-tekuri/jsonschema wording any other, the code-only rules) beside the Python package's fast "
        "engine, jsonschema (`json.loads` and `is_valid`, formats asserted) and ajv (`JSON.parse` and validate) "
        "on the same bytes.",
        "",
        "| document | Go module | guestkit (fast) | jsonschema | ajv (Node) | Go vs jsonschema | Go vs ajv |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, data in (
        (f"full job, {len(FULL_JOB):,} bytes", FULL_JOB),
        (f"minimal job, {len(MINIMAL_JOB):,} bytes", MINIMAL_JOB),
    ):
        path = work / "go-document.json"
        path.write_bytes(data)
        go = go_timings(path, sizes, work)["go"]
        timings = per_call(
            {
                "fast": lambda data=data: validate(data),
                "jsonschema": lambda data=data: reference.is_valid(json.loads(data)),
            },
            sizes,
        )
        node = node_timings(path, sizes)
        micros = [go * 1e6, timings["fast"] * 1e6, timings["jsonschema"] * 1e6, node["ajv"] * 1e6]
        lines.append(
            f"| {label} | " + " | ".join(f"{value:,.1f} µs" for value in micros) + " | "
            f"{ratio(timings['jsonschema'], go)} | {node['ajv'] / go:.2f}x |"
        )
        if data is FULL_JOB:
            goals.append(
                (
                    f"Go module, {label}: at least 30x jsonschema",
                    ratio(timings["jsonschema"], go),
                    timings["jsonschema"] / go >= 30,
                )
            )
    return lines


def section_invalid(sizes: Sizes, goals: list[tuple[str, str, bool]]) -> list[str]:
    data, reference = invalid_job(), validator_for("job")
    report = validate(data)
    timings = per_call(
        {
            "guestkit": lambda: validate(data),
            "jsonschema": lambda: list(reference.iter_errors(json.loads(data))),
        },
        sizes,
    )
    found = ratio(timings["jsonschema"], timings["guestkit"])
    goals.append(
        (
            "invalid document, full error list: at least 20x jsonschema iter_errors",
            found,
            timings["jsonschema"] / timings["guestkit"] >= 20,
        )
    )
    return [
        "## An invalid document, every error reported",
        "",
        f"The full job with {len(report.errors)} errors and {len(report.warnings)} warning(s), every one reported "
        "with its rule, pointer and message. guestkit's prover lists every keyword the document fails, which "
        "Python words as the reference engine would; jsonschema gets the decoded document. The did-you-mean "
        "hint for an unknown field is cached per field name and declared names, as a scheduler sees the same "
        "misspellings again and again.",
        "",
        "| guestkit `validate` | jsonschema `iter_errors` | ratio |",
        "|---|---|---|",
        f"| {timings['guestkit'] * 1e6:,.0f} µs | {timings['jsonschema'] * 1e6:,.0f} µs | {found} |",
    ]


def class_timings(
    samples: list[realistic.Sample], sizes: Sizes, peer: Callable[[realistic.Sample], Any]
) -> dict[str, float]:
    """Seconds to take every sample of a class: orjson.loads, guestkit's validate and the peer."""

    def each(call: Callable[[realistic.Sample], Any]) -> Callable[[], None]:
        return lambda: [call(sample) for sample in samples] and None

    return per_call(
        {
            "orjson": each(lambda sample: orjson.loads(sample.data)),
            "guestkit": each(lambda sample: validate(sample.data, type=sample.doc_type, strict=sample.strict)),
            "jsonschema": each(peer),
        },
        sizes,
    )


def chart(title: str, classes: list[str], ratios: list[float], goal: float) -> list[str]:
    """A bar per class and the goal as a line (Mermaid's xychart, drawn where the page is read)."""
    top = max(1.0, round(max(ratios) + 0.15, 1))
    return [
        "```mermaid",
        "xychart-beta",
        f'    title "{title}"',
        "    x-axis [" + ", ".join(f'"{name}"' for name in classes) + "]",
        f'    y-axis "times orjson.loads" 0 --> {top}',
        "    bar [" + ", ".join(f"{value:.2f}" for value in ratios) + "]",
        "    line [" + ", ".join(f"{goal:.2f}" for _ in classes) + "]",
        "```",
    ]


def section_realistic(sizes: Sizes, goals: list[tuple[str, str, bool]]) -> list[str]:
    classes = {name: samples[: sizes.per_class] for name, samples in realistic.corpus().items()}
    rows, totals, ratios = [], dict.fromkeys(("orjson", "guestkit", "jsonschema"), 0.0), []
    for name, samples in classes.items():
        timings = class_timings(samples, sizes, lambda s: validator_for(s.doc_type).is_valid(json.loads(s.data)))
        for contender in totals:
            totals[contender] += timings[contender]
        ratios.append(timings["orjson"] / timings["guestkit"])
        size = sum(len(sample.data) for sample in samples) // len(samples)
        rows.append(
            f"| {name} | {len(samples)} | {size:,} | {timings['guestkit'] / len(samples) * 1e6:,.1f} µs | "
            f"{ratios[-1]:.2f}x | {ratio(timings['jsonschema'], timings['guestkit'])} |"
        )
    whole_orjson, whole_jsonschema = totals["orjson"] / totals["guestkit"], totals["jsonschema"] / totals["guestkit"]
    goals.append(("realistic corpus: at least 0.45x orjson.loads", f"{whole_orjson:.2f}x", whole_orjson >= 0.45))
    goals.append(
        (
            "realistic corpus: at least 50x jsonschema",
            ratio(totals["jsonschema"], totals["guestkit"]),
            whole_jsonschema >= 50,
        )
    )
    worst = min(ratios)
    goals.append(("realistic corpus: no class below 0.3x orjson.loads", f"{worst:.2f}x", worst >= 0.3))
    return [
        "## Realistic documents: as producers write them",
        "",
        "Every example, valid conformance document and upstream job (bench/realistic.py), rewritten as producers "
        "write them: Python's `json.dumps` with its defaults (non-ASCII escaped), indented and as UTF-8, Go's "
        "`encoding/json` (`&`, `<`, `>` escaped), JavaScript; then with `isoformat()` and local-zone timestamps, "
        "human text, extension keys and upstream's payload types (a warning), each written by the producers in "
        "turn. Jobs, results, progress events and worker registrations alike; `validate(bytes, type=...)` "
        "against `orjson.loads` and against jsonschema (`json.loads` and `is_valid`, formats asserted).",
        "",
        "| class | documents | mean bytes | guestkit per document | vs orjson | vs jsonschema |",
        "|---|---|---|---|---|---|",
        *rows,
        f"| **the corpus as a whole** | {sum(map(len, classes.values()))} | | | **{whole_orjson:.2f}x** | "
        f"**{ratio(totals['jsonschema'], totals['guestkit'])}** |",
        "",
        *chart("validate(bytes) against orjson.loads; the line is the goal (0.3x)", list(classes), ratios, 0.3),
    ]


def section_mistakes(sizes: Sizes, goals: list[tuple[str, str, bool]]) -> list[str]:
    rows, guestkit, jsonschema = [], 0.0, 0.0
    for name, samples in realistic.mistakes().items():
        samples = samples[: sizes.per_class]
        timings = class_timings(
            samples, sizes, lambda s: list(validator_for(s.doc_type).iter_errors(json.loads(s.data)))
        )
        guestkit, jsonschema = guestkit + timings["guestkit"], jsonschema + timings["jsonschema"]
        rows.append(
            f"| {name} | {len(samples)} | {timings['guestkit'] / len(samples) * 1e6:,.1f} µs | "
            f"{timings['jsonschema'] / len(samples) * 1e6:,.1f} µs | "
            f"{ratio(timings['jsonschema'], timings['guestkit'])} |"
        )
    goals.append(
        (
            "mistakes people make: at least 25x jsonschema iter_errors",
            ratio(jsonschema, guestkit),
            jsonschema / guestkit >= 25,
        )
    )
    return [
        "## The mistakes people make",
        "",
        "The realistic jobs with one mistake each (bench/realistic.py): a required field missing, a wrong enum, "
        "a malformed checksum, a misspelt field name under `--strict`, a wrong type. guestkit's report has every "
        "error worded; jsonschema's `iter_errors` lists its errors (it has no notion of an unknown field).",
        "",
        "| mistake | documents | guestkit per document | jsonschema `iter_errors` | ratio |",
        "|---|---|---|---|---|",
        *rows,
        f"| **all** | | | | **{ratio(jsonschema, guestkit)}** |",
    ]


def section_cli(sizes: Sizes, work: Path, goals: list[tuple[str, str, bool]]) -> list[str]:
    cli, peer = str(BIN / "guestkit-job"), str(BIN / "check-jsonschema")
    jsonl, jsonl_10x, folder = work / "jobs.jsonl", work / "jobs-10x.jsonl", work / "jobs"
    write_jsonl(jsonl, sizes.jsonl_jobs)
    write_jsonl(jsonl_10x, sizes.jsonl_jobs * 10)
    write_folder(folder, sizes.folder_files)
    sample = sorted(str(path) for path in folder.iterdir())[: sizes.peer_sample]
    runs = {
        "jsonl": run_measured([cli, "validate", "-q", str(jsonl)]),
        "jsonl_one_worker": run_measured([cli, "validate", "-q", "-j", "1", str(jsonl)]),
        "jsonl_10x": run_measured([cli, "validate", "-q", str(jsonl_10x)]),
        "folder": run_measured([cli, "validate", "-q", str(folder)]),
        "peer": run_measured([peer, "--schemafile", str(JOB_BUNDLE), *sample]),
    }
    peer_per_doc = runs["peer"].wall / len(sample)
    rows = [
        ("JSON Lines", sizes.jsonl_jobs, runs["jsonl"]),
        ("JSON Lines, `-j 1`", sizes.jsonl_jobs, runs["jsonl_one_worker"]),
        ("JSON Lines, 10x", sizes.jsonl_jobs * 10, runs["jsonl_10x"]),
        ("folder of files", sizes.folder_files, runs["folder"]),
    ]
    lines = [
        "## The CLI over many documents",
        "",
        f"`guestkit-job validate -q` (every core: {os.cpu_count()} here) against `check-jsonschema --schemafile "
        f"bundles/job-v1.bundle.json` on the same files. check-jsonschema reads no JSON Lines and takes "
        f"{peer_per_doc * 1e3:,.1f} ms a file, so it runs on the first {len(sample):,} files of the folder and "
        "its time per document is the yardstick (it is flat: one file at a time). CPU is user + system time of "
        "every process; cores used = CPU / wall. The 10x row shows memory staying flat as input grows.",
        "",
        "| input | documents | wall | per document | cores used | max RSS (any process) | vs check-jsonschema |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, count, run in rows:
        per_doc = run.wall / count
        lines.append(
            f"| {label} | {count:,} | {run.wall:,.1f} s | {per_doc * 1e6:,.0f} µs | {run.cpu / run.wall:.2f} | "
            f"{run.max_rss_mb:,.0f} MB | {ratio(peer_per_doc, per_doc)} |"
        )
        assert run.stdout_lines == 1, "quiet mode prints only the summary line on stdout"
    peer = runs["peer"]
    lines.append(
        f"| check-jsonschema, folder sample | {len(sample):,} | {peer.wall:,.1f} s | {peer_per_doc * 1e6:,.0f} µs | "
        f"{peer.cpu / peer.wall:.2f} | {peer.max_rss_mb:,.0f} MB | 1.0x |"
    )
    for label, count, run in (rows[0], rows[3]):
        speedup = peer_per_doc / (run.wall / count)
        goals.append((f"CLI, {label}: at least 20x check-jsonschema", f"{speedup:,.0f}x", speedup >= 20))
    goals.append(
        (
            "CLI uses both cores",
            f"{runs['jsonl'].cpu / runs['jsonl'].wall:.2f} cores",
            runs["jsonl"].cpu / runs["jsonl"].wall >= 1.5,
        )
    )
    flat = runs["jsonl_10x"].max_rss_mb <= runs["jsonl"].max_rss_mb * 1.25
    goals.append(
        (
            "CLI memory flat at 10x the input",
            f"{runs['jsonl'].max_rss_mb:,.0f} MB -> {runs['jsonl_10x'].max_rss_mb:,.0f} MB",
            flat,
        )
    )
    return lines


def section_start_up(sizes: Sizes, work: Path, goals: list[tuple[str, str, bool]]) -> list[str]:
    one = work / "one.json"
    one.write_bytes(FULL_JOB)
    commands = {
        "guestkit-job validate one.json": [str(BIN / "guestkit-job"), "validate", str(one)],
        "check-jsonschema --schemafile bundle one.json": [
            str(BIN / "check-jsonschema"),
            "--schemafile",
            str(JOB_BUNDLE),
            str(one),
        ],
    }
    medians = {
        name: statistics.median(run_measured(command).wall for _ in range(max(3, sizes.rounds)))
        for name, command in commands.items()
    }
    ours, peer = medians.values()
    goals.append(("start-up: at most half of check-jsonschema's", f"{ours / peer:.2f} of it", ours <= peer / 2))
    return [
        "## Start-up: one file",
        "",
        "| command | median wall time |",
        "|---|---|",
        *(f"| `{name}` | {seconds * 1e3:,.0f} ms |" for name, seconds in medians.items()),
        "",
        f"guestkit-job takes {ours / peer:.2f} of check-jsonschema's time.",
    ]


def scale_row(label: str, data: bytes, sizes: Sizes) -> str:
    one_round = Sizes(**{**vars(sizes), "rounds": 1})  # a 10 MB document is slow enough to time once
    timing = per_call({"validate": lambda: validate(data)}, one_round)["validate"]
    tracemalloc.start()
    validate(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if prover.proves(data, "job", DEFAULT_LIMITS):
        decoder = "the prover"
    elif closed_check.decode(data, DEFAULT_LIMITS) is not None:
        decoder = "orjson + jsonschema-rs"
    else:
        decoder = "jiter + jsonschema-rs"
    cells = [label, f"{len(data):,}", f"{timing * 1e3:,.2f} ms", f"{len(data) / timing / 1e6:,.0f} MB/s"]
    return "| " + " | ".join([*cells, f"{peak / 1e6:,.1f} MB", decoder]) + " |"


def section_scale(sizes: Sizes) -> list[str]:
    header = ["| document | bytes | time | throughput | Python heap peak | proved by |", "|---|---|---|---|---|---|"]
    return [
        "## Scale: how time and memory grow",
        "",
        "One `validate(bytes)` call per document (default engine; the last column says what proved it valid: the "
        "compiled prover, or when it declines, orjson or jiter decoding and jsonschema-rs). Heap peak is what "
        "tracemalloc sees: Python objects, orjson's included; the prover's tape and jsonschema-rs's buffers are "
        "not counted. Document count: see the CLI "
        "table, where 10x the documents takes about 10x the time in the same memory.",
        "",
        "Labels map of N entries:",
        "",
        *header,
        *(scale_row(f"{count:,} labels", job_with_labels(count), sizes) for count in sizes.labels),
        "",
        "Payload data of N bytes (an extension member holding 1,000-character strings):",
        "",
        *header,
        *(scale_row(f"{size:,} bytes of payload", job_with_payload_bytes(size), sizes) for size in sizes.payload_bytes),
    ]


def adversarial_inputs(scale: float) -> list[tuple[str, bytes]]:
    """Shapes meant to make a validator slow, each within the default limits (``scale`` 1)."""
    full = json.loads(FULL_JOB)
    count, mib = int(100_000 * scale), int(2**20 * scale)

    def job_with(section: str, member: str, value: Any) -> bytes:
        job = json.loads(FULL_JOB)
        job.setdefault(section, {})[member] = value
        return json.dumps(job).encode()

    unknown = {**full, "metadata": {**full["metadata"], **{f"unknown{n}": "v" for n in range(count)}}}
    long_keys = {"k" * 100 + str(n): n for n in range(count)}
    same_prefix = b",".join(b'"%s%07d":0' % (b"a" * 60, n) for n in range(count))
    dense = b",".join([b"[" + b",".join([b"0"] * (count - 1)) + b"]"] * max(1, 8 * mib // count))  # about 16 MiB
    return [
        (f"{count:,} labels", job_with("metadata", "labels", {f"label-{n}": "v" for n in range(count)})),
        (f"{count:,} unknown fields", json.dumps(unknown).encode()),
        (f"{count // 5:,} invalid label values (as many errors)", job_with("metadata", "labels", dict.fromkeys(
            (f"label-{n}" for n in range(count // 5)), 5))),
        (f"{16 * mib:,} bytes of brackets, never closed, after a bad key", b"{0:" + b"[" * (16 * mib - 3)),
        (f"64 levels deep, then {16 * mib:,} bytes of brackets", b"[" * 64 + b"[]" * (8 * mib - 64)),
        (f"dense brackets: {count // 10:,} arrays of 50 empty arrays", b"[" + b",".join(
            [b"[" + b",".join([b"[]"] * 50) + b"]"] * (count // 10)) + b"]"),
        ("a 1 MiB string", job_with("metadata", "name", "x" * (mib - 100))),
        ("1 MiB of short escapes", job_with("metadata", "name", "\n" * (mib // 2))),
        ("1 MiB of \\u escapes", job_with("metadata", "name", "\u00e9" * (mib // 2))),
        ("a 1 MiB path (the path pattern)", json.dumps({**full, "payload": {**full["payload"], "data": {
            "image": {"path": "/vms/" + "a/" * (mib // 2 - 10), "format": "qcow2"}}}}).encode()),
        (f"{count:,} numbers in exponent form", b"[" + b",".join([b"1.2345678901234567e-300"] * count) + b"]"),
        (f"{count:,} keys of 100 characters", json.dumps(long_keys).encode()),
        (f"{count:,} keys alike but for their end, the last a duplicate", b"{" + same_prefix + b',"' + b"a" * 60
            + b'0000000":1}'),
        (f"a bad first byte, then {16 * mib:,} bytes", b"x" + b" " * (16 * mib - 2)),
        (f"a duplicate key first, then {len(dense):,} bytes of numbers", b'{"a":0,"a":0,"x":[' + dense + b"]}"),
        (f"40 keys, a duplicate, then {len(dense):,} bytes of numbers", b"{" + b",".join(
            b'"k%d":0' % n for n in range(40)) + b',"k3":0,"x":[' + dense + b"]}"),
        (f"{len(dense):,} bytes of numbers, cut short in 63 brackets", b"[" + dense + b"," + b"[" * 63),
    ]  # fmt: skip


def best_of_two(call: Callable[[], Any]) -> float:
    """Seconds of the faster of two calls: these inputs take up to seconds each."""
    times = []
    for _ in range(2):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def section_adversarial(sizes: Sizes, goals: list[tuple[str, str, bool]]) -> list[str]:
    """Time against the reference engine on the shapes above: the fast engine must never be the weak link."""
    rows, worst = [], 0.0
    for label, data in adversarial_inputs(1.0 if sizes is FULL else 0.01):
        cells = [label, f"{len(data):,}"]
        for doc_type in ("job", "auto"):
            fast = best_of_two(lambda data=data, doc_type=doc_type: validate(data, type=doc_type))
            reference = best_of_two(
                lambda data=data, doc_type=doc_type: validate(data, type=doc_type, engine="reference")
            )
            worst = max(worst, fast / reference)
            cells += [f"{fast * 1e3:,.2f} ms", f"{reference * 1e3:,.2f} ms", f"{fast / reference:.2f}x"]
        rows.append("| " + " | ".join(cells) + " |")
    goals.append(("every adversarial shape: at most 10x the reference engine's time (issue #14)", f"{worst:.2f}x",
                  worst <= 10))  # fmt: skip
    return [
        "## Adversarial shapes: never slower than the reference engine",
        "",
        "Documents meant to make a validator slow, each within the default limits, as a job and with the type "
        "told from the fields (`--type auto`, the CLI's default). Time of one `validate(bytes)` call (the faster "
        "of two) on the fast engine (default) and the reference engine, and their ratio: above 1x the fast "
        "engine is the slower. Every report is the same on both (tests/test_prover_safety.py and the "
        "differential fuzz check that; here only time is measured).",
        "",
        "| shape | bytes | fast (job) | reference (job) | ratio | fast (auto) | reference (auto) | ratio |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
    ]


def machine() -> list[str]:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    ajv = json.loads((ROOT / "tests" / "conformance" / "node" / "node_modules" / "ajv" / "package.json").read_text())[
        "version"
    ]
    packages = ", ".join(
        f"{name} {version(name)}" for name in ("orjson", "jsonschema-rs", "jiter", "jsonschema", "check-jsonschema")
    )
    memory_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    return [
        f"- Machine: {cpu}, {os.cpu_count()} cores, {memory_gib} GiB, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {packages}; Node.js {node} with ajv {ajv}",
        f"- Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `make bench` (`python bench/run.py`)",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="where the report goes")
    parser.add_argument("--quick", action="store_true", help="tiny inputs: checks the bench runs, measures nothing")
    parser.add_argument("--peer-sample", type=int, help="files given to check-jsonschema (default 1,000)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    # The npm package reads the schemas and bundles from copies in its folder.
    subprocess.run(["node", str(ROOT / "npm" / "scripts" / "stage.mjs")], check=True)
    if args.peer_sample:
        sizes = Sizes(**{**vars(sizes), "peer_sample": args.peer_sample})
    goals: list[tuple[str, str, bool]] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        body = [
            *section_per_document(sizes, work, goals),
            "",
            *section_go(sizes, work, goals),
            "",
            *section_invalid(sizes, goals),
            "",
            *section_realistic(sizes, goals),
            "",
            *section_mistakes(sizes, goals),
            "",
            *section_cli(sizes, work, goals),
            "",
            *section_start_up(sizes, work, goals),
            "",
            *section_scale(sizes),
            "",
            *section_adversarial(sizes, goals),
        ]
    summary = [
        "| goal | measured | met |",
        "|---|---|---|",
        *(f"| {goal} | {found} | {'yes' if met else '**no**'} |" for goal, found, met in goals),
    ]
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            "Generated by `make bench`; every figure is measured in the same run.",
            "",
            *machine(),
            "",
            *summary,
            "",
            *body,
            "",
        ]
    )
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {sum(met for *_, met in goals)} of {len(goals)} goals met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
