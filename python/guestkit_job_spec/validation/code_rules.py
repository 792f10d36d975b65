"""Rules JSON Schema cannot express, one small function per rule id.

Each function takes the decoded document and yields issues. They run even when schema
validation failed, so they look only at values of the type they expect and stay silent
otherwise (the schema layer reports the wrong type).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache, lru_cache
from typing import Any, TypeGuard

from ..protocol import resources
from ..protocol.report import Issue, show
from .timestamps import instant

Check = Callable[[Mapping[str, Any]], Iterator[Issue]]

LONG_TIMEOUT_SECONDS = 86_400
LARGE_DISK_GB = 100_000


# The exact-type tests first: decoded JSON holds plain dicts and ints, and the abstract
# Mapping check costs more than the rest of a rule on the fast engine's path.


def _is_mapping(value: Any) -> TypeGuard[Mapping[str, Any]]:
    return type(value) is dict or (value is not None and isinstance(value, Mapping))


def _section(document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = document.get(name)
    return value if _is_mapping(value) else {}


def _integer(value: Any) -> int | None:
    """An integer as the schema reads it: in integer form, or written with a fraction or an
    exponent (2.0, 2e0 are the integer 2) within the 64-bit range; else None."""
    if type(value) is int:
        return value
    if type(value) is float:
        return int(value) if value.is_integer() and abs(value) < _INT64 else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


_INT64 = 2**63


@cache
def _payload_type_pattern() -> re.Pattern[str]:
    return re.compile(resources.common_def("PayloadType")["pattern"])


def _payload_operation(document: Mapping[str, Any]) -> tuple[str, str] | None:
    """(payload type, the operation it names) when the payload type is well formed."""
    payload_type = _section(document, "payload").get("type")
    return _named_operation(payload_type) if isinstance(payload_type, str) else None


@lru_cache(maxsize=256)  # a scheduler sees few payload types, over and over
def _named_operation(payload_type: str) -> tuple[str, str] | None:
    if not _payload_type_pattern().fullmatch(payload_type):
        return None
    return payload_type, payload_type.rsplit(".", 1)[0]


def payload_type_matches_operation(document: Mapping[str, Any]) -> Iterator[Issue]:
    named = _payload_operation(document)
    operation = document.get("operation")
    if named is None or not isinstance(operation, str) or named[1] == operation:
        return
    yield Issue(
        "job.payload-type.matches-operation",
        "/payload/type",
        f"payload type {show(named[0])} is for operation {show(named[1])}, but the job's operation is "
        f"{show(operation)}; expected {show(operation + '.v1')} or another version of it",
    )


def payload_type_registered(document: Mapping[str, Any]) -> Iterator[Issue]:
    named = _payload_operation(document)
    if named is not None and named[0] not in resources.payload_types():
        yield _unregistered(*named)


@lru_cache(maxsize=256)  # upstream's payload types (doctor, repair...) come over and over
def _unregistered(payload_type: str, operation: str) -> Issue:
    versions = [name for name, entry in resources.payload_types().items() if entry["operation"] == operation]
    known = f"; registered for {operation}: {', '.join(versions)}" if versions else ""
    return Issue(
        "job.payload-type.unregistered",
        "/payload/type",
        f"no schema is registered for payload type {show(payload_type)}, so payload.data is not checked "
        f"(allowed, for forward compatibility; --strict rejects it){known}",
        "warning",
    )


def attempt_within_max(document: Mapping[str, Any]) -> Iterator[Issue]:
    execution = _section(document, "execution")
    # Absent and null both mean the schema default of 1.
    max_given = execution.get("max_attempts") is not None
    attempt = _integer(execution.get("attempt") or 1)
    max_attempts = _integer(execution.get("max_attempts") or 1)
    if attempt is None or max_attempts is None or attempt <= max_attempts:
        return
    yield Issue(
        "execution.attempt.within-max",
        "/execution/attempt",
        f"attempt is {attempt} but max_attempts is {max_attempts}{'' if max_given else ' (the default)'}; "
        f"expected an attempt of at most {max_attempts}, or a larger max_attempts",
    )


def timeout_not_too_long(document: Mapping[str, Any]) -> Iterator[Issue]:
    timeout = _integer(_section(document, "execution").get("timeout_seconds"))
    if timeout is not None and timeout > LONG_TIMEOUT_SECONDS:
        yield Issue(
            "execution.timeout.long",
            "/execution/timeout_seconds",
            f"timeout_seconds is {timeout} ({timeout / 3600:.1f} hours), above 24 hours; "
            "allowed, but check it is meant",
            "warning",
        )


def deadline_after_creation(document: Mapping[str, Any]) -> Iterator[Issue]:
    created, deadline = document.get("created_at"), _section(document, "execution").get("deadline")
    if not isinstance(created, str) or not isinstance(deadline, str):
        return
    # Two UTC timestamps whose date and time differ before the fraction compare as text;
    # only a possible finding needs the exact instants.
    if created[-1:] == deadline[-1:] == "Z" and deadline[:19] > created[:19]:
        return
    created_at = instant(created)
    deadline_at = None if created_at is None else instant(deadline)  # the schema reports a malformed one
    if created_at is None or deadline_at is None or deadline_at >= created_at:
        return
    yield Issue(
        "execution.deadline.after-created",
        "/execution/deadline",
        f"deadline {show(deadline)} is earlier than created_at {show(created)}; "
        "expected a deadline at or after creation",
    )


def idempotency_key_not_empty(document: Mapping[str, Any]) -> Iterator[Issue]:
    if _section(document, "execution").get("idempotency_key") == "":
        yield Issue(
            "execution.idempotency-key.empty",
            "/execution/idempotency_key",
            "idempotency_key is an empty string, which means no key: a resubmission of this job runs again; "
            "give a key, or leave the member out",
            "warning",
        )


def disk_size_not_too_large(document: Mapping[str, Any]) -> Iterator[Issue]:
    size = _integer(_section(document, "constraints").get("maximum_disk_size_gb"))
    if size is not None and size > LARGE_DISK_GB:
        yield Issue(
            "constraints.disk-size.large",
            "/constraints/maximum_disk_size_gb",
            f"maximum_disk_size_gb is {size:,} GB, above 100 TB; allowed, but check the unit is GB",
            "warning",
        )


def lease_attempt_within_max(document: Mapping[str, Any]) -> Iterator[Issue]:
    # A lease need not state max_attempts: absent or null, there is nothing to compare.
    attempt, max_attempts = _integer(document.get("attempt")), _integer(document.get("max_attempts"))
    if attempt is None or max_attempts is None or attempt <= max_attempts:
        return
    yield Issue(
        "lease.attempt.within-max",
        "/attempt",
        f"attempt is {attempt} but max_attempts is {max_attempts}; "
        "expected an attempt of at most max_attempts: no lease is granted past the job's last attempt",
    )


def lease_times_after_leased(document: Mapping[str, Any]) -> Iterator[Issue]:
    leased = document.get("leased_at")
    leased_at = instant(leased) if isinstance(leased, str) else None  # the schema reports a malformed one
    if leased_at is None:
        return
    for name in ("expires_at", "timeout_at"):
        value = document.get(name)
        moment = instant(value) if isinstance(value, str) else None
        if moment is not None and moment <= leased_at:
            yield Issue(
                "lease.times.after-leased",
                f"/{name}",
                f"{name} {show(value)} is not after leased_at {show(leased)}; expected a later instant",
            )


# Each check reports under one rule id, the key it is listed by (the prover, written in C,
# says which of these ids it covers: fast.prover compares the two).
CODE_RULES: Mapping[str, Mapping[str, Check]] = {
    "job": {
        "job.payload-type.matches-operation": payload_type_matches_operation,
        "job.payload-type.unregistered": payload_type_registered,
        "execution.attempt.within-max": attempt_within_max,
        "execution.timeout.long": timeout_not_too_long,
        "execution.deadline.after-created": deadline_after_creation,
        "constraints.disk-size.large": disk_size_not_too_large,
        "execution.idempotency-key.empty": idempotency_key_not_empty,
    },
    "lease": {
        "lease.attempt.within-max": lease_attempt_within_max,
        "lease.times.after-leased": lease_times_after_leased,
    },
}


def code_issues(document: Any, doc_type: str) -> Iterator[Issue]:
    """Every code-only finding for a document of ``doc_type``."""
    if not _is_mapping(document):
        return
    for check in CODE_RULES.get(doc_type, {}).values():
        yield from check(document)
