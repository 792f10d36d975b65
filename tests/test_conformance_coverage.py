"""The conformance suite covers the contract: a schema constraint no case exercises fails here.

For every rule id, a case that breaks it and a valid neighbour; for every enumeration,
each value in a valid case and one outside the set; for every pattern, a case that breaks
it; for every bound, a valid case at it and an invalid one past it; for every required
property, a case without it; for every typed property, a case with the wrong type; for
every class, an unknown field and an extension key. Cases are mapped to schema objects by
walking each document beside its schema.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from guestkit_job_spec import all_rules
from guestkit_job_spec.protocol import keywords, resources, rules
from guestkit_job_spec.protocol.pointers import unescape
from guestkit_job_spec.validation.reference.schema_walk import walk
from test_conformance import CASES, DOCUMENT_CASES

# A rule about reading files, not documents: the CLI tests cover it (test_cli.py). A rule about
# a result with the job it answers: no case kind holds two documents yet, test_result_data.py covers it.
NOT_A_DOCUMENT_RULE = {"input.unreadable", "result.job.mismatch"}


def covered_by(check: str) -> list[str]:
    """The keywords whose use the keyword table says a check below covers."""
    return [name for name, keyword in keywords.table().items() if keyword.coverage == check]


def schema_objects() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(schema file, JSON Pointer inside it, object) for every schema object that asserts something.
    Not the schemas of result data (schemas/results/): they judge a result with its job, which no
    case kind holds yet; tests/test_result_data.py checks them."""
    results = {entry["id"] for entry in resources.index().get("results", {}).values()}
    for schema_id, schema in resources.schemas_by_id().items():
        if schema_id not in results:
            yield from _objects(schema_id, "", schema)


