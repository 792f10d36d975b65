"""How validation results are printed: text for people, or one JSON object for programs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TextIO

from ..protocol.report import Issue, Report


@dataclass
class Summary:
    documents: int = 0
    valid: int = 0
    invalid: int = 0
    warnings: int = 0

    def add(self, report: Report) -> None:
        self.documents += 1
        self.valid += report.valid
        self.invalid += not report.valid
        self.warnings += len(report.warnings)


@dataclass
class TextReporter:
    """One line per document (problems indented below it), then a summary line."""

    out: TextIO
    colour: bool = False
    quiet: bool = False
    summary: Summary = field(default_factory=Summary)

    def start(self) -> None:
        pass

    def document(self, source: str, report: Report) -> None:
        self.summary.add(report)
        if self.quiet and report.valid and not report.warnings:
            return
        kind = f" ({report.doc_type})" if report.doc_type else ""
        verdict = self._paint("valid", "32") if report.valid else self._paint("invalid", "31")
        counts = _counts(report)
        self.out.write(f"{source}: {verdict}{kind}{counts}\n")
        for issue in (*report.errors, *report.warnings):
            self.out.write(self._issue_line(issue))

    def finish(self) -> None:
        s = self.summary
        line = (
            f"{s.documents} document{'s' if s.documents != 1 else ''}: {s.valid} valid, {s.invalid} invalid, "
            f"{s.warnings} warning{'s' if s.warnings != 1 else ''}"
        )
        self.out.write(self._paint(line, "1") + "\n")

    def _issue_line(self, issue: Issue) -> str:
        label = self._paint("error", "31") if issue.severity == "error" else self._paint("warning", "33")
        where = issue.pointer or "(document)"
        return f"  {label} {where}: {issue.message} [{issue.rule}]\n"

    def _paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text


@dataclass
class JsonReporter:
    """Exactly one JSON object, written as documents arrive so memory stays flat."""

    out: TextIO
    summary: Summary = field(default_factory=Summary)

    def start(self) -> None:
        self.out.write('{"documents": [')

    def document(self, source: str, report: Report) -> None:
        if self.summary.documents:
            self.out.write(", ")
        self.summary.add(report)
        self.out.write(json.dumps({"source": source, **report.to_dict()}, ensure_ascii=False))

    def finish(self) -> None:
        self.out.write('], "summary": ' + json.dumps(vars(self.summary)) + "}\n")


def _counts(report: Report) -> str:
    parts = []
    if report.errors:
        parts.append(f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}")
    if report.warnings:
        parts.append(f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}")
    return ", " + ", ".join(parts) if parts else ""
