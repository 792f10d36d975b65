"""The compatibility checker, rule by rule: a before/after pair for each."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SCHEMAS
from guestkit_job_spec.tools.compat import RULES, compare

Edit = Callable[[dict[str, Any]], None]


def defs(schema: dict[str, Any]) -> dict[str, Any]:
    return schema["$defs"]


def edit_files(tmp_path: Path, edits: dict[str, Edit], *, add: dict[str, Any] | None = None) -> Path:
    """A copy of schemas/ with an edit applied to the parsed content of each named file."""
    target = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, target)
    for name, edit in edits.items():
        content = json.loads((target / name).read_text())
        edit(content)
        (target / name).write_text(json.dumps(content))
    for name, content in (add or {}).items():
        (target / name).write_text(json.dumps(content))
    return target


def setter(path: list[str], value: Any) -> Edit:
    def apply(content: dict[str, Any]) -> None:
        node = content
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return apply


def deleter(path: list[str]) -> Edit:
    def apply(content: dict[str, Any]) -> None:
        node = content
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return apply


JOB = "job-v1.json"
COMMON = "common-v1.json"
META = ["$defs", "JobMetadata"]
EXECUTION = ["$defs", "ExecutionPolicy", "properties"]
NEW_PAYLOAD = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://guestkit.dev/schemas/payloads/guestkit.backup.v1.json",
    "type": "object",
    "description": "A new payload type.",
}


def add_payload_type(index: dict[str, Any]) -> None:
    index["payloads"]["guestkit.backup.v1"] = {
        "id": NEW_PAYLOAD["$id"],
        "file": "payloads/guestkit.backup.v1.json",
        "operation": "guestkit.backup",
        "version": 1,
        "stability": "experimental",
    }


def dispatch_payload_type(job: dict[str, Any]) -> None:
    job["$defs"]["Payload"]["allOf"].append(
        {
            "if": {"required": ["type"], "properties": {"type": {"const": "guestkit.backup.v1"}}},
            "then": {"properties": {"data": {"$ref": "payloads/guestkit.backup.v1.json"}}},
        }
    )


def add_rule(severity: str, rule_id: str = "job.new-rule") -> Edit:
    def apply(registry: dict[str, Any]) -> None:
        registry["rules"].append({"id": rule_id, "severity": severity, "layer": "code"})

    return apply


def add_trace_rule(registry: dict[str, Any]) -> None:
    """An error rule that judges traces only (protocol 1.1's lifecycle rules): no document can break it."""
    registry["rules"].append(
        {"id": "lifecycle.new-rule", "severity": "error", "layer": "code", "applies_to": ["trace"]}
    )


def add_document_and_trace_rule(registry: dict[str, Any]) -> None:
    """An error rule that judges jobs as well as traces is a new error rule for documents: breaking."""
    registry["rules"].append(
        {"id": "lifecycle.new-rule", "severity": "error", "layer": "code", "applies_to": ["job", "trace"]}
    )


def add_document_type(index: dict[str, Any]) -> None:
    """A new document type (as protocol 1.1 added the lease), in a schema file the index already has."""
    index["documents"]["widget"] = dict(index["documents"]["lease"])


def add_rule_for_new_document_type(registry: dict[str, Any]) -> None:
    """An error rule that judges only a new type of document: no old document is one."""
    registry["rules"].append({"id": "widget.new-rule", "severity": "error", "layer": "code", "applies_to": ["widget"]})


CASES: list[tuple[str, dict[str, Edit], str]] = [
    ("compat.required-changed", {JOB: setter([*META, "required"], ["name"])}, "/$defs/JobMetadata/required"),
    (
        "compat.required-changed",
        {JOB: setter(["$defs", "Authorization", "required"], ["method"])},
        "/$defs/Authorization/required",
    ),
    (
        "compat.property-removed",
        {JOB: deleter([*META, "properties", "namespace"])},
        "/$defs/JobMetadata/properties/namespace",
    ),
    (
        "compat.property-added",
        {JOB: setter([*META, "properties", "owner"], {"type": "string"})},
        "/$defs/JobMetadata/properties/owner",
    ),
    ("compat.definition-removed", {COMMON: deleter(["$defs", "ExtensionKey"])}, "/$defs/ExtensionKey"),
    ("compat.definition-added", {COMMON: setter(["$defs", "Region"], {"type": "string"})}, "/$defs/Region"),
    (
        "compat.enum-changed",
        {COMMON: setter(["$defs", "ImageFormat", "enum"], ["qcow2", "raw"])},
        "/$defs/ImageFormat/enum",
    ),
    (
        "compat.enum-changed",
        {COMMON: setter(["$defs", "OutputFormat", "enum"], ["json", "yaml", "toml"])},
        "/$defs/OutputFormat/enum",
    ),
    (
        "compat.type-changed",
        {JOB: setter([*META, "properties", "name", "type"], "string")},
        "/$defs/JobMetadata/properties/name/type",
    ),
    (
        "compat.bound-changed",
        {JOB: setter([*EXECUTION, "priority", "maximum"], 9)},
        "/$defs/ExecutionPolicy/properties/priority/maximum",
    ),
    (
        "compat.bound-changed",
        {JOB: setter([*EXECUTION, "priority", "maximum"], 100)},
        "/$defs/ExecutionPolicy/properties/priority/maximum",
    ),
    (
        "compat.const-changed",
        {JOB: setter(["$defs", "Job", "properties", "version", "const"], "1.1")},
        "/$defs/Job/properties/version/const",
    ),
    (
        "compat.pattern-changed",
        {COMMON: setter(["$defs", "Checksum", "pattern"], "^sha256:[0-9a-f]{8}$")},
        "/$defs/Checksum/pattern",
    ),
    ("compat.format-changed", {COMMON: setter(["$defs", "Timestamp", "format"], "date")}, "/$defs/Timestamp/format"),
    (
        "compat.reference-changed",
        {JOB: setter(["$defs", "Job", "properties", "job_id", "$ref"], "common-v1.json#/$defs/Path")},
        "/$defs/Job/properties/job_id/$ref",
    ),
    (
        "compat.default-changed",
        {JOB: setter([*EXECUTION, "priority", "default"], 6)},
        "/$defs/ExecutionPolicy/properties/priority/default",
    ),
    (
        "compat.rule-id-changed",
        {JOB: setter([*EXECUTION, "priority", "x-rule", "minimum"], "other.rule")},
        "/$defs/ExecutionPolicy/properties/priority/x-rule",
    ),
    (
        "compat.documentation-changed",
        {JOB: setter([*META, "description"], "Reworded.")},
        "/$defs/JobMetadata/description",
    ),
    (
        "compat.unclassified",
        {JOB: setter([*META, "additionalProperties"], False)},
        "/$defs/JobMetadata/additionalProperties",
    ),
    ("compat.payload-type-removed", {JOB: deleter(["$defs", "Payload", "allOf", 0])}, "/$defs/Payload/allOf/0"),
    (
        "compat.unclassified",
        {JOB: setter([*META, "dependentRequired"], {"name": ["namespace"]})},
        "/$defs/JobMetadata/dependentRequired",
    ),
    ("compat.unclassified", {"result-v1.json": deleter(["$defs", "JobResult", "allOf", 2])}, "/$defs/JobResult/allOf"),
    ("compat.schema-removed", {"index.json": deleter(["payloads", "guestkit.compare.v1"])}, ""),
    ("compat.rule-removed", {"rules-v1.json": lambda r: r["rules"].pop()}, ""),
    ("compat.rule-severity-changed", {"rules-v1.json": lambda r: r["rules"][0].update(severity="warning")}, ""),
    ("compat.error-rule-added", {"rules-v1.json": add_rule("error")}, ""),
    ("compat.warning-rule-added", {"rules-v1.json": add_rule("warning")}, ""),
    # A scheduling rule refuses a pairing of job and worker, never a document.
    ("compat.scheduling-rule-added", {"rules-v1.json": add_rule("error", "scheduling.gpu.missing")}, ""),
    ("compat.trace-rule-added", {"rules-v1.json": add_trace_rule}, ""),
    ("compat.error-rule-added", {"rules-v1.json": add_document_and_trace_rule}, ""),
    (
        "compat.new-document-rule-added",
        {"index.json": add_document_type, "rules-v1.json": add_rule_for_new_document_type},
        "",
    ),
    ("compat.transitions-changed", {"job-states-v1.json": lambda s: s["transitions"]["failed"].append("queued")}, ""),
]


@pytest.mark.parametrize(("rule", "edits", "pointer"), CASES, ids=[f"{r}:{p}" for r, _, p in CASES])
def test_each_rule_is_reported_with_schema_and_pointer(
    tmp_path: Path, rule: str, edits: dict[str, Edit], pointer: str
) -> None:
    findings = compare(SCHEMAS, edit_files(tmp_path, edits))
    assert [(f.rule, f.pointer) for f in findings] == [(rule, pointer)], findings
    assert findings[0].breaking is RULES[rule]


def test_a_new_payload_type_is_safe(tmp_path: Path) -> None:
    edited = edit_files(
        tmp_path,
        {"index.json": add_payload_type, JOB: dispatch_payload_type},
        add={"payloads/guestkit.backup.v1.json": NEW_PAYLOAD},
    )
    findings = compare(SCHEMAS, edited)
    assert sorted(f.rule for f in findings) == ["compat.payload-type-added", "compat.schema-added"]
    assert not any(f.breaking for f in findings)


def test_a_new_required_property_is_one_finding_not_two(tmp_path: Path) -> None:
    def add_required(job: dict[str, Any]) -> None:
        job["$defs"]["JobMetadata"]["properties"]["owner"] = {"type": "string"}
        job["$defs"]["JobMetadata"]["required"] = ["owner"]

    findings = compare(SCHEMAS, edit_files(tmp_path, {JOB: add_required}))
    assert [f.rule for f in findings] == ["compat.required-changed"]


def test_identical_schemas_have_no_findings() -> None:
    assert compare(SCHEMAS, SCHEMAS) == []


def test_every_finding_rule_has_a_test() -> None:
    tested = {rule for rule, _, _ in CASES} | {"compat.payload-type-added", "compat.schema-added"}
    assert tested == set(RULES)


def test_findings_never_mutate_inputs() -> None:
    before = copy.deepcopy(json.loads((SCHEMAS / JOB).read_text()))
    compare(SCHEMAS, SCHEMAS)
    assert json.loads((SCHEMAS / JOB).read_text()) == before
