"""The validation pipeline: strict decoding, schema, code-only rules, then the report."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping
from dataclasses import is_dataclass, replace
from typing import Any, Literal

from ..protocol import resources, rules
from ..protocol.doctype import detect, detect_from_fields, identifiers
from ..protocol.limits import DEFAULT_LIMITS, Limits
from ..protocol.report import Issue, Report, show
from .code_rules import CODE_RULES, code_issues
from .fast import closed_check, findings, prover
from .number_form import integer_form_issues
from .reference.decoding import Decoded, check_decoded, decode

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
    job: bytes | str | Any = None,
) -> Report:
    """Validate one protocol document and report every error and warning.

    ``data`` is the raw bytes or text of a JSON document, or a value already decoded
    (normally a mapping).
    ``type`` is ``job``, ``result``, ``progress``, ``worker``, or ``auto`` to tell it from
    the document's fields. ``strict`` turns the warnings about unknown fields and
    unregistered payload types into errors. Never raises on bad input: undecodable,
    oversized or malformed documents give a report with errors.
    ``engine`` ``fast`` (the default) proves valid documents in compiled code
    (``fast.prover``) and words what the compiled code finds in invalid ones
    (``fast.findings``), leaving to ``reference`` (pure Python: jiter, jsonschema) only what
    it cannot decode or word; both engines give the same report.

    ``job``, for a result (protocol 1.1): the job it answers, in any form ``data`` takes. The
    data of a completed result is then checked against the schema registered for the job's
    payload type (its pointers under ``/data``), and the result must name the job
    (``result.job.mismatch``). ValueError when the job is not a JSON object, or ``type``
    is not ``result`` (or ``auto`` telling a result).
    """
    report = _validate_document(data, type=type, strict=strict, limits=limits, engine=engine)
    return report if job is None else _against_job(report, job, strict, limits, engine)


def _against_job(report: Report, job: Any, strict: bool, limits: Limits, engine: Engine) -> Report:
    if report.doc_type != "result":
        raise ValueError(f"job= checks a result against its job; this document is a {report.doc_type or 'not one'}")
    from .result_data import result_against_job  # jsonschema: loaded only when a job is given

    decoded = _decoded(job, limits)
    if not decoded.ok or not isinstance(decoded.value, Mapping):
        raise ValueError("job= is not a JSON object: give the job the result answers")
    found = list(result_against_job(report.document, decoded.value, fast=engine == "fast"))
    if not found:
        return report
    issues = [*report.errors, *report.warnings, *_with_severity(found, strict)]
    return Report.of(report.doc_type, issues, report.document)


def _decoded(data: Any, limits: Limits) -> Decoded:
    """``data`` decoded as the protocol decodes documents, whatever form it was given in."""
    if isinstance(data, (bytes, bytearray, memoryview, str)):
        return decode(data if isinstance(data, (bytes, str)) else bytes(data), limits)
    if _model_to_json is not None and is_dataclass(data) and not isinstance(data, builtins.type):
        data = _model_to_json(data)
    return check_decoded(data, limits)


def _validate_document(data: Any, *, type: str, strict: bool, limits: Limits, engine: Engine) -> Report:
    """``validate`` of one document, without a job."""
    raw = None if engine != "fast" else data if isinstance(data, bytes) else _document_bytes(data)
    doc_type: str | None = type
    found: prover.Found | Literal[False] | None = None
    if raw is not None:  # the common case first: a valid document
        doc_type = _type_of(raw, limits) if type == AUTO else type
        proven = False if doc_type is None else prover.prove(raw, doc_type, limits)
        if isinstance(proven, Report):
            return proven
        found = proven
    if type != AUTO and type not in resources.document_types():
        known = ", ".join((*resources.document_types(), AUTO))
        raise ValueError(f"unknown document type {type!r}; expected one of {known}")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if raw is not None and doc_type is not None and found is not False:  # False: the strict decoder explains
        report: Report | None
        if found is not None:  # what the prover found, reading the document once
            report = _report_of_found(found, doc_type, strict)
        elif prover.reads(doc_type):
            report = _report_of_findings(raw, doc_type, strict, limits)
        else:
            report = _fast_report(raw, doc_type, strict, limits)
        if report is not None:
            return _with_type_hint(report, type)
    decoded = _decoded(data, limits)
    return _with_type_hint(validate_decoded(decoded, doc_type=type, strict=strict, engine=engine), type)


_model_to_json: Callable[[Any], Any] | None = None


def accept_models(to_json: Callable[[Any], Any]) -> None:
    """Let ``validate`` take the typed layer's model objects (a ``Job`` as ``build()`` returns it):
    the typed layer, which sits above this one, hands over its binding when it is imported."""
    global _model_to_json
    _model_to_json = to_json


def _with_type_hint(report: Report, given: str) -> Report:
    """A document of another type, validated as ``given``, fails on the fields that type requires:
    the first of those errors says which type the document looks like and how to give it."""
    if report.valid or given == AUTO:
        return report
    looks_like = detect(report.document)
    if looks_like is None or looks_like == given:
        return report
    for index, issue in enumerate(report.errors):
        if issue.rule == "schema.required" and issue.pointer.count("/") == 1:  # a top-level field
            names = {doc_type: entry["title"].lower() for doc_type, entry in resources.index()["documents"].items()}
            hint = (
                f"{issue.message} (this looks like a {names[looks_like]}, not a {names[given]}: "
                f"validate it with type={looks_like!r}, or --type {looks_like} on the command line)"
            )
            hinted = Issue(issue.rule, issue.pointer, hint, issue.severity)
            return replace(report, errors=(*report.errors[:index], hinted, *report.errors[index + 1 :]))
    return report


def validate_decoded(decoded: Decoded, *, doc_type: str, strict: bool, engine: Engine = "fast") -> Report:
    """Validate a document that went through decoding."""
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
                f"cannot tell which protocol document this is ({_document_names()}): a type is told "
                f"from its identifier ({', '.join(identifiers())}) and more than half of its required members; "
                "give the type explicitly (--type)",
            )
            return Report.of(None, [issue], document)
        doc_type = detected
    return Report.of(doc_type, _with_severity(_all_issues(document, doc_type, engine), strict), document)


def _document_names() -> str:
    """Every document type's name, from the index: "job document, ..., or cancel request"."""
    names: list[str] = [entry["title"].lower() for entry in resources.index()["documents"].values()]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _document_bytes(data: Any) -> bytes | None:
    """The bytes of a document given as text; None for anything else (bytes need no call)."""
    try:
        return data.encode("utf-8") if isinstance(data, str) else None
    except UnicodeEncodeError:  # a lone surrogate: the strict decoder explains it
        return None


