"""The documents real producers write, for `make bench` and the agreement tests (issue #18).

The bundled examples, the conformance suite's valid documents and the upstream corpus are
the base; each class rewrites them as a producer would:

- written by Python's `json.dumps` with its defaults (every non-ASCII character escaped),
  indented, or as UTF-8; by Go's `encoding/json` (`&`, `<`, `>`, U+2028 and U+2029 escaped);
  by JavaScript's `JSON.stringify`;
- with timestamps from `datetime.isoformat()` (`+00:00`, microseconds) or in a local zone;
- with human text (non-ASCII, newlines, ampersands) where the protocol has free text;
- with extension keys;
- with a payload type v1 does not register (upstream's doctor, repair...): a warning.

The content classes are written by each producer in turn. A rewrite is kept only when the
reference engine finds it valid with the warnings its class expects (none, but for the
upstream payload types), so every class holds what it says.

`mistakes()` is the invalid side: the mistakes people make, one per document.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from guestkit_job_spec import validate
from guestkit_job_spec.protocol.doctype import detect
from guestkit_job_spec.protocol.report import Report

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = ROOT / "tests" / "corpus" / "upstream"
PER_CLASS = 40
"""Documents per class: enough to mix every document type, few enough for jsonschema's pace."""


@dataclass(frozen=True)
class Sample:
    doc_type: str
    data: bytes
    strict: bool = False


# ---------------------------------------------------------------- producers


def python_default(document: Any) -> bytes:
    return json.dumps(document).encode()


def python_indented(document: Any) -> bytes:
    return json.dumps(document, indent=2).encode()


