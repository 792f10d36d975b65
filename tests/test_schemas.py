"""The schemas themselves: files, ids, offline references, portable patterns, conventions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import re2
import regress

import engines
from conftest import EXAMPLES, SCHEMAS, load
from guestkit_job_spec.protocol import resources, rules

INDEX = load(SCHEMAS / "index.json")
BASE = INDEX["base_uri"]
SCHEMA_ENTRIES = [
    *INDEX["definitions"].values(),
    *INDEX["documents"].values(),
    *INDEX["payloads"].values(),
    *INDEX.get("results", {}).values(),
]
SCHEMA_PATHS = sorted(SCHEMAS / entry["file"] for entry in SCHEMA_ENTRIES)
META_PATHS = sorted((SCHEMAS / "meta").glob("*.json"))


def walk(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, subschema-or-value) below ``node``."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, (*path, i))


def schema_nodes() -> Iterator[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """Every schema object of every protocol schema file (skipping data such as enum values)."""
    for path in SCHEMA_PATHS:
        for where, node in walk(load(path)):
            if isinstance(node, dict) and not (where and where[-1] in ("properties", "$defs", "x-rule")):
                if "enum" in where or "const" in where or "examples" in where or "default" in where:
                    continue
                yield path.name, where, node


def patterns() -> Iterator[tuple[str, tuple[Any, ...], str]]:
    for name, where, node in schema_nodes():
        if isinstance(node.get("pattern"), str):
            yield name, where, node["pattern"]


def test_every_schema_file_is_in_the_index() -> None:
    on_disk = {p for p in SCHEMAS.rglob("*.json") if p.parent.name != "meta"}
    data_files = {
        SCHEMAS / "index.json",
        *(SCHEMAS / INDEX[kind] for kind in ("rules", "keywords", "errata", "state_machine")),
    }
    assert on_disk - data_files == set(SCHEMA_PATHS)


@pytest.mark.parametrize("entry", SCHEMA_ENTRIES, ids=lambda e: e["file"])
def test_schema_declares_dialect_and_its_id(entry: dict[str, Any]) -> None:
    schema = load(SCHEMAS / entry["file"])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == entry["id"] == BASE + entry["file"]


def test_envelope_id_is_the_url_upstream_documents_carry() -> None:
    assert INDEX["documents"]["job"]["id"] == "https://guestkit.dev/schemas/job-v1.json"


def test_every_ref_resolves_offline() -> None:
    """The registry has no retriever, so a reference it cannot resolve fails instead of fetching."""
    registry = resources.registry()
    count = 0
    for path in SCHEMA_PATHS:
        schema = load(path)
        for where, node in walk(schema):
            if isinstance(node, dict) and isinstance(node.get("$ref"), str):
                resolver = registry.resolver(base_uri=schema["$id"])
                assert resolver.lookup(node["$ref"]).contents, (path.name, where)
                count += 1
    assert count > 50


@pytest.mark.parametrize(("name", "where", "pattern"), list(patterns()), ids=lambda v: str(v)[:60])
def test_pattern_is_portable(name: str, where: tuple[Any, ...], pattern: str) -> None:
    """Compiles in RE2 (Go, Rust: no look-around, no back-references), ECMA-262 and Python,
    and avoids the classes whose meaning differs between them."""
    re2.compile(pattern)
    regress.Regex(pattern, "u")
    re.compile(pattern)
    assert not re.search(r"\\[dDwWsSbB]", pattern), "\\d, \\w, \\s and \\b differ between engines; use explicit classes"
    assert "\\u" not in pattern, "RE2 rejects \\uXXXX; write \\xNN"
    if "not" not in where:  # the control-character guards search anywhere on purpose
        assert pattern.startswith("^") and pattern.endswith("$"), "anchor patterns with ^...$"


def test_every_anchored_string_pattern_has_the_control_character_guard() -> None:
    """Python's `$` matches before a final newline; the guard makes every engine reject it."""
    for name, where, _ in patterns():
        if "not" in where:
            continue
        node = load(SCHEMAS / name)
        for part in where[:-1]:
            node = node[part]
        if node.get("type") == "string" and where[-2:] != ():
            guard = node.get("not", {})
            if "ExtensionKey" in where:
                continue  # matched in code with fullmatch, never by a schema engine
            assert guard == {"type": "string", "pattern": "[\\x00-\\x1f\\x7f]"}, (name, where)


def test_every_class_definition_is_documented() -> None:
    for path in SCHEMA_PATHS:
        for def_name, definition in load(path).get("$defs", {}).items():
            if "properties" not in definition:
                assert "description" in definition, (path.name, def_name)
                continue
            assert definition.get("title") == def_name, (path.name, def_name, "title")
            assert definition.get("type") == "object", (path.name, def_name, "type")
            assert definition.get("description"), (path.name, def_name, "description")
            for prop, sub in definition["properties"].items():
                assert sub.get("description"), (path.name, def_name, prop)


def test_nullable_sections_use_the_one_anyof_form() -> None:
    """The validator reports the deepest cause of an anyOf failure by relying on this form."""
    for name, where, node in schema_nodes():
        if "anyOf" in node:
            branches = node["anyOf"]
            assert len(branches) == 2 and branches[1] == {"type": "null"}, (name, where)


def test_envelope_dispatches_every_registered_payload_type_and_no_other() -> None:
    payload = load(SCHEMAS / "job-v1.json")["$defs"]["Payload"]
    dispatched = {
        branch["if"]["properties"]["type"]["const"]: branch["then"]["properties"]["data"]["$ref"]
        for branch in payload["allOf"]
    }
    assert dispatched == {name: entry["file"] for name, entry in INDEX["payloads"].items()}
    for name, entry in INDEX["payloads"].items():
        assert name == f"{entry['operation']}.v{entry['version']}"


