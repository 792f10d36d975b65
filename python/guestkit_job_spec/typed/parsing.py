"""Typed parsing: validate a document, then return it as generated dataclasses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any, cast

from ..protocol import resources
from ..protocol.limits import DEFAULT_LIMITS, Limits
from ..protocol.report import Issue, Report
from ..validation.pipeline import validate
from . import binding
from .models.job_v1 import Job
from .models.progress_v1 import ProgressEvent
from .models.result_v1 import JobResult
from .models.worker_v1 import WorkerRegistration

Source = bytes | str | Mapping[str, Any]


class InvalidDocumentError(ValueError):
    """A document failed validation; ``report`` holds every error and warning."""

    def __init__(self, report: Report) -> None:
        self.report = report
        lines = [f"  {issue.pointer or '(document)'}: {issue.message} [{issue.rule}]" for issue in report.errors]
        kind = report.doc_type or "document"
        super().__init__(f"invalid {kind}: {len(report.errors)} error(s)\n" + "\n".join(lines))


@cache
def root_class(doc_type: str) -> type:
    """The model class of a document type, from its schema's root ``$ref``."""
    schema = resources.document_schema(doc_type)
    definition = resources.registry().resolver(base_uri=schema["$id"]).lookup(schema["$ref"]).contents
    return binding.model_classes()[definition["title"]]


class DocumentWarning(UserWarning):
    """A warning about a document the caller made (``JobBuilder.build``): valid, but with something
    a reader may not expect, such as an unknown field; ``issue`` is the report's warning."""

    def __init__(self, issue: Issue) -> None:
        self.issue = issue
        super().__init__(f"{issue.pointer or '(document)'}: {issue.message} [{issue.rule}]")


def parse_reported(
    data: Source, *, type: str, strict: bool = False, limits: Limits = DEFAULT_LIMITS
) -> tuple[Any, Report]:
    """``parse``, with the report (its warnings) beside the model object."""
    report = validate(data, type=type, strict=strict, limits=limits)
    if not report.valid:
        raise InvalidDocumentError(report)
    return binding.from_json(root_class(type), report.document), report


def parse(data: Source, *, type: str, strict: bool = False, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Validate ``data`` as a document of ``type`` and return it as its model class.

    Raises InvalidDocumentError, carrying the full report, when it is not valid.
    """
    return parse_reported(data, type=type, strict=strict, limits=limits)[0]


def parse_job(data: Source, *, strict: bool = False, limits: Limits = DEFAULT_LIMITS) -> Job:
    """A job document as a ``Job``; ``job.payload.data`` is the payload type's class when
    the type is registered (e.g. ``InspectPayload``), and a dict when it is not."""
    return cast(Job, parse(data, type="job", strict=strict, limits=limits))


def parse_result(data: Source, *, strict: bool = False, limits: Limits = DEFAULT_LIMITS) -> JobResult:
    return cast(JobResult, parse(data, type="result", strict=strict, limits=limits))


def parse_progress(data: Source, *, strict: bool = False, limits: Limits = DEFAULT_LIMITS) -> ProgressEvent:
    return cast(ProgressEvent, parse(data, type="progress", strict=strict, limits=limits))


def parse_worker(data: Source, *, strict: bool = False, limits: Limits = DEFAULT_LIMITS) -> WorkerRegistration:
    return cast(WorkerRegistration, parse(data, type="worker", strict=strict, limits=limits))


def dumps(document: Any, *, indent: int | None = 2) -> str:
    """A model object (or plain JSON value) as JSON text, non-ASCII kept as is."""
    return json.dumps(binding.to_json(document), indent=indent, ensure_ascii=False)
