"""Build the conformance cases (cases/*.json) that every runner reads.

    python tests/conformance/build.py           rewrite cases/
    python tests/conformance/build.py --check   exit 1 when cases/ is out of date

Two inputs:

- sources/*.json, written by hand: compact cases that start from an example document and
  change it (``set``: pointer -> value, ``delete``: pointers), raw texts for decoding,
  job state transitions, and job/worker matches. Each is expanded into a self-contained
  case, so runners in other languages need no patching logic.
- the schemas: structural cases generated from them and the examples, for every class
  (each required property missing, each property of the wrong type, an unknown field, an
  extension key), every enumeration (each value, and one outside the set) and every
  bound (at and past it). Each generated case is checked against the package when it is
  built, and the build fails if the package does not give the intended verdict.

Case ids are derived from what a case tests, never from counters, and once published an
id never changes meaning: published.json records every id ever written with a digest of
what it means (its input, type, mode, limits and expected report). A generated case whose
id is published is kept as published (a new example sorting first changes nothing that
was there), a published case the generators no longer make stays, and a hand-written case
edited under a published id fails the build: give the changed case a new id. One change is
allowed, the one the frozen gate allows: once a payload type is registered, its documents'
cases lose the job.payload-type.unregistered issue they expected (as_registered_now).

The fingerprint vectors (fingerprints.json, written by hand and not built) are held to the
same rule: published.json records each vector id with a digest of its input and expected
outcome, and the build fails when a published vector is gone or would change meaning.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT / "python"))

from guestkit_job_spec import validate  # noqa: E402
from guestkit_job_spec.protocol import resources, rules  # noqa: E402
from guestkit_job_spec.protocol.pointers import parts  # noqa: E402
from guestkit_job_spec.validation.reference.schema_walk import json_type, walk  # noqa: E402

EXTENSION_KEY = "example.com/extension"
UNKNOWN_KEY = "unknownfield"


# --- shared helpers ---------------------------------------------------------------------


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def doc_type_of(document: Any) -> str:
    by_id = {entry["id"]: name for name, entry in resources.index()["documents"].items()}
    return by_id[document["$schema"]]


def patch(document: Any, changes: dict[str, Any], deletions: list[str]) -> Any:
    """A copy of ``document`` with values set (missing parent objects created) and members deleted."""
    result = copy.deepcopy(document)
    for pointer, value in changes.items():
        parent, last = _parent(result, pointer, create=True)
        parent[int(last) if isinstance(parent, list) else last] = value
    for pointer in deletions:
        parent, last = _parent(result, pointer, create=False)
        del parent[int(last) if isinstance(parent, list) else last]
    return result


def _parent(document: Any, pointer: str, *, create: bool) -> tuple[Any, str]:
    *parents, last = parts(pointer)
    node = document
    for part in parents:
        if isinstance(node, list):
            node = node[int(part)]
        elif create and node.get(part) is None:
            node = node.setdefault(part, {}) if part not in node else node.__setitem__(part, {}) or node[part]
        else:
            node = node[part]
    return node, last


def layer_of(errors: list[dict[str, str]]) -> str:
    """schema when the schemas alone reject the case; code when only code-only rules do."""
    layers = {rules.get(error["rule"]).layer for error in errors}
    return "schema" if "schema" in layers or not errors else "code"


def issues(pairs: list[list[str]]) -> list[dict[str, str]]:
    return [{"rule": rule, "pointer": pointer} for rule, pointer in pairs]


def document_case(
    case_id: str,
    description: str,
    document: Any,
    errors: list[dict[str, str]],
    warnings: list[dict[str, str]],
    *,
    strict: bool = False,
    doc_type: str | None = None,
) -> dict[str, Any]:
    return {
        "id": case_id,
        "kind": "document",
        "description": description,
        "type": doc_type or doc_type_of(document),
        "strict": strict,
        "document": document,
        "valid": not errors,
        "layer": layer_of(errors),
        "errors": errors,
        "warnings": warnings,
    }


# --- hand-written sources ---------------------------------------------------------------


def expand_source(path: Path) -> dict[str, Any]:
    source = json.loads(path.read_text(encoding="utf-8"))
    area = path.stem
    return {
        "area": area,
        "description": source["description"],
        "cases": [_expand(area, case) for case in source["cases"]],
    }


def _expand(area: str, case: dict[str, Any]) -> dict[str, Any]:
    expanded = as_registered_now(_expand_kind(area, case))
    if "neighbour_of" in case:
        expanded["neighbour_of"] = case["neighbour_of"]
    return expanded


def _expand_kind(area: str, case: dict[str, Any]) -> dict[str, Any]:
    case_id = f"{area}.{case['id']}"
    errors, warnings = issues(case.get("errors", [])), issues(case.get("warnings", []))
    if "transition" in case:
        current, new = case["transition"]
        return {
            "id": case_id,
            "kind": "transition",
            "description": case["description"],
            "transition": {"from": current, "to": new},
            "valid": not errors,
            "layer": "code",
            "errors": errors,
        }
    if "trace" in case:
        return {
            "id": case_id,
            "kind": "trace",
            "description": case["description"],
            "steps": trace_steps(case["trace"]),
            "valid": not errors,
            "layer": "code",
            "errors": errors,
        }
    if "match" in case:
        return {
            "id": case_id,
            "kind": "match",
            "description": case["description"],
            "job": _document(case["match"]["job"]),
            "worker": _document(case["match"]["worker"]),
            "valid": not errors,
            "layer": "code",
            "errors": errors,
        }
    if "text" in case or "base64" in case:
        raw = {"text": case["text"]} if "text" in case else {"base64": case["base64"]}
        expanded = {
            "id": case_id,
            "kind": "text",
            "description": case["description"],
            "type": case.get("type", "job"),
            "strict": False,
            **raw,
            "valid": not errors,
            "layer": "schema" if any(rules.get(e["rule"]).layer == "schema" for e in errors) or not errors else "code",
            "errors": errors,
            "warnings": warnings,
        }
        if "limits" in case:
            expanded["limits"] = case["limits"]
        return expanded
    document = _document(case)
    doc_type = case.get("type") or doc_type_of(document)
    return document_case(
        case_id, case["description"], document, errors, warnings, strict=case.get("strict", False), doc_type=doc_type
    )


def _document(spec: dict[str, Any]) -> Any:
    """``document`` as given, or ``base`` (a path from the repository root) with ``set`` and ``delete`` applied."""
    if "document" in spec:
        return spec["document"]
    base = json.loads((ROOT / spec["base"]).read_text(encoding="utf-8"))
    return patch(base, spec.get("set", {}), spec.get("delete", []))


# --- lifecycle traces ---------------------------------------------------------------------

TRACE_START = 1769767200  # 2026-01-30T10:00:00Z: a source step's "t" counts seconds from here
TRACE_JOB = "examples/inspect-minimal.json"
PHASES = ["validation", "disk_attach", "disk_inspection", "os_detection", "package_scan", "result_generation"]


def trace_steps(source: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A source trace (compact: "t" in seconds, documents described by a few members) as the
    steps of a case, every document written out in full and valid against its schema.

    submit: "set" changes examples/inspect-minimal.json; resubmit: "set"/"delete" change the
    submitted job. claim: "lease", "worker",
    "attempt", "expires" (seconds). heartbeat: "lease", "expires" (the renewed lease; none when
    refused). progress: "lease", "sequence". result: "lease", "result" (the status) and, when
    failed, "recoverable" and "retry_recommended". release, expire, timeout: "lease". cancel,
    deadline: nothing. Any step: "with" (pointer -> value) changes the document written, and
    "refused", "status" as the case has them."""
    import datetime as dt

    def stamp(seconds: int) -> str:
        return dt.datetime.fromtimestamp(TRACE_START + seconds, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    job: dict[str, Any] = {}
    leases: dict[str, dict[str, Any]] = {}
    steps = []
    for spec in source:
        at, kind = stamp(spec["t"]), spec["message"]
        step: dict[str, Any] = {"at": at, "message": kind}
        document: dict[str, Any] | None = None
        if "lease" in spec:
            step["lease_id"] = spec["lease"]
        lease = leases.get(spec.get("lease", ""), {})
        if kind == "submit":
            document = job = patch(example(TRACE_JOB.removeprefix("examples/")), spec.get("set", {}), [])
        elif kind == "resubmit":
            document = patch(job, spec.get("set", {}), spec.get("delete", []))
        elif kind == "claim":
            del step["lease_id"]
            document = leases[spec["lease"]] = {
                "$schema": resources.index()["documents"]["lease"]["id"],
                "lease_id": spec["lease"],
                "job_id": job["job_id"],
                "worker_id": spec["worker"],
                "attempt": spec["attempt"],
                "leased_at": at,
                "expires_at": stamp(spec["expires"]),
            }
        elif kind == "heartbeat" and "expires" in spec:
            document = {**lease, "expires_at": stamp(spec["expires"])}
        elif kind == "progress":
            sequence = spec["sequence"]
            document = {
                "$schema": resources.index()["documents"]["progress"]["id"],
                "job_id": job["job_id"],
                "timestamp": at,
                "sequence": sequence,
                "phase": PHASES[min(sequence, len(PHASES) - 1)],
                "message": f"step {sequence}",
                "attempt": lease.get("attempt", 1),
                "worker_id": lease.get("worker_id", "worker-unknown"),
                "lease_id": spec["lease"],
            }
        elif kind == "result":
            status = spec["result"]
            document = {
                "$schema": resources.index()["documents"]["result"]["id"],
                "job_id": job["job_id"],
                "status": status,
                "worker_id": lease.get("worker_id", "worker-unknown"),
                "lease_id": spec["lease"],
                ("completed_at" if status == "completed" else "failed_at"): at,
                "execution_summary": {
                    "started_at": lease.get("leased_at", at),
                    "duration_seconds": 1,
                    "attempt": lease.get("attempt", 1),
                },
            }
            if status == "failed":
                document["error"] = {
                    "code": "DISK_READ_ERROR" if spec["recoverable"] else "IMAGE_CORRUPT",
                    "message": "the image could not be read" if spec["recoverable"] else "the image is corrupt",
                    "recoverable": spec["recoverable"],
                    "retry_recommended": spec["retry_recommended"],
                }
        elif kind == "cancel":
            document = {
                "$schema": resources.index()["documents"]["cancel"]["id"],
                "job_id": job["job_id"],
                "requested_at": at,
                "requested_by": "alice@example.com",
            }
        if document is not None:
            step["document"] = patch(document, spec.get("with", {}), [])
        if "refused" in spec:
            step["refused"] = spec["refused"]
        step["status"] = spec["status"]
        steps.append(step)
    return steps


# --- structural cases generated from the schemas ----------------------------------------


def structural_cases(doc_type: str) -> list[dict[str, Any]]:
    examples = sorted(p.name for p in EXAMPLES.glob("*.json") if doc_type_of(example(p.name)) == doc_type)
    # Every place each schema object applies, across the examples, in a stable order.
    occurrences: dict[int, list[tuple[Any, str]]] = {}
    nodes: dict[int, tuple[dict[str, Any], Any]] = {}
    for name in examples:
        document = example(name)
        for visit in walk(document, doc_type):
            for located in visit.schemas:
                nodes.setdefault(id(located.node), (located.node, located))
                occurrences.setdefault(id(located.node), []).append((document, visit.pointer))
    cases: dict[str, dict[str, Any]] = {}
    owners: dict[str, int] = {}  # case id -> the schema object it was made for
    for key, (node, located) in nodes.items():
        document, pointer = occurrences[key][0]
        generated = []
        if "title" in node and "properties" in node:
            generated.extend(_class_cases(doc_type, document, pointer, node, located))
        elif "title" in node and node.get("type") == "object":
            generated.extend(_free_object_cases(doc_type, document, pointer, node))
        generated.extend(_value_cases(doc_type, occurrences[key], node))
        for case in generated:
            case_id = case["id"]
            if owners.setdefault(case_id, key) != key:  # another schema object at the same place (proxy_url)
                case = {**case, "id": f"{case_id}.{_kebab(case['document']['payload']['type'])}"}
            cases.setdefault(case["id"], case)
    cases[f"{doc_type}.document.wrong-type"] = _checked(
        document_case(
            f"{doc_type}.document.wrong-type",
            "The document is an array, not an object.",
            [],
            [{"rule": "schema.type", "pointer": ""}],
            [],
            doc_type=doc_type,
        )
    )
    return [cases[key] for key in sorted(cases)]


def _free_object_cases(doc_type: str, document: Any, pointer: str, node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A class that lists no members (an echo's data) takes any, unreported even under strict
    mode, and is an object all the same."""
    slug = f"{doc_type}.{_kebab(node['title'])}"
    yield _checked(
        document_case(
            f"{slug}.any-member",
            f"{node['title']} lists no members: any member is its own, unreported even under strict mode.",
            patch(document, {f"{pointer}/{UNKNOWN_KEY}": {"nested": [1, "two", None]}}, []),
            [],
            [],
            strict=True,
            doc_type=doc_type,
        )
    )
    yield _checked(
        document_case(
            f"{slug}.wrong-type",
            f"{node['title']} is an object; here it is an array.",
            patch(document, {pointer: []}, []),
            [{"rule": "schema.type", "pointer": pointer}],
            [],
            doc_type=doc_type,
        )
    )


def _class_cases(
    doc_type: str, document: Any, pointer: str, node: dict[str, Any], located: Any
) -> Iterator[dict[str, Any]]:
    title = node["title"]
    slug = f"{doc_type}.{_kebab(title)}"
    for name in node.get("required", []):
        rule = _rule_id("required", node)
        yield _checked(
            document_case(
                f"{slug}.{_kebab(name)}.missing",
                f"{title}.{name} is required; this {title} lacks it.",
                patch(document, {}, [f"{pointer}/{name}"]),
                [{"rule": rule, "pointer": f"{pointer}/{name}"}],
                [],
                doc_type=doc_type,
            )
        )
    for name, spec in node["properties"].items():
        allowed = _allowed_types(spec, located)
        if allowed is None:
            continue
        wrong = _wrong_value(allowed)
        target = f"{pointer}/{name.replace('~', '~0').replace('/', '~1')}"
        yield _checked(
            document_case(
                f"{slug}.{_kebab(name)}.wrong-type",
                f"{title}.{name} must be {' or '.join(allowed)}; here it is {json_type(wrong)}.",
                patch(document, {target: wrong}, []),
                [{"rule": "schema.type", "pointer": target}],
                [],
                doc_type=doc_type,
            )
        )
    unknown = f"{pointer}/{UNKNOWN_KEY}"
    if "additionalProperties" in node:  # an open class (a fix plan operation): unlisted members are its own
        yield _checked(
            document_case(
                f"{slug}.unlisted-member",
                f"{title} is open: a member it does not list is allowed, with no warning, even under strict mode.",
                patch(document, {unknown: 1}, []),
                [],
                [],
                strict=True,
                doc_type=doc_type,
            )
        )
        return
    yield _checked(
        document_case(
            f"{slug}.unknown-field",
            f"A field {title} does not define is allowed and preserved, with a warning.",
            patch(document, {unknown: 1}, []),
            [],
            [{"rule": "document.unknown-field", "pointer": unknown}],
            doc_type=doc_type,
        )
    )
    yield _checked(
        document_case(
            f"{slug}.unknown-field.strict",
            f"Under strict mode a field {title} does not define is an error.",
            patch(document, {unknown: 1}, []),
            [{"rule": "document.unknown-field", "pointer": unknown}],
            [],
            strict=True,
            doc_type=doc_type,
        )
    )
    extension = f"{pointer}/{EXTENSION_KEY.replace('/', '~1')}"
    yield _checked(
        _neighbour(
            document_case(
                f"{slug}.extension-key",
                f"An extension key (domain/name) in {title} is never reported, even under strict mode.",
                patch(document, {extension: {"any": ["value"]}}, []),
                [],
                [],
                strict=True,
                doc_type=doc_type,
            ),
            "document.unknown-field",
        )
    )


def _value_cases(doc_type: str, places: list[tuple[Any, str]], node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Enumeration and bound cases for a schema object, tried at each place it applies until valid."""
    document, pointer = places[0]
    where = f"{doc_type}.{_kebab(pointer.strip('/').replace('/', '-')) or 'document'}"

    def first_valid(case_id: str, description: str, value: Any, rule: str) -> dict[str, Any] | None:
        for place_document, place_pointer in places:
            case = _valid_if_possible(
                _neighbour(
                    document_case(
                        case_id,
                        description,
                        patch(place_document, {place_pointer: value}, []),
                        [],
                        [],
                        doc_type=doc_type,
                    ),
                    rule,
                )
            )
            if case is not None:
                return case
        return None

    if "enum" in node:
        enum_rule = _rule_id("enum", node)
        for value in node["enum"]:
            case = first_valid(
                f"{where}.enum.{_kebab(str(value))}", f"{value!r} is one of the allowed values.", value, enum_rule
            )
            if case is None:
                raise SystemExit(f"no example can take {value!r} at {pointer}: add a hand-written case")
            yield case
        yield _checked(
            document_case(
                f"{where}.enum.outside",
                f"The values at {pointer} are a closed set; another value is an error.",
                patch(document, {pointer: "not-in-the-set"}, []),
                [{"rule": enum_rule, "pointer": pointer}],
                [],
                doc_type=doc_type,
            )
        )
    if node.get("x-rule", {}).get("pattern") == "path.safe":
        yield from _path_safety_cases(doc_type, places)
    for keyword, at, past in _bound_values(node, document, pointer):
        rule = _rule_id(keyword, node)
        valid = first_valid(
            f"{where}.{_kebab(keyword)}.at", f"{keyword} {node[keyword]}: a value at the bound is valid.", at, rule
        )
        if valid is not None:
            yield valid
        yield _checked(
            document_case(
                f"{where}.{_kebab(keyword)}.past",
                f"{keyword} {node[keyword]}: a value past the bound is an error.",
                patch(document, {pointer: past}, []),
                [{"rule": rule, "pointer": pointer}],
                [],
                doc_type=doc_type,
            )
        )


HOSTILE_PATHS = {
    "traversal": ("/vms/../../etc/shadow", "a '..' segment climbs out of the intended folder"),
    "traversal-backslash": ("C:\\vms\\..\\secrets", "a '..' segment with backslashes"),
    "nul": ("/vms/disk.qcow2\u0000.txt", "a NUL truncates the path in C APIs"),
    "newline": ("/vms/disk.qcow2\n", "a trailing newline ($ in Python's re would accept it)"),
}


def _path_safety_cases(doc_type: str, places: list[tuple[Any, str]]) -> Iterator[dict[str, Any]]:
    """Every path field, in every place the examples have one, refuses each hostile path."""
    for document, pointer in places:
        payload_type = (document.get("payload") or {}).get("type", "")  # the same pointer in each payload type
        where = ".".join(
            part
            for part in (
                doc_type,
                _kebab(payload_type) if payload_type else "",
                _kebab(pointer.strip("/").replace("/", "-")),
            )
            if part
        )
        for name, (value, why) in HOSTILE_PATHS.items():
            yield _checked(
                document_case(
                    f"{where}.path.{name}",
                    f"{pointer} = {json.dumps(value)}: refused, {why}.",
                    patch(document, {pointer: value}, []),
                    [{"rule": "path.safe", "pointer": pointer}],
                    [],
                    doc_type=doc_type,
                )
            )


def _rule_id(keyword: str, node: dict[str, Any]) -> str:
    rule = rules.rule_of(keyword, node)
    assert rule is not None, keyword
    return rule.id


def _bound_values(node: dict[str, Any], document: Any, pointer: str) -> Iterator[tuple[str, Any, Any]]:
    integral = "integer" in _as_list(node.get("type"))
    step = 1 if integral else 0.5
    if "minimum" in node:
        yield "minimum", node["minimum"], node["minimum"] - step
    if "maximum" in node:
        yield "maximum", node["maximum"], node["maximum"] + step
    if "minLength" in node:
        yield "minLength", "a" * node["minLength"], "a" * (node["minLength"] - 1)
    if "maxLength" in node:
        yield "maxLength", "a" * node["maxLength"], "a" * (node["maxLength"] + 1)
    if "minItems" in node:
        current = _resolve(document, pointer)
        yield "minItems", current[: node["minItems"]], current[: node["minItems"] - 1]


def _resolve(document: Any, pointer: str) -> Any:
    node = document
    for part in parts(pointer):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _allowed_types(spec: dict[str, Any], located: Any) -> list[str] | None:
    """The JSON types a property accepts, through $ref and nullable anyOf; None when unconstrained."""
    if "anyOf" in spec:
        types = [t for branch in spec["anyOf"] for t in (_allowed_types(branch, located) or ["any"])]
        return None if "any" in types else types
    if "type" in spec:
        return _as_list(spec["type"])
    if "$ref" in spec:
        resolved = located.resolver.lookup(spec["$ref"]).contents
        if "$ref" in resolved and "type" not in resolved:
            resolved = located.resolver.lookup(resolved["$ref"]).contents
        return _as_list(resolved["type"]) if "type" in resolved else None
    return None


def _wrong_value(allowed: list[str]) -> Any:
    candidates = [("integer", 7), ("string", "wrong-type"), ("boolean", True), ("array", []), ("object", {})]
    for kind, value in candidates:
        admitted = kind in allowed or (kind == "integer" and "number" in allowed)
        if not admitted:
            return value
    raise ValueError(f"every JSON type is allowed: {allowed}")


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _kebab(text: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "empty"


def _reported(case: dict[str, Any]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    report = validate(case["document"], type=case["type"], strict=case["strict"])
    return {(i.rule, i.pointer) for i in report.errors}, {(i.rule, i.pointer) for i in report.warnings}


def _neighbour(case: dict[str, Any], rule: str) -> dict[str, Any]:
    """Mark a valid case as the neighbour of the rule it stops just short of breaking."""
    case["neighbour_of"] = [rule]
    return case


def _checked(case: dict[str, Any]) -> dict[str, Any]:
    """The case, after checking that the package gives its intended verdict."""
    errors, warnings = _reported(case)
    expected_errors = {(e["rule"], e["pointer"]) for e in case["errors"]}
    expected_warnings = {(w["rule"], w["pointer"]) for w in case["warnings"]}
    if bool(errors) == case["valid"] or not expected_errors <= errors or not expected_warnings <= warnings:
        raise SystemExit(
            f"generated case {case['id']} does not behave as intended: errors {errors}, warnings {warnings}"
        )
    return case


def _valid_if_possible(case: dict[str, Any]) -> dict[str, Any] | None:
    """A generated valid case, with the warnings the change brings; None when the value cannot be valid here."""
    errors, warnings = _reported(case)
    if errors:
        return None
    case["warnings"] = [{"rule": rule, "pointer": pointer} for rule, pointer in sorted(warnings)]
    return case


# --- output -----------------------------------------------------------------------------


# --- published ids -----------------------------------------------------------------------

PUBLISHED = HERE / "published.json"
MEANING = (
    "kind",
    "type",
    "strict",
    "document",
    "text",
    "base64",
    "limits",
    "transition",
    "job",
    "worker",
    "steps",
    "valid",
)


UNREGISTERED = "job.payload-type.unregistered"


def as_registered_now(case: dict[str, Any]) -> dict[str, Any]:
    """The case as the package judges it now that its payload type may be registered: the one
    change registering a payload type makes to a document's report is that the
    unregistered-type issue goes (the frozen gate allows exactly this, tests/test_frozen_v1.py)."""
    document = case.get("document")
    if document is None and "text" in case:
        try:
            document = json.loads(case["text"])
        except ValueError:
            return case
    payload = document.get("payload") if isinstance(document, dict) else None
    if not isinstance(payload, dict) or payload.get("type") not in resources.payload_types():
        return case
    kept = {
        key: [issue for issue in case.get(key, []) if issue["rule"] != UNREGISTERED] for key in ("errors", "warnings")
    }
    if kept["errors"] == case.get("errors", []) and kept["warnings"] == case.get("warnings", []):
        return case
    return {**case, **{key: kept[key] for key in kept if key in case}, "valid": not kept["errors"]}


def meaning(case: dict[str, Any]) -> str:
    """A digest of what a case means: its input, type, mode, limits and expected report (not its wording)."""
    what = {key: case[key] for key in MEANING if key in case}
    for key in ("errors", "warnings"):
        what[key] = sorted((issue["rule"], issue["pointer"]) for issue in case.get(key, []))
    return hashlib.sha256(json.dumps(what, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def published() -> tuple[dict[str, str], dict[str, tuple[str, dict[str, Any]]]]:
    """The published ids with their digests, and the cases written under them (file, case)."""
    recorded = json.loads(PUBLISHED.read_text(encoding="utf-8"))["cases"] if PUBLISHED.exists() else {}
    written = {
        case["id"]: (path.name, case)
        for path in sorted((HERE / "cases").glob("*.json"))
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]
    }
    return recorded, written


def keep_published(files: dict[str, dict[str, Any]], generated: set[str]) -> None:
    """Hold every published id to its published meaning (see the module's docstring)."""
    recorded, written = published()
    made = {case["id"]: (name, case) for name, content in files.items() for case in content["cases"]}
    for case_id, digest in recorded.items():
        if case_id in made and meaning(made[case_id][1]) == digest:
            continue
        registered_since = (
            case_id in made
            and case_id in written
            and meaning(written[case_id][1]) == digest
            and meaning(as_registered_now(written[case_id][1])) == meaning(made[case_id][1])
        )
        if registered_since:  # its payload type was registered since: the one change allowed
            continue
        if case_id in made and case_id not in generated:
            raise SystemExit(
                f"{made[case_id][0]}: case {case_id} is published and would change meaning; "
                "give the changed case a new id (published.json records what each id means)"
            )
        if case_id not in written or meaning(written[case_id][1]) != digest:
            raise SystemExit(f"published case {case_id} is missing from cases/ or differs from published.json")
        name, case = written[case_id]
        kept = _checked(case) if case["kind"] == "document" else case
        if case_id in made:  # generated anew from another example: the published one stays
            cases = files[made[case_id][0]]["cases"]
            cases[cases.index(made[case_id][1])] = kept
        else:  # no longer generated: it stays where it was
            files.setdefault(name, {"area": name.removesuffix(".json"), "description": "", "cases": []})[
                "cases"
            ].append(kept)
    for content in files.values():
        if content["area"].startswith("structure-"):  # generated files are in id order
            content["cases"].sort(key=lambda case: case["id"])


FINGERPRINTS = HERE / "fingerprints.json"
VECTOR_MEANING = ("text", "canonical", "fingerprint", "refused", "rule")


def vector_meaning(vector: dict[str, Any]) -> str:
    """A digest of what a fingerprint vector means: its input and expected outcome (not its wording)."""
    what = {key: vector[key] for key in VECTOR_MEANING if key in vector}
    return hashlib.sha256(json.dumps(what, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def published_vectors() -> dict[str, str]:
    """The fingerprint vectors as published.json records them, id -> meaning, held to their meaning."""
    recorded = json.loads(PUBLISHED.read_text(encoding="utf-8")).get("fingerprints", {}) if PUBLISHED.exists() else {}
    current = {
        vector["id"]: vector_meaning(vector) for vector in json.loads(FINGERPRINTS.read_text("utf-8"))["vectors"]
    }
    for vector_id, digest in recorded.items():
        if current.get(vector_id) != digest:
            raise SystemExit(
                f"{FINGERPRINTS.name}: vector {vector_id} is published and is gone or would change meaning; "
                "give the changed vector a new id (published.json records what each id means)"
            )
    return {**recorded, **current}


def published_registry(files: dict[str, dict[str, Any]]) -> str:
    """published.json: every id published so far (kept) and the new ones, with their digests."""
    recorded, _ = published()
    cases = {**recorded, **{case["id"]: meaning(case) for content in files.values() for case in content["cases"]}}
    registry = {
        "description": "Every conformance case id (cases) and fingerprint vector id (fingerprints) ever published, "
        "with a digest of what it means (build.py meaning(), vector_meaning()). Written by make cases, never "
        "rewritten: an id keeps its meaning for good.",
        "cases": dict(sorted(cases.items())),
        "fingerprints": dict(sorted(published_vectors().items())),
    }
    return json.dumps(registry, indent=1) + "\n"


# --- output -----------------------------------------------------------------------------


def build() -> dict[str, str]:
    files: dict[str, dict[str, Any]] = {}
    for path in sorted((HERE / "sources").glob("*.json")):
        files[path.name] = expand_source(path)
    generated: set[str] = set()
    for doc_type in resources.document_types():
        cases = structural_cases(doc_type)
        generated |= {case["id"] for case in cases}
        files[f"structure-{doc_type}.json"] = {
            "area": f"structure-{doc_type}",
            "description": f"Generated by build.py from the {doc_type} schema and examples: required, types, "
            "unknown fields, extension keys, enumerations and bounds.",
            "cases": cases,
        }
    keep_published(files, generated)
    texts = {name: json.dumps(content, indent=1, ensure_ascii=False) + "\n" for name, content in files.items()}
    return {**texts, PUBLISHED.name: published_registry(files)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of rewriting")
    args = parser.parse_args()
    built = build()
    registry = built.pop(PUBLISHED.name)
    target = HERE / "cases"
    current = {path.name: path.read_text(encoding="utf-8") for path in target.glob("*.json")}
    if registry != (PUBLISHED.read_text(encoding="utf-8") if PUBLISHED.exists() else ""):
        if args.check:
            print("tests/conformance/published.json is out of date: run `make cases` and commit", file=sys.stderr)
            return 1
        PUBLISHED.write_text(registry, encoding="utf-8")
    if args.check:
        stale = sorted(name for name in built.keys() | current.keys() if built.get(name) != current.get(name))
        if stale:
            print(f"conformance cases out of date ({', '.join(stale)}): run `make cases` and commit", file=sys.stderr)
            return 1
        return 0
    for name in current.keys() - built.keys():
        (target / name).unlink()
    for name, text in built.items():
        (target / name).write_text(text, encoding="utf-8")
    total = sum(len(json.loads(text)["cases"]) for text in built.values())
    print(f"wrote {len(built)} files, {total} cases", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