def test_every_rule_id_in_the_schemas_is_registered() -> None:
    registered = rules.all_rules()
    for name, where, node in schema_nodes():
        for keyword, rule_id in node.get("x-rule", {}).items():
            assert keyword in node, (name, where, keyword)
            assert rule_id in registered, (name, where, rule_id)


ASSERTING_KEYWORDS = {
    "type",
    "required",
    "enum",
    "const",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "not",
    "anyOf",
}


def test_every_assertion_maps_to_a_rule() -> None:
    """Each keyword that can fail is annotated with x-rule or has a generic rule."""
    generic = rules.rule_for_keyword()
    for name, where, node in schema_nodes():
        if "if" in where or "not" in where or "ExtensionKey" in where:
            # Conditions and negated subschemas are never reported themselves; ExtensionKey
            # is matched by the unknown-field lint in code, never referenced by a schema.
            continue
        for keyword in ASSERTING_KEYWORDS & node.keys():
            assert keyword in node.get("x-rule", {}) or keyword in generic, (name, where, keyword)


def test_schema_defaults_are_the_protocol_defaults() -> None:
    execution = load(SCHEMAS / "job-v1.json")["$defs"]["ExecutionPolicy"]["properties"]
    defaults = {name: spec.get("default") for name, spec in execution.items() if "default" in spec}
    assert defaults == {"attempt": 1, "max_attempts": 1, "timeout_seconds": 3600, "priority": 5, "cancellable": True}
    image = load(SCHEMAS / "payloads/guestkit.inspect.v1.json")["$defs"]["InspectImage"]["properties"]
    assert image["read_only"]["default"] is True


def test_state_machine_agrees_with_the_status_enums() -> None:
    machine = load(SCHEMAS / INDEX["state_machine"])
    common = load(SCHEMAS / "common-v1.json")["$defs"]
    states = machine["states"]
    assert list(states) == common["JobStatus"]["enum"]
    assert [s for s, spec in states.items() if spec["terminal"]] == common["TerminalJobStatus"]["enum"]
    assert machine["transitions"].keys() == states.keys()
    for source, targets in machine["transitions"].items():
        assert source not in targets, "no self-transitions"
        assert set(targets) <= states.keys()
        assert not (states[source]["terminal"] and targets), "terminal states stay terminal"


# protocol-facts.md sections 4 and 5, item by item, and the rule ids that carry them.
PROTOCOL_FACTS_RULES = {
    "4.1 version is 1.0": ["job.version"],
    "4.2 job_id at least 8 characters": ["job.job-id.length"],
    "4.3 kind is VMOperation": ["job.kind"],
    "4.4 operation namespaced": ["job.operation.namespaced"],
    "4.5 payload.type is <operation>.v<N>": ["job.payload-type.format"],
    "4.6 priority 1..10": ["execution.priority.range"],
    "4.7 max_attempts >= 1 and attempt <= max_attempts": ["execution.attempts.minimum", "execution.attempt.within-max"],
    "4.8 timeout above 24 h warns": ["execution.timeout.long"],
    "4.9 disk above 100 TB warns": ["constraints.disk-size.large"],
    "4.10 minimum_worker_version not empty": ["constraints.minimum-worker-version.non-empty"],
    "4.11 capability check": ["scheduling.capability.missing"],
    "5 unknown fields": ["document.unknown-field"],
    "5 payload.type agrees with operation": ["job.payload-type.matches-operation"],
    "5 unknown payload type warns": ["job.payload-type.unregistered"],
    "5 closed sets": ["schema.closed-set"],
    "5 job_id charset": ["job.job-id.length", "job.job-id.charset"],
    "5 paths": ["path.safe"],
    "5 checksum": ["checksum.format"],
    "5 deadline": ["execution.deadline.after-created"],
    "5 timestamps": ["timestamp.rfc3339"],
    "5 state machine": ["state.transition"],
    "5 limits": ["json.size", "json.depth", "json.string-length", "json.container-size"],
}


@pytest.mark.parametrize("fact", PROTOCOL_FACTS_RULES)
def test_every_protocol_rule_has_a_registered_id(fact: str) -> None:
    for rule_id in PROTOCOL_FACTS_RULES[fact]:
        assert rule_id in rules.all_rules(), fact


def test_escalating_rules_are_the_two_strict_mode_names() -> None:
    escalating = {r.id for r in rules.all_rules().values() if r.strict_severity}
    assert escalating == {"document.unknown-field", "job.payload-type.unregistered"}


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_example_validates_against_its_schema(path: Path) -> None:
    """Plain schema validation (formats asserted), independent of the package's pipeline."""
    document = load(path)
    doc_type = next(t for t, e in INDEX["documents"].items() if e["id"] == document["$schema"])
    assert [e.message for e in engines.reference(doc_type).iter_errors(document)] == []


def test_every_document_type_and_payload_type_has_an_example() -> None:
    documents = [load(p) for p in EXAMPLES.glob("*.json")]
    claimed = {d["$schema"] for d in documents}
    assert {e["id"] for e in INDEX["documents"].values()} <= claimed
    payload_types = {d["payload"]["type"] for d in documents if "payload" in d}
    assert set(INDEX["payloads"]) <= payload_types


def test_meta_schemas_are_listed_as_the_data_files_schemas() -> None:
    metas = {json.loads(path.read_text())["$id"] for path in META_PATHS}
    for data_file in ("index.json", *(INDEX[kind] for kind in ("rules", "keywords", "errata", "state_machine"))):
        declared = json.loads((SCHEMAS / data_file).read_text())["$schema"]
        assert declared in metas, f"{data_file}: $schema must be the absolute $id of a meta-schema (erratum 1.0.1-E3)"