def python_utf8(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


_GO_ESCAPES = {"&": "\\u0026", "<": "\\u003c", ">": "\\u003e", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go(document: Any) -> bytes:
    """Go's encoding/json: compact, UTF-8, HTML characters escaped (in strings, the only place they occur)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return re.sub("[&<>\u2028\u2029]", lambda match: _GO_ESCAPES[match[0]], text).encode()


def javascript(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


PRODUCERS: dict[str, Callable[[Any], bytes]] = {
    "Python default": python_default,
    "Python indented": python_indented,
    "Python UTF-8": python_utf8,
    "Go": go,
    "JavaScript": javascript,
}


# ---------------------------------------------------------------- content


_UTC = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z")


def _timestamps(document: Any, rewrite: Callable[[str, str], str]) -> Any:
    """The document with every UTC timestamp rewritten from (date and time, fraction)."""
    if isinstance(document, dict):
        return {key: _timestamps(value, rewrite) for key, value in document.items()}
    if isinstance(document, list):
        return [_timestamps(value, rewrite) for value in document]
    match = _UTC.fullmatch(document) if isinstance(document, str) else None
    return rewrite(match[1], match[2] or "") if match else document


def isoformat_timestamps(document: Any) -> Any:
    """As `datetime.isoformat()` writes them: `+00:00`, microseconds (the same added to every
    timestamp, so their order holds)."""
    return _timestamps(document, lambda moment, fraction: f"{moment}{fraction or '.250000'}+00:00")


def local_zone_timestamps(document: Any) -> Any:
    """The same instants in Paris in winter (+01:00)."""

    def local(moment: str, fraction: str) -> str:
        try:
            shifted = datetime.fromisoformat(moment) + timedelta(hours=1)
        except (ValueError, OverflowError):
            return f"{moment}{fraction}Z"
        return f"{shifted:%Y-%m-%dT%H:%M:%S}{fraction}+01:00"

    return _timestamps(document, local)


HUMAN_TEXT = "Café & crème: «résumé» <ok>\nzweite Zeile — 東京 ✓"


def human_text(document: Any) -> Any:
    """Free text where the protocol has it: a job's metadata, a progress message, an error's message."""
    document = copy.deepcopy(document)
    if isinstance(document.get("metadata"), dict):
        document["metadata"]["name"] = HUMAN_TEXT.split("\n")[0]
        document["metadata"].setdefault("annotations", {})
        if isinstance(document["metadata"]["annotations"], dict):
            document["metadata"]["annotations"]["note"] = HUMAN_TEXT
    if isinstance(document.get("message"), str):
        document["message"] = HUMAN_TEXT
    if isinstance(document.get("error"), dict) and isinstance(document["error"].get("message"), str):
        document["error"]["message"] = HUMAN_TEXT
    return document


def extension_keys(document: Any) -> Any:
    return {**document, "example.com/cost-code": "CC-4410", "example.com/owner": {"team": "Ops & Infra"}}


CONTENT: dict[str, Callable[[Any], Any]] = {
    "isoformat()": isoformat_timestamps,
    "local zone": local_zone_timestamps,
    "human text": human_text,
    "extension keys": extension_keys,
}


# ---------------------------------------------------------------- the corpus


@cache
def base_documents() -> tuple[tuple[str, Any], ...]:
    """(type, document) for the examples and every valid conformance document, without warnings."""
    found = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        found.append((detect(document) or "job", document))
    for path in sorted((ROOT / "tests" / "conformance" / "cases").glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            if case["kind"] == "document" and case["valid"] and not case["warnings"] and case["type"] != "auto":
                found.append((case["type"], case["document"]))
    return tuple(found)


UNREGISTERED = ["job.payload-type.unregistered"]


@cache
def upstream_documents() -> tuple[Any, ...]:
    """Jobs whose payload type no schema registers, valid with that warning: upstream's own,
    and each base job turned into one of upstream's operations, at a version nobody registers
    (v2: since 1.1 registers their v1), so that their data goes unchecked."""
    upstream = [_version_two(json.loads(path.read_text(encoding="utf-8"))) for path in sorted(UPSTREAM.glob("*.json"))]
    found = [document for document in upstream if _verdict(validate(document)) == UNREGISTERED]
    types = sorted({document["payload"]["type"] for document in found})
    jobs = [document for doc_type, document in base_documents() if doc_type == "job"]
    for number, job in enumerate(jobs):
        payload_type = types[number % len(types)]
        moved = {
            **job,
            "operation": payload_type.rsplit(".", 1)[0],
            "payload": {**job["payload"], "type": payload_type},
        }
        if _verdict(validate(moved)) == UNREGISTERED:
            found.append(moved)
    return tuple(found)


def _version_two(document: Any) -> Any:
    payload = document["payload"]
    return {**document, "payload": {**payload, "type": payload["type"].rsplit(".", 1)[0] + ".v2"}}


def _verdict(report: Report) -> list[str] | None:
    """The warnings' rules of a valid document; None for an invalid one."""
    return [issue.rule for issue in report.warnings] if report.valid else None


def _kept(doc_type: str, data: bytes, warnings: list[str]) -> bool:
    return _verdict(validate(data, type=doc_type, engine="reference")) == warnings


def _spread(documents: list[tuple[str, Any]], count: int) -> list[tuple[str, Any]]:
    """`count` of them, evenly spread, every document type among them."""
    step = max(1, len(documents) // count)
    return documents[::step][:count]


def corpus() -> dict[str, list[Sample]]:
    """Each class's documents, in a fixed order."""
    classes: dict[str, list[Sample]] = {}
    base = _spread(list(base_documents()), PER_CLASS)
    for name, write in PRODUCERS.items():
        classes[name] = [Sample(t, write(d)) for t, d in base if _kept(t, write(d), [])]
    writers = list(PRODUCERS.values())
    for name, rewrite in CONTENT.items():
        samples = []
        for number, (doc_type, document) in enumerate(base):
            data = writers[number % len(writers)](rewrite(document))
            if _kept(doc_type, data, []):
                samples.append(Sample(doc_type, data))
        classes[name] = samples
    upstream = _spread([("job", document) for document in upstream_documents()], PER_CLASS)
    classes["upstream types"] = [
        Sample("job", data)
        for number, (_, document) in enumerate(upstream)
        if _kept("job", data := writers[number % len(writers)](document), UNREGISTERED)
    ]
    return classes


# ---------------------------------------------------------------- the mistakes


def _mistaken(document: Any, mistake: str) -> tuple[Any, bool] | None:
    """The job with one mistake people make, and whether it is checked strictly; None when it has no place for it."""
    job = copy.deepcopy(document)
    data = job.get("payload", {}).get("data", {})
    image = data.get("image") if isinstance(data, dict) else None
    execution = job.get("execution")
    if mistake == "missing field":
        del job["created_at"]
    elif mistake == "wrong enum" and isinstance(image, dict):
        image["format"] = "vhd"
    elif mistake == "bad checksum" and isinstance(image, dict):
        image["checksum"] = "md5:abc"
    elif mistake == "typo, strict" and isinstance(execution, dict):
        execution["priorty"] = execution.pop("priority", 5)
        return job, True
    elif mistake == "wrong type" and isinstance(execution, dict):
        execution["priority"] = "high"
    else:
        return None
    return job, False


MISTAKES = ("missing field", "wrong enum", "bad checksum", "typo, strict", "wrong type")


def mistakes() -> dict[str, list[Sample]]:
    """Each mistake, made in every base job that has a place for it, written by each producer in turn."""
    jobs = [document for doc_type, document in base_documents() if doc_type == "job"]
    jobs = [document for _, document in _spread([("job", job) for job in jobs], PER_CLASS)]
    writers = list(PRODUCERS.values())
    classes: dict[str, list[Sample]] = {}
    for mistake in MISTAKES:
        samples = []
        for number, job in enumerate(jobs):
            made = _mistaken(job, mistake)
            if made is not None:
                samples.append(Sample("job", writers[number % len(writers)](made[0]), made[1]))
        classes[mistake] = samples
    return classes


def every_sample() -> Iterator[tuple[str, Sample]]:
    """(class, sample) over both corpora."""
    for corpus_classes in (corpus(), mistakes()):
        for name, samples in corpus_classes.items():
            for sample in samples:
                yield name, sample
