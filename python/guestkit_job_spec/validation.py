"""The validation pipeline: strict decoding, schema, code-only rules, then the report."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from . import fast_engine, resources, rules
from .code_rules import code_issues
from .decoding import Decoded, check_decoded, decode
from .doctype import detect
from .limits import DEFAULT_LIMITS, Limits
from .report import Issue, Report, show

AUTO = "auto"
Engine = Literal["fast", "reference"]
ENGINES: tuple[Engine, ...] = ("fast", "reference")


def validate(
    data: bytes | str | Any,
    *,
    type: str = "job",
    strict: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    engine: Engine = "fast",
) -> Report:
    """Validate one protocol document and report every error and warning.

    ``data`` is the raw bytes or text of a JSON document, or a value already decoded
    (normally a mapping).
    ``type`` is ``job``, ``result``, ``progress``, ``worker``, or ``auto`` to tell it from
    the document's fields. ``strict`` turns the warnings about unknown fields and
    unregistered payload types into errors. Never raises on bad input: undecodable,
    oversized or malformed documents give a report with errors.
    ``engine`` ``fast`` (the default) first tries to prove raw bytes or text valid in
    compiled code (``fast_engine``) and falls back to ``reference`` (pure Python:
    jiter, jsonschema) for anything it cannot prove; both give the same report.
    """
    if type != AUTO and type not in resources.document_types():
        known = ", ".join((*resources.document_types(), AUTO))
        raise ValueError(f"unknown document type {type!r}; expected one of {known}")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if engine == "fast" and isinstance(data, (bytes, str)):
        report = _proven_clean(data, type, strict, limits)
        if report is not None:
            return report
    if isinstance(data, (bytes, bytearray, memoryview, str)):
        decoded = decode(data if isinstance(data, (bytes, str)) else bytes(data), limits)
    else:
        decoded = check_decoded(data, limits)
    return validate_decoded(decoded, doc_type=type, strict=strict)


def validate_decoded(decoded: Decoded, *, doc_type: str, strict: bool) -> Report:
    """Validate a document that went through decoding (the CLI's way in)."""
    if not decoded.ok:
        return Report.of(None if doc_type == AUTO else doc_type, decoded.issues)
    document = decoded.value
    if doc_type == AUTO:
        if not isinstance(document, Mapping):
            issue = Issue("schema.type", "", f"the document is {show(document)}; expected an object")
            return Report.of(None, [issue], document)
        detected = detect(document)
        if detected is None:
            issue = Issue(
                "document.type-unknown",
                "",
                "cannot tell whether this is a job, result, progress event or worker registration; "
                "give the type explicitly (--type)",
            )
            return Report.of(None, [issue], document)
        doc_type = detected
    return Report.of(doc_type, _with_severity(_all_issues(document, doc_type), strict), document)


def _proven_clean(data: bytes | str, doc_type: str, strict: bool, limits: Limits) -> Report | None:
    """The report of a document the fast engine proves decodable, schema-valid and lint-clean; else None."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the reference decoder explains it
            return None
    document = fast_engine.decode(data, limits)
    if doc_type == AUTO:
        doc_type = detect(document) or AUTO
    if document is None or doc_type == AUTO or not fast_engine.is_clean(document, doc_type):
        return None
    findings = list(code_issues(document, doc_type))
    if not findings:  # the common case
        return Report(doc_type, (), (), document)
    return Report.of(doc_type, _with_severity(findings, strict), document)


def _all_issues(document: Any, doc_type: str) -> Iterable[Issue]:
    # The reference engine's modules load on first use: the fast engine does without them.
    from .schema_check import schema_issues
    from .unknown_fields import unknown_field_issues

    yield from sorted(schema_issues(document, doc_type), key=_position)
    yield from code_issues(document, doc_type)
    yield from unknown_field_issues(document, doc_type)


def _position(issue: Issue) -> tuple[str, str]:
    return issue.pointer, issue.rule


def _with_severity(issues: Iterable[Issue], strict: bool) -> Iterable[Issue]:
    """Give each issue its rule's severity in this mode."""
    for issue in issues:
        severity = rules.get(issue.rule).severity_in(strict=strict)
        yield issue if severity == issue.severity else Issue(issue.rule, issue.pointer, issue.message, severity)
