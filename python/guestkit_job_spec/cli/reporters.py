"""How validation results are printed: text for people, or one JSON object for programs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TextIO

from ..protocol.doctype import identifiers
from ..protocol.report import Issue, Report


@dataclass
class Summary:
    documents: int = 0
    valid: int = 0
    invalid: int = 0
    warnings: int = 0
    skipped: int = 0

    def add(self, report: Report) -> None:
        self.documents += 1
        self.valid += report.valid
        self.invalid += not report.valid
        self.warnings += len(report.warnings)

    def skip(self) -> None:
        """A file skipped as no protocol document: counted apart, not as a document."""
        self.skipped += 1


@dataclass
class TextReporter:
    """One line per document (problems indented below it), then a summary line. Lines of a
    JSON Lines input that are valid without warnings are counted, not listed: one line per
    input says how many (a run of 100,000 jobs lists the few with problems)."""

    out: TextIO
    colour: bool = False
    quiet: bool = False
    summary: Summary = field(default_factory=Summary)
    _clean_lines: tuple[str, int] | None = None  # the JSON Lines input being read, and its clean lines so far

    def start(self) -> None:
        pass

    def document(self, source: str, line: int | None, report: Report) -> None:
        self.summary.add(report)
        clean = report.valid and not report.warnings
        if line is not None and clean:
            count = self._clean_lines[1] if self._clean_lines and self._clean_lines[0] == source else 0
            if count == 0:
                self._flush_clean_lines()
            self._clean_lines = (source, count + 1)
            return
        if self._clean_lines and self._clean_lines[0] != source:
            self._flush_clean_lines()
        if self.quiet and clean:
            return
        kind = f" ({report.doc_type})" if report.doc_type else ""
        verdict = self._paint("valid", "32") if report.valid else self._paint("invalid", "31")
        counts = _counts(report)
        where = source if line is None else f"{source}:{line}"
        self.out.write(f"{where}: {verdict}{kind}{counts}\n")
        for issue in (*report.errors, *report.warnings):
            self.out.write(self._issue_line(issue))

    def skipped(self, source: str, line: int | None) -> None:
        """A document skipped as no protocol document (``--skip-unknown``): one line, none with ``quiet``."""
        self.summary.skip()
        if self._clean_lines and self._clean_lines[0] != source:
            self._flush_clean_lines()
        if not self.quiet:
            where = source if line is None else f"{source}:{line}"
            names = " or ".join(identifiers())
            self.out.write(f"{where}: skipped, no protocol document (no type can be told, and it names no {names})\n")

    def finish(self) -> None:
        self._flush_clean_lines()
        s = self.summary
        line = (
            f"{s.documents} document{'s' if s.documents != 1 else ''}: {s.valid} valid, {s.invalid} invalid, "
            f"{s.warnings} warning{'s' if s.warnings != 1 else ''}"
        )
        if s.skipped:
            line += f"; {s.skipped} file{'s' if s.skipped != 1 else ''} skipped, no protocol document"
        self.out.write(self._paint(line, "1") + "\n")

    def _flush_clean_lines(self) -> None:
        if self._clean_lines is not None and not self.quiet:
            source, count = self._clean_lines
            lines = f"{count:,} line{'s' if count != 1 else ''}"
            self.out.write(f"{source}: {lines} {self._paint('valid', '32')}, nothing to report\n")
        self._clean_lines = None

    def _issue_line(self, issue: Issue) -> str:
        label = self._paint("error", "31") if issue.severity == "error" else self._paint("warning", "33")
        where = issue.pointer or "(document)"
        return f"  {label} {where}: {issue.message} [{issue.rule}]\n"

    def _paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text


@dataclass
class JsonReporter:
    """Exactly one JSON object, written as documents arrive so memory stays flat: each document's
    source (file, or ``<stdin>``), its line in a JSON Lines input (else null) and its report;
    with ``quiet``, only the documents with problems (the summary counts them all)."""

    out: TextIO
    quiet: bool = False
    summary: Summary = field(default_factory=Summary)
    _listed: int = 0

    def start(self) -> None:
        self.out.write('{"documents": [')

    def document(self, source: str, line: int | None, report: Report) -> None:
        self.summary.add(report)
        if self.quiet and report.valid and not report.warnings:
            return
        if self._listed:
            self.out.write(", ")
        self._listed += 1
        self.out.write(json.dumps({"source": source, "line": line, **report.to_dict()}, ensure_ascii=False))

    def skipped(self, source: str, line: int | None) -> None:
        """A document skipped as no protocol document (``--skip-unknown``): listed as skipped, not with ``quiet``."""
        self.summary.skip()
        if self.quiet:
            return
        if self._listed:
            self.out.write(", ")
        self._listed += 1
        self.out.write(json.dumps({"source": source, "line": line, "skipped": True}, ensure_ascii=False))

    def finish(self) -> None:
        self.out.write('], "summary": ' + json.dumps(vars(self.summary)) + "}\n")


def _counts(report: Report) -> str:
    parts = []
    if report.errors:
        parts.append(f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}")
    if report.warnings:
        parts.append(f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}")
    return ", " + ", ".join(parts) if parts else ""
