"""The rules registry (``schemas/rules-v1.json``): every rule id the package reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from . import keywords, resources

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    layer: Literal["schema", "code"]
    summary: str
    expected: str | None = None
    strict_severity: Severity | None = None
    keywords: tuple[str, ...] = ()
    """The schema keywords reported under this rule where no x-rule names another (the keyword table's)."""

    def severity_in(self, *, strict: bool) -> Severity:
        """Severity of a finding under this rule, in strict mode or not."""
        if strict and self.strict_severity is not None:
            return self.strict_severity
        return self.severity


@cache
def all_rules() -> Mapping[str, Rule]:
    """Every rule, keyed by id, in registry order."""
    rules: dict[str, Rule] = {}
    for entry in resources.read_json(resources.index()["rules"])["rules"]:
        rules[entry["id"]] = Rule(
            id=entry["id"],
            severity=entry["severity"],
            layer=entry["layer"],
            summary=entry["summary"],
            expected=entry.get("expected"),
            strict_severity=entry.get("strict_severity"),
            keywords=tuple(name for name, keyword in keywords.table().items() if keyword.rule == entry["id"]),
        )
    return rules


def get(rule_id: str) -> Rule:
    """The rule with this id; a KeyError names an id missing from the registry."""
    return all_rules()[rule_id]


@cache
def severities(*, strict: bool) -> Mapping[str, Severity]:
    """Each rule's severity in this mode, by id (read for every issue of every report)."""
    return {rule.id: rule.severity_in(strict=strict) for rule in all_rules().values()}


@cache
def rule_for_keyword() -> Mapping[str, Rule]:
    """Generic rules by schema keyword, for keywords with no ``x-rule`` annotation (the keyword table's)."""
    return {name: get(keyword.rule) for name, keyword in keywords.table().items() if keyword.rule is not None}


def rule_of(keyword: str, schema: Any) -> Rule | None:
    """The rule a schema keyword enforces: its ``x-rule`` annotation, else the keyword's
    generic rule; None for a keyword no rule covers (conditions, applicators)."""
    annotated = schema.get("x-rule", {}).get(keyword) if isinstance(schema, dict) else None
    if annotated is not None:
        return get(annotated)
    return rule_for_keyword().get(keyword)