def _type_of(data: bytes, limits: Limits) -> str | None:
    """The type of a document given as ``auto``, told from its fields as the reference tells it:
    AUTO when they do not tell, None when the bytes are not a JSON text within the limits
    (the strict decoder then explains why)."""
    names = prover.member_names(data, limits)
    return None if names is None else detect_from_fields(names) or AUTO


def _report_of_findings(data: bytes, doc_type: str, strict: bool, limits: Limits) -> Report | None:
    """The report from the prover's findings (an invalid document, or one code-only rules
    object to); None when the bytes are not a JSON text within the limits."""
    found = findings.from_bytes(data, doc_type, limits)
    return None if found is None else _report_of_worded(findings.worded(found), doc_type, strict, found[3])


def _report_of_found(found: prover.Found, doc_type: str, strict: bool) -> Report:
    document, _, fired, integral = found
    if fired is None:
        return _report_of_worded(findings.worded(found), doc_type, strict, integral)
    # Schema-valid, no unknown field: only these code-only rules speak (an upstream payload type's
    # warning, the commonest case after a clean document), each once: no sorting out to do.
    checks = CODE_RULES.get(doc_type, {})
    issues = [issue for rule in fired for issue in checks[rule](document)]
    if integral:
        issues += integer_form_issues(document, doc_type, known=integral)
    # _with_severity's mapping, inline: its generator costs 0.3-0.5 us on this path.
    severities = rules.severities(strict=strict)
    errors: list[Issue] = []
    warnings: list[Issue] = []
    for issue in issues:
        severity = severities[issue.rule]
        if severity != issue.severity:
            issue = Issue(issue.rule, issue.pointer, issue.message, severity)
        (errors if severity == "error" else warnings).append(issue)
    return Report(doc_type, tuple(errors), tuple(warnings), document)


def _report_of_worded(
    worded: tuple[Any, list[Issue], list[Issue]], doc_type: str, strict: bool, integral: bool
) -> Report:
    document, schema_found, unknown = worded
    issues = _in_order(document, doc_type, schema_found, unknown, integral)
    return Report.of(doc_type, _with_severity(issues, strict), document)


def _fast_report(data: bytes, doc_type: str, strict: bool, limits: Limits) -> Report | None:
    """The report when orjson can decode ``data`` exactly as the strict decoder would; else None.
    ``doc_type`` is AUTO only when the document's fields did not tell it (see _type_of)."""
    document = closed_check.decode(data, limits)
    if document is None:
        return None
    decoded = Decoded(document, ())
    return _clean_report(decoded, doc_type, strict) or validate_decoded(decoded, doc_type=doc_type, strict=strict)


def _clean_report(decoded: Decoded, doc_type: str, strict: bool) -> Report | None:
    """The report of a document the fast engine proves schema-valid and lint-clean (the common case); else None."""
    document = decoded.value
    if doc_type == AUTO or not closed_check.is_clean(document, doc_type):
        return None
    findings = [*code_issues(document, doc_type), *integer_form_issues(document, doc_type)]
    if not findings:
        return Report(doc_type, (), (), document)
    return Report.of(doc_type, _with_severity(findings, strict), document)


def _all_issues(document: Any, doc_type: str, engine: Engine) -> Iterable[Issue]:
    if engine == "fast":
        try:
            schema_found, unknown = findings.from_document(document, doc_type)
        except findings.Unworded:
            pass
        else:
            return _in_order(document, doc_type, schema_found, unknown)
    # The reference engine's modules load on first use: the fast engine does without them.
    from .reference.schema_check import schema_issues
    from .reference.unknown_fields import unknown_field_issues

    return _in_order(document, doc_type, schema_issues(document, doc_type), unknown_field_issues(document, doc_type))


def _in_order(
    document: Any, doc_type: str, schema_found: Iterable[Issue], unknown: Iterable[Issue], integral: bool | None = None
) -> list[Issue]:
    """Every issue in report order: schema issues by place, then the code-only rules', the integers
    written as fractions, then unknown fields. ``integral``: see ``number_form.integer_form_issues``."""
    issues = sorted(schema_found, key=_position)
    issues += code_issues(document, doc_type)
    issues += integer_form_issues(document, doc_type, known=integral)
    issues += unknown
    return issues


def _position(issue: Issue) -> tuple[str, str]:
    return issue.pointer, issue.rule


def _with_severity(issues: Iterable[Issue], strict: bool) -> Iterable[Issue]:
    """Give each issue its rule's severity in this mode."""
    severities = rules.severities(strict=strict)
    for issue in issues:
        severity = severities[issue.rule]
        yield issue if severity == issue.severity else Issue(issue.rule, issue.pointer, issue.message, severity)
