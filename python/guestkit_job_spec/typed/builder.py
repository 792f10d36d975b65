"""A fluent builder for job documents (the helper of each payload type is in helpers.py).

    job = (inspect_job("/vms/web-01.qcow2")
           .name("weekly-scan").label("env", "prod")
           .priority(8).max_attempts(3)
           .build())

Each setter checks its value at once against the schema's bounds and raises ValueError:
out-of-range values are rejected, never clamped. ``build()`` validates the whole document
and raises InvalidDocumentError with the full report.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, cast

from ulid import ULID

from ..protocol import resources
from ..protocol.limits import DEFAULT_LIMITS
from . import binding
from .models.job_v1 import Job
from .parsing import DocumentWarning, parse_reported


def generate_job_id() -> str:
    """``job-`` followed by a new ULID (26 characters, sortable by creation time)."""
    return f"job-{ULID()}"


def rfc3339(moment: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC with a ``Z``, e.g. ``2026-01-30T10:00:00Z``."""
    if moment.tzinfo is None:
        raise ValueError("timestamps need a time zone: pass an aware datetime, e.g. datetime.now(timezone.utc)")
    text = moment.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


class JobBuilder:
    """Builds a job document step by step. Every setter returns the builder."""

    def __init__(self) -> None:
        self._document: dict[str, Any] = {"version": "1.0", "kind": "VMOperation"}

    # --- identity and payload -------------------------------------------------------

    def job_id(self, job_id: str) -> JobBuilder:
        return self._set((), "job_id", job_id)

    def generate_job_id(self) -> JobBuilder:
        """Use ``job-`` plus a new ULID as the job id."""
        return self._set((), "job_id", generate_job_id())

    def created_at(self, moment: datetime | str) -> JobBuilder:
        """Creation time; ``build()`` uses the current time when it was not set."""
        return self._set((), "created_at", _timestamp(moment))

    def schema_uri(self, uri: str | None = None) -> JobBuilder:
        """Write ``$schema`` (the envelope's ``$id`` by default) so editors can complete fields."""
        return self._set((), "$schema", uri or resources.index()["documents"]["job"]["id"])

    def operation(self, operation: str) -> JobBuilder:
        return self._set((), "operation", operation)

    def payload(self, payload_type: str, data: Mapping[str, Any] | Any) -> JobBuilder:
        """Payload type (``<operation>.v<N>``) and data: a mapping or a payload model object."""
        return self._set((), "payload", {"type": payload_type, "data": binding.to_json(data)})

    def extension(self, key: str, value: Any) -> JobBuilder:
        """A top-level extension field; ``key`` is a domain, a slash and a name (``example.com/cost-code``)."""
        if not re.fullmatch(resources.common_def("ExtensionKey")["pattern"], key):
            raise ValueError(f"extension keys look like 'example.com/name', got {key!r}")
        return self._set((), key, binding.to_json(value))

    # --- metadata ---------------------------------------------------------------------

    def name(self, name: str) -> JobBuilder:
        return self._set(("metadata",), "name", name)

    def namespace(self, namespace: str) -> JobBuilder:
        return self._set(("metadata",), "namespace", namespace)

    def label(self, key: str, value: str) -> JobBuilder:
        return self._set(("metadata", "labels"), key, value)

    def annotation(self, key: str, value: str) -> JobBuilder:
        return self._set(("metadata", "annotations"), key, value)

    # --- execution --------------------------------------------------------------------

    def idempotency_key(self, key: str) -> JobBuilder:
        return self._set(("execution",), "idempotency_key", key)

    def attempt(self, attempt: int) -> JobBuilder:
        return self._bounded("execution", "attempt", attempt)

    def max_attempts(self, max_attempts: int) -> JobBuilder:
        return self._bounded("execution", "max_attempts", max_attempts)

    def timeout_seconds(self, seconds: int) -> JobBuilder:
        return self._bounded("execution", "timeout_seconds", seconds)

    def deadline(self, moment: datetime | str) -> JobBuilder:
        return self._set(("execution",), "deadline", _timestamp(moment))

    def priority(self, priority: int) -> JobBuilder:
        """1 to 10, higher is more urgent; anything else raises ValueError."""
        return self._bounded("execution", "priority", priority)

    def cancellable(self, cancellable: bool = True) -> JobBuilder:
        return self._set(("execution",), "cancellable", _boolean(cancellable))

    # --- constraints ------------------------------------------------------------------

    def require_capability(self, capability: str) -> JobBuilder:
        """Add a required capability; one already required is not added twice."""
        return self._append(("constraints", "required_capabilities"), capability)

    def require_feature(self, feature: str) -> JobBuilder:
        return self._append(("constraints", "required_features"), feature)

    def allow_worker_pool(self, pool: str) -> JobBuilder:
        return self._append(("constraints", "allowed_worker_pools"), pool)

    def minimum_worker_version(self, version: str) -> JobBuilder:
        return self._set(("constraints",), "minimum_worker_version", version)

    def maximum_disk_size_gb(self, size_gb: int) -> JobBuilder:
        return self._bounded("constraints", "maximum_disk_size_gb", size_gb)

    def require_privileged(self, privileged: bool = True) -> JobBuilder:
        return self._set(("constraints",), "require_privileged", _boolean(privileged))

    # --- routing ----------------------------------------------------------------------

    def worker_id(self, worker_id: str) -> JobBuilder:
        return self._set(("routing",), "worker_id", worker_id)

    def worker_pool(self, pool: str) -> JobBuilder:
        return self._set(("routing",), "worker_pool", pool)

    def affinity(self, key: str, value: str) -> JobBuilder:
        return self._set(("routing", "affinity"), key, value)

    def anti_affinity(self, key: str, values: Iterable[str]) -> JobBuilder:
        return self._set(("routing", "anti_affinity"), key, list(values))

    # --- observability and audit ------------------------------------------------------

    def trace_id(self, trace_id: str) -> JobBuilder:
        return self._set(("observability",), "trace_id", trace_id)

    def span_id(self, span_id: str) -> JobBuilder:
        return self._set(("observability",), "span_id", span_id)

    def parent_span_id(self, span_id: str) -> JobBuilder:
        return self._set(("observability",), "parent_span_id", span_id)

    def correlation_id(self, correlation_id: str) -> JobBuilder:
        return self._set(("observability",), "correlation_id", correlation_id)

    def submitted_by(self, who: str) -> JobBuilder:
        return self._set(("audit",), "submitted_by", who)

    def submitted_from(self, where: str) -> JobBuilder:
        return self._set(("audit",), "submitted_from", where)

    def authorization(self, method: str, subject: str) -> JobBuilder:
        return self._set(("audit",), "authorization", {"method": method, "subject": subject})

    # --- result -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The document as built so far; ``created_at`` is filled in with the current time if unset."""
        document = binding.to_json(self._document)
        document.setdefault("created_at", rfc3339(datetime.now(timezone.utc)))
        return dict(document)

    def build(self, *, strict: bool = False) -> Job:
        """Validate the document and return it as a ``Job``, members in schema order.

        Raises InvalidDocumentError with every error when the document is not valid; each
        warning (an unknown field, an unregistered payload type) is issued as a
        DocumentWarning, and with ``strict`` is an error instead.
        """
        job, report = parse_reported(self.to_dict(), type="job", strict=strict, limits=DEFAULT_LIMITS)
        for issue in report.warnings:
            warnings.warn(DocumentWarning(issue), stacklevel=2)
        binding.reorder(job)
        return cast(Job, job)

    # --- internals --------------------------------------------------------------------

    def _section(self, path: Sequence[str]) -> dict[str, Any]:
        node = self._document
        for part in path:
            node = node.setdefault(part, {})
        return node

    def _set(self, path: Sequence[str], key: str, value: Any) -> JobBuilder:
        self._section(path)[key] = value
        return self

    def _append(self, path: Sequence[str], value: str) -> JobBuilder:
        *parents, key = path
        values: list[str] = self._section(parents).setdefault(key, [])
        if value not in values:
            values.append(value)
        return self

    def _bounded(self, section: str, field: str, value: int) -> JobBuilder:
        """Set an integer field after checking it against the bounds its schema declares."""
        section_ref = binding.definition("Job")["properties"][section]["anyOf"][0]["$ref"]
        spec = binding.definition(section_ref.rsplit("/", 1)[-1])["properties"][field]
        low, high = spec.get("minimum"), spec.get("maximum")
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{field} must be a whole number, got {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            allowed = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise ValueError(f"{field} must be {allowed}, got {value} (out-of-range values are rejected, not clamped)")
        return self._set((section,), field, value)


def _timestamp(moment: datetime | str) -> str:
    return moment if isinstance(moment, str) else rfc3339(moment)


def _boolean(value: bool) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected True or False, got {value!r}")
    return value