def _objects(schema_id: str, pointer: str, node: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    if not isinstance(node, dict):
        return
    yield schema_id, pointer, node
    for where, sub in keywords.subschemas(node):
        if where.split("/")[0] not in ("if", "not"):  # conditions and negated guards assert nothing of their own
            yield from _objects(schema_id, f"{pointer}/{where}", sub)


class Seen:
    """What the cases show about each schema object, keyed by the object's identity."""

    def __init__(self) -> None:
        self.valid_values: dict[int, list[Any]] = defaultdict(list)
        self.errors: dict[int, set[str]] = defaultdict(set)
        self.error_values: dict[int, list[Any]] = defaultdict(list)
        self.missing: dict[int, set[str]] = defaultdict(set)
        self.unknown_field: set[int] = set()
        self.unlisted_member: set[int] = set()  # open classes: a member they do not list, valid even strictly
        self.extension_key: set[int] = set()


@cache
def seen() -> Seen:
    result = Seen()
    for case in DOCUMENT_CASES:
        issues = {(i["rule"], i["pointer"]) for i in case["errors"] + case["warnings"]}
        by_pointer: dict[str, set[str]] = defaultdict(set)
        for rule, pointer in issues:
            by_pointer[pointer].add(rule)
        for visit in walk(case["document"], case["type"]):
            for located in visit.schemas:
                key = id(located.node)
                if case["valid"]:
                    result.valid_values[key].append(visit.value)
                for rule in by_pointer.get(visit.pointer, ()):
                    result.errors[key].add(rule)
                    result.error_values[key].append(visit.value)
                for rule, pointer in issues:
                    parent, _, name = pointer.rpartition("/")
                    if parent != visit.pointer:
                        continue
                    if rule == "document.unknown-field":
                        result.unknown_field.add(key)
                    elif isinstance(visit.value, dict) and unescape(name) not in visit.value:
                        result.missing[key].add(name)
                if case["valid"] and case["strict"] and _has_extension_key(visit.value):
                    result.extension_key.add(key)
                if case["valid"] and case["strict"] and _has_unlisted_member(visit.value, located.node):
                    result.unlisted_member.add(key)
    return result


def _has_unlisted_member(value: Any, node: dict[str, Any]) -> bool:
    listed = node.get("properties", {})
    return isinstance(value, dict) and any(m not in listed and not _has_extension_key({m: 0}) for m in value)


def _has_extension_key(value: Any) -> bool:
    return isinstance(value, dict) and any("/" in member and "." in member.split("/")[0] for member in value)


def objects_with(keyword: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [entry for entry in schema_objects() if keyword in entry[2] and "ExtensionKey" not in entry[1]]


def rule_for(node: dict[str, Any], keyword: str) -> str:
    rule = rules.rule_of(keyword, node)
    assert rule is not None, keyword
    return rule.id


def ids(entries: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    return [f"{schema_id.rsplit('/', 1)[-1]}#{pointer}" for schema_id, pointer, _ in entries]


def test_there_are_at_least_300_cases() -> None:
    assert len(CASES) >= 300


@pytest.mark.parametrize("rule", sorted(set(all_rules()) - NOT_A_DOCUMENT_RULE))
def test_every_rule_has_a_failing_and_a_passing_case(rule: str) -> None:
    failing = [c for c in CASES if rule in {i["rule"] for i in c["errors"] + c.get("warnings", [])}]
    passing = [c for c in CASES if c["valid"] and rule in c.get("neighbour_of", [])]
    if rule == "state.transition":
        passing = [c for c in CASES if c["kind"] == "transition" and c["valid"]]
    assert failing, f"no case breaks {rule}"
    assert passing, f"no valid case is marked as the neighbour of {rule}"


@pytest.mark.parametrize(("schema_id", "pointer", "node"), objects_with("enum"), ids=ids(objects_with("enum")))
def test_every_enum_value_is_valid_somewhere_and_the_set_is_closed(
    schema_id: str, pointer: str, node: dict[str, Any]
) -> None:
    if pointer.endswith("/JobStatus"):  # statuses appear in state transitions, not in documents
        statuses = {
            c["transition"][end] for c in CASES if c["kind"] == "transition" and c["valid"] for end in ("from", "to")
        }
        assert set(node["enum"]) <= statuses
        return
    values = seen().valid_values[id(node)]
    assert [v for v in node["enum"] if v not in values] == [], "values no valid case uses"
    assert rule_for(node, "enum") in seen().errors[id(node)], "no case shows the set is closed"


@pytest.mark.parametrize(("schema_id", "pointer", "node"), objects_with("pattern"), ids=ids(objects_with("pattern")))
def test_every_pattern_is_broken_by_a_case(schema_id: str, pointer: str, node: dict[str, Any]) -> None:
    assert rule_for(node, "pattern") in seen().errors[id(node)]
    assert seen().valid_values[id(node)], "no valid case has a value here"


BOUNDS = [(keyword, entry) for keyword in covered_by("bound") for entry in objects_with(keyword)]


@pytest.mark.parametrize(
    ("keyword", "entry"),
    BOUNDS,
    ids=[f"{k}:{i}" for (k, _), i in zip(BOUNDS, ids([e for _, e in BOUNDS]), strict=True)],
)
def test_every_bound_has_a_case_at_it_and_past_it(keyword: str, entry: tuple[str, str, dict[str, Any]]) -> None:
    node = entry[2]
    bound = node[keyword]
    sized = keyword.endswith(("Length", "Items"))

    def measured(values: list[Any]) -> list[Any]:
        if sized:
            return [len(v) for v in values if isinstance(v, (str, list))]
        return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]

    measured_valid, measured_invalid = measured(seen().valid_values[id(node)]), measured(seen().error_values[id(node)])
    past = (lambda v: v < bound) if keyword.startswith("min") else (lambda v: v > bound)
    assert rule_for(node, keyword) in seen().errors[id(node)] and any(past(v) for v in measured_invalid), "none past"
    # The shortest semantic version is longer than one character: no value can sit at this bound.
    if keyword == "minLength" and node.get("$ref", "").endswith("/SemVer"):
        return
    assert bound in measured_valid, "no valid case at the bound"


REQUIRED = [(name, entry) for entry in objects_with("required") for name in entry[2]["required"]]


@pytest.mark.parametrize(
    ("name", "entry"),
    REQUIRED,
    ids=[f"{n}:{i}" for (n, _), i in zip(REQUIRED, ids([e for _, e in REQUIRED]), strict=True)],
)
def test_every_required_property_is_missing_in_a_case(name: str, entry: tuple[str, str, dict[str, Any]]) -> None:
    assert name in seen().missing[id(entry[2])]


def typed_properties() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (schema_id, f"{pointer}/properties/{name}", spec)
        for schema_id, pointer, node in schema_objects()
        if "title" in node
        for name, spec in node.get("properties", {}).items()
        if "type" in spec or "$ref" in spec or "anyOf" in spec
    ]


@pytest.mark.parametrize(("schema_id", "pointer", "node"), typed_properties(), ids=ids(typed_properties()))
def test_every_typed_property_has_a_wrong_type_case(schema_id: str, pointer: str, node: dict[str, Any]) -> None:
    assert "schema.type" in seen().errors[id(node)]


def _closed(node: dict[str, Any]) -> bool:
    """A class the unknown-field lint applies to: it lists its members and takes no others."""
    return "properties" in node and "additionalProperties" not in node


CLASSES = [
    entry for entry in schema_objects() if "title" in entry[2] and "properties" in entry[2] and _closed(entry[2])
]
OPEN_CLASSES = [
    entry
    for entry in schema_objects()
    if "title" in entry[2] and entry[2].get("type") == "object" and not _closed(entry[2])
]


@pytest.mark.parametrize(("schema_id", "pointer", "node"), CLASSES, ids=ids(CLASSES))
def test_every_class_has_unknown_field_and_extension_key_cases(
    schema_id: str, pointer: str, node: dict[str, Any]
) -> None:
    assert id(node) in seen().unknown_field, "no unknown-field case"
    assert id(node) in seen().extension_key, "no strict valid case with an extension key"


@pytest.mark.parametrize(("schema_id", "pointer", "node"), OPEN_CLASSES, ids=ids(OPEN_CLASSES))
def test_every_open_class_has_a_case_with_a_member_it_does_not_list(
    schema_id: str, pointer: str, node: dict[str, Any]
) -> None:
    """An echo's data, a fix plan operation: what they do not list is theirs, unreported even strictly."""
    assert id(node) in seen().unlisted_member


def test_every_keyword_in_use_has_a_coverage_check() -> None:
    """A new kind of constraint needs a check above, and its coverage entry in the keyword
    table, before a schema may use it."""
    checks = {"wrong-type", "every-value", "bound", "broken-pattern", "missing", "rule-case", "through-target",
              "through-subschemas"}  # fmt: skip
    used = {name for _, _, node in schema_objects() for name in node}
    unknown = sorted(name for name in used if keywords.get(name) is None and not name.startswith("x-"))
    assert unknown == [], "keywords missing from schemas/keywords-v1.json"
    asserting = {name for name in used if keywords.table()[name].kind in ("assertion", "applicator")}
    assert {
        name: keywords.table()[name].coverage for name in asserting if keywords.table()[name].coverage not in checks
    } == {}
