"""Schema compatibility: can a new set of schemas replace an old one within a major version?

A change is safe only when it is safe in both directions: old readers given new documents,
and new readers given old documents. Objects are open, so a new optional property is safe
(old readers keep unknown fields), as are documentation changes, new definitions, new
payload types (a new ``if``/``then`` branch of the dispatch and its schema file), new
warning rules, new scheduling rules (``scheduling.*``: they judge whether a worker may
run a job, never whether a document is valid; specification, sections 9 and 10) and new
rules that judge only traces (``applies_to: ["trace"]``: sequences of messages, never one
document). Everything else that changes a constraint is breaking, and so is any change the
checker cannot classify.

Each finding names its rule (below), the schema file and a JSON Pointer into it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..protocol import keywords

# Finding rules: id -> whether it breaks compatibility.
RULES = {
    "compat.schema-removed": True,
    "compat.schema-added": False,
    "compat.required-changed": True,
    "compat.property-removed": True,
    "compat.property-added": False,
    "compat.definition-removed": True,
    "compat.definition-added": False,
    "compat.payload-type-added": False,
    "compat.payload-type-removed": True,
    "compat.enum-changed": True,
    "compat.type-changed": True,
    "compat.bound-changed": True,
    "compat.const-changed": True,
    "compat.pattern-changed": True,
    "compat.format-changed": True,
    "compat.reference-changed": True,
    "compat.default-changed": True,
    "compat.rule-id-changed": True,
    "compat.documentation-changed": False,
    "compat.unclassified": True,
    "compat.rule-removed": True,
    "compat.rule-severity-changed": True,
    "compat.error-rule-added": True,
    "compat.warning-rule-added": False,
    "compat.scheduling-rule-added": False,
    "compat.trace-rule-added": False,
    "compat.new-document-rule-added": False,
    "compat.transitions-changed": True,
}


@dataclass(frozen=True)
class Finding:
    rule: str
    schema: str
    pointer: str
    message: str

    @property
    def breaking(self) -> bool:
        return RULES[self.rule]

    def __str__(self) -> str:
        kind = "BREAKING" if self.breaking else "safe"
        return f"{kind} [{self.rule}] {self.schema}#{self.pointer}: {self.message}"


def compare(old_dir: Path, new_dir: Path) -> list[Finding]:
    """Every difference between two schema folders (each with its index.json), classified."""
    old_index, new_index = _read(old_dir / "index.json"), _read(new_dir / "index.json")
    findings = list(_compare_files(old_dir, new_dir, old_index, new_index))
    findings += _compare_rules(
        _read(old_dir / old_index["rules"]), _read(new_dir / new_index["rules"]), new_index["rules"], old_index
    )
    old_states, new_states = _read(old_dir / old_index["state_machine"]), _read(new_dir / new_index["state_machine"])
    if (old_states["states"].keys(), old_states["transitions"]) != (
        new_states["states"].keys(),
        new_states["transitions"],
    ):
        findings.append(
            Finding("compat.transitions-changed", new_index["state_machine"], "", "job statuses or transitions changed")
        )
    return findings


def breaking(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.breaking]


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _schema_files(index: dict[str, Any]) -> dict[str, str]:
    """Schema file -> the kind of index entry it is (definitions, documents, payloads)."""
    return {entry["file"]: kind for kind in ("definitions", "documents", "payloads") for entry in index[kind].values()}


def _compare_files(old_dir: Path, new_dir: Path, old_index: Any, new_index: Any) -> Iterator[Finding]:
    old_files, new_files = _schema_files(old_index), _schema_files(new_index)
    for name in sorted(old_files.keys() - new_files.keys()):
        yield Finding("compat.schema-removed", name, "", "the schema file is gone")
    for name in sorted(new_files.keys() - old_files.keys()):
        kind = "a new payload type" if new_files[name] == "payloads" else "a new schema"
        yield Finding("compat.schema-added", name, "", kind)
    for name in sorted(old_files.keys() & new_files.keys()):
        yield from _compare_nodes(name, "", _read(old_dir / name), _read(new_dir / name))


def _compare_nodes(schema: str, pointer: str, old: Any, new: Any) -> Iterator[Finding]:
    if old == new:
        return
    if not (isinstance(old, dict) and isinstance(new, dict)):
        yield Finding("compat.unclassified", schema, pointer, "a schema changed in a way the checker cannot classify")
        return
    for keyword in sorted(old.keys() | new.keys()):
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            continue
        here = f"{pointer}/{keyword}"
        entry = keywords.get(keyword)
        how = entry.compat if entry is not None else None  # the keyword table says how a change is judged
        if how == "required":
            yield _required_changed(schema, here, set(before or ()), set(after or ()))
        elif how == "members":
            yield from _compare_members(schema, here, keyword, before or {}, after or {}, new.get("required", []))
        elif how == "dispatch":
            yield from _compare_all_of(schema, here, before or [], after or [])
        elif how == "branches" and isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
            for i, (old_branch, new_branch) in enumerate(zip(before, after, strict=True)):
                yield from _compare_nodes(schema, f"{here}/{i}", old_branch, new_branch)
        elif how == "subschema" and before is not None and after is not None:
            yield from _compare_nodes(schema, here, before, after)
        elif how == "compat.documentation-changed":
            yield Finding(how, schema, here, "documentation only")
        elif how is not None and how in RULES:
            yield Finding(how, schema, here, f"{keyword} changed from {_show(before)} to {_show(after)}")
        else:
            yield Finding(
                "compat.unclassified", schema, here, f"{keyword} changed; the checker cannot tell if it is safe"
            )


def _required_changed(schema: str, pointer: str, before: set[str], after: set[str]) -> Finding:
    added, removed = after - before, before - after
    what = "; ".join(
        part
        for part in (
            f"now required: {', '.join(sorted(added))} (old documents may lack it)" if added else "",
            f"no longer required: {', '.join(sorted(removed))} (old readers expect it)" if removed else "",
        )
        if part
    )
    return Finding("compat.required-changed", schema, pointer, what)


def _compare_members(
    schema: str, pointer: str, keyword: str, before: dict[str, Any], after: dict[str, Any], required: list[str]
) -> Iterator[Finding]:
    noun = "property" if keyword == "properties" else "definition"
    for name in sorted(before.keys() - after.keys()):
        yield Finding(f"compat.{noun}-removed", schema, f"{pointer}/{name}", f"the {noun} '{name}' is gone")
    for name in sorted(after.keys() - before.keys()):
        if keyword == "properties" and name in required:
            continue  # reported as a required change
        yield Finding(f"compat.{noun}-added", schema, f"{pointer}/{name}", f"a new optional {noun} '{name}'")
    for name in sorted(before.keys() & after.keys()):
        yield from _compare_nodes(schema, f"{pointer}/{name}", before[name], after[name])


def _compare_all_of(schema: str, pointer: str, before: list[Any], after: list[Any]) -> Iterator[Finding]:
    """Payload dispatch branches are matched by payload type; other branches by position."""
    old_types, new_types = _dispatched(before), _dispatched(after)
    for payload_type in sorted(old_types.keys() - new_types.keys()):
        yield Finding(
            "compat.payload-type-removed",
            schema,
            f"{pointer}/{old_types[payload_type]}",
            f"payload type {payload_type} is no longer dispatched",
        )
    for payload_type in sorted(new_types.keys() - old_types.keys()):
        yield Finding(
            "compat.payload-type-added",
            schema,
            f"{pointer}/{new_types[payload_type]}",
            f"payload type {payload_type} dispatched: compatible only while every frozen and upstream document "
            "of that type keeps its verdict and reasons but the unregistered-type one (tests/test_frozen_v1.py)",
        )
    for payload_type in sorted(old_types.keys() & new_types.keys()):
        yield from _compare_nodes(
            schema,
            f"{pointer}/{new_types[payload_type]}",
            before[old_types[payload_type]],
            after[new_types[payload_type]],
        )
    others_before = [b for b in before if not _is_payload_dispatch(b)]
    others_after = [b for b in after if not _is_payload_dispatch(b)]
    for i, (old_branch, new_branch) in enumerate(zip(others_before, others_after, strict=False)):
        yield from _compare_nodes(schema, f"{pointer}/{i}", old_branch, new_branch)
    if len(others_before) != len(others_after):
        yield Finding("compat.unclassified", schema, pointer, "allOf branches were added or removed")


def _dispatched(branches: list[Any]) -> dict[str, int]:
    """Payload type -> position of its dispatch branch."""
    return {b["if"]["properties"]["type"]["const"]: i for i, b in enumerate(branches) if _is_payload_dispatch(b)}


def _is_payload_dispatch(branch: Any) -> bool:
    try:
        return bool(branch["if"]["properties"]["type"]["const"]) and branch["then"]["properties"]["data"]["$ref"]
    except (KeyError, TypeError):
        return False


SCHEDULING = "scheduling."
"""The namespace of the rules that judge a job and a worker together (``match_worker``), not one document."""


def _compare_rules(old: Any, new: Any, name: str, old_index: Any) -> Iterator[Finding]:
    before = {rule["id"]: rule for rule in old["rules"]}
    after = {rule["id"]: rule for rule in new["rules"]}
    for rule_id in sorted(before.keys() - after.keys()):
        yield Finding("compat.rule-removed", name, "", f"rule {rule_id} is gone; consumers match on its id")
    for rule_id in sorted(before.keys() & after.keys()):
        old_rule, new_rule = before[rule_id], after[rule_id]
        severities = ("severity", "strict_severity")
        if any(old_rule.get(key) != new_rule.get(key) for key in severities):
            yield Finding("compat.rule-severity-changed", name, "", f"rule {rule_id} changed severity")
    for rule_id in sorted(after.keys() - before.keys()):
        if rule_id.startswith(SCHEDULING):
            yield Finding(
                "compat.scheduling-rule-added", name, "", f"new scheduling rule {rule_id}: no document changes"
            )
        elif after[rule_id].get("applies_to") == ["trace"]:
            yield Finding("compat.trace-rule-added", name, "", f"new rule {rule_id} judges traces, no document")
        elif set(after[rule_id].get("applies_to", ["*"])).isdisjoint({"*", *old_index["documents"]}):
            yield Finding(
                "compat.new-document-rule-added",
                name,
                "",
                f"new rule {rule_id} judges only documents of types new since, which no old document is",
            )
        elif after[rule_id]["severity"] == "error":
            yield Finding("compat.error-rule-added", name, "", f"new error rule {rule_id} may reject old documents")
        else:
            yield Finding("compat.warning-rule-added", name, "", f"new warning rule {rule_id}")


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
