"""What validation reports: issues (rule id, JSON Pointer, message) gathered in a report."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .rules import Severity


@dataclass(frozen=True)
class Issue:
    """One finding: the rule it breaks, where (RFC 6901 JSON Pointer), and what to do."""

    rule: str
    pointer: str
    message: str
    severity: Severity = "error"

    def __init__(self, rule: str, pointer: str, message: str, severity: Severity = "error") -> None:
        # All fields at once: the generated __init__ of a frozen dataclass sets each through
        # object.__setattr__, and an invalid document makes dozens of issues.
        self.__dict__.update(rule=rule, pointer=pointer, message=message, severity=severity)

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "pointer": self.pointer, "message": self.message}


@dataclass(frozen=True)
class Report:
    """The outcome of validating one document."""

    doc_type: str | None
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    document: Any = field(default=None, repr=False, compare=False)
    """The decoded document, or None when it could not be decoded."""

    @property
    def valid(self) -> bool:
        return not self.errors

    @classmethod
    def of(cls, doc_type: str | None, issues: Iterable[Issue], document: Any = None) -> Report:
        """Sort issues into errors and warnings, dropping repeats of the same rule at the same place."""
        seen: set[tuple[str, str]] = set()
        errors: list[Issue] = []
        warnings: list[Issue] = []
        for issue in issues:
            if (issue.rule, issue.pointer) in seen:
                continue
            seen.add((issue.rule, issue.pointer))
            (errors if issue.severity == "error" else warnings).append(issue)
        return cls(doc_type, tuple(errors), tuple(warnings), document)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.doc_type,
            "valid": self.valid,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
        }


_JSON_TYPE_NAMES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}


_as_json_text = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps builds an encoder per call


def show(value: Any, limit: int = 60) -> str:
    """A short, unambiguous rendering of a JSON value for messages."""
    if isinstance(value, str):
        text = _as_json_text(value)
        if len(text) > limit:
            text = text[: limit - 4] + '..."'
        return "an empty string" if value == "" else text
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list) and not value:
        return "an empty array"
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)
