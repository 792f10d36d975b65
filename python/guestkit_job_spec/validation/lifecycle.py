"""The job lifecycle of protocol 1.1 (docs/job-protocol-v1.md, section 15), checked on traces.

A *trace* is what happened to one job: a list of steps, each a message the scheduler handled
(``at``, its clock), the document it carried, and the job's status after it. The checker
replays the steps and returns the first one that breaks a rule, as an Issue whose pointer is
the step's (``/steps/3``); an empty list when the trace follows the protocol. The format is
documented in tests/conformance/README.md ("Traces"); npm/src/lifecycle.js is the same checker.

Messages: ``submit`` (the job), ``claim`` (the lease a claim granted), ``heartbeat`` (the
renewed lease), ``progress``, ``result``, ``release``, ``cancel`` (a cancel request),
``resubmit`` (the job, or another, sent again under its idempotency key or job id), and the
scheduler's own ``expire`` (a lease not renewed in time), ``timeout`` (an attempt past its
timeout) and ``deadline`` (the job's deadline passed). A step may say the scheduler refused
the message (``refused``: the rule it breaks); the status is then unchanged.

A trace that is not one (an unknown message, a missing member, time going back) raises
ValueError: it is a broken test, not a broken protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..protocol.report import Issue
from ..protocol.states import check_transition, is_terminal
from .fingerprint import fingerprint
from .timestamps import instant

WORKER_MESSAGES = frozenset({"heartbeat", "progress", "result", "release"})
REFUSABLE = WORKER_MESSAGES | {"cancel", "resubmit"}
REPEATABLE = frozenset({"result", "release"})  # sent again, unchanged, when the answer was lost
SCHEDULER_MESSAGES = frozenset({"claim", "expire", "timeout", "deadline"})
MESSAGES = frozenset({"submit"}) | REFUSABLE | SCHEDULER_MESSAGES


@dataclass
class _Lease:
    lease_id: str
    worker_id: str
    attempt: int
    leased_at: Decimal
    expires_at: Decimal


@dataclass
class _Breach:
    rule: str
    message: str


class _Job:
    """What the scheduler knows of the job between two steps."""

    def __init__(self, job: Mapping[str, Any]) -> None:
        execution = _object(job.get("execution"))
        self.job_id = _member(job, "job_id", str)
        self.scope = _scope(job)
        self.fingerprint = _fingerprint(job) if self.scope[1] is not None else None
        self.first_attempt = _default(execution.get("attempt"), 1)
        self.max_attempts = _default(execution.get("max_attempts"), 1)
        self.timeout_seconds = _default(execution.get("timeout_seconds"), 3600)
        self.cancellable = execution.get("cancellable") is not False
        deadline = execution.get("deadline")
        self.deadline = _instant(deadline, "execution.deadline") if deadline is not None else None
        self.status = "queued"
        self.last_attempt = self.first_attempt - 1
        self.lease: _Lease | None = None
        self.sequence: int | None = None  # the last progress sequence of the current attempt
        self.cancel_requested = False
        self.ended: dict[str, tuple[str, Any]] = {}  # lease id -> the result or release that ended it

    # --- what a message breaks -------------------------------------------------------------

    def breach(self, step: Mapping[str, Any], at: Decimal) -> _Breach | None:
        """The rule the step's message breaks in the job's present state, if any."""
        kind = step["message"]
        if self.repeats(step):
            return None
        if (mismatch := self._mismatch(step)) is not None:
            return mismatch
        if kind == "resubmit":
            return self._resubmit(step)
        if kind == "cancel" and self.status == "cancelled":
            return None  # asked again: already done
        if is_terminal(self.status):
            return _Breach("state.transition", f"the job is {self.status}: {kind} cannot change it")
        if kind in WORKER_MESSAGES:
            return self._fenced(step, at) or getattr(self, f"_{kind}")(step)
        return getattr(self, f"_{kind}")(step, at)  # type: ignore[no-any-return]

    def repeats(self, step: Mapping[str, Any]) -> bool:
        """Whether the message is the result or release that ended its lease, sent again unchanged
        (a worker that lost the answer retries): accepted again, and it changes nothing."""
        ended = self.ended.get(step.get("lease_id", "")) if step["message"] in REPEATABLE else None
        return ended is not None and ended[0] == step["message"] and _same(ended[1], step.get("document"))

    def _mismatch(self, step: Mapping[str, Any]) -> _Breach | None:
        """A client's or worker's document about another job than the message's, or a body
        naming another lease than the one it is sent under (the URL path)."""
        kind = step["message"]
        if kind not in ("progress", "result", "cancel"):  # a release carries no document
            return None
        document = _object(step.get("document"))
        if document.get("job_id", self.job_id) != self.job_id:
            return _Breach(
                "lifecycle.message.mismatch", f"the {kind} is about job {document['job_id']!r}, not {self.job_id!r}"
            )
        sent_under = _member(step, "lease_id", str) if kind != "cancel" else None
        if sent_under is not None and document.get("lease_id") not in (None, sent_under):
            return _Breach(
                "lifecycle.message.mismatch",
                f"the {kind} names lease {document['lease_id']!r} and is sent under lease {sent_under!r}",
            )
        return None

    def _resubmit(self, step: Mapping[str, Any]) -> _Breach | None:
        job = _object(step.get("document"))
        scope = _scope(job)
        if scope[1] is not None:
            try:
                again = fingerprint(job)
            except ValueError:
                return _Breach("lifecycle.submission.no-fingerprint", "the job carries a key and has no fingerprint")
            if scope == self.scope:
                if again != self.fingerprint:
                    return _Breach(
                        "lifecycle.submission.conflict",
                        f"idempotency key {scope[1]!r} is recorded with another payload fingerprint",
                    )
                return None
        if job.get("job_id") == self.job_id:
            return _Breach("lifecycle.submission.job-id-taken", f"job id {self.job_id!r} is another submission's")
        raise ValueError("a resubmit shares the job's idempotency key and scope, or its job id")

    def _fenced(self, step: Mapping[str, Any], at: Decimal) -> _Breach | None:
        lease_id = _member(step, "lease_id", str)
        lease = self.lease
        if lease is None or lease.lease_id != lease_id:
            held = f"lease {lease.lease_id!r}" if lease else "no lease"
            return _Breach("lifecycle.lease.fenced", f"lease {lease_id!r} is not the job's current lease ({held})")
        if at >= lease.expires_at:
            return _Breach("lifecycle.lease.fenced", f"lease {lease_id!r} expired before this {step['message']}")
        document = _object(step.get("document"))
        summary = _object(document.get("execution_summary"))
        named = {
            "lease_id": (document.get("lease_id"), lease.lease_id),
            "worker_id": (document.get("worker_id"), lease.worker_id),
            "attempt": (document.get("attempt", summary.get("attempt")), lease.attempt),
        }
        for name, (given, held_value) in named.items():
            if given is not None and given != held_value:
                return _Breach(
                    "lifecycle.lease.fenced",
                    f"the {step['message']} names {name} {given!r}; the lease's is {held_value!r}",
                )
        return None

    def _claim(self, step: Mapping[str, Any], at: Decimal) -> _Breach | None:
        lease = _object(step.get("document"))
        if (issue := check_transition(self.status, "assigned")) is not None:
            return _Breach(issue.rule, f"a claim while the job is {self.status}: {issue.message}")
        attempt = _member(lease, "attempt", int)
        if attempt != self.last_attempt + 1:
            return _Breach(
                "lifecycle.attempt.sequence",
                f"the claim is attempt {attempt}; the next attempt is {self.last_attempt + 1}",
            )
        if attempt > self.max_attempts:
            return _Breach(
                "lifecycle.attempts.exhausted", f"attempt {attempt} is past max_attempts {self.max_attempts}"
            )
        if self.deadline is not None and at >= self.deadline:
            return _Breach("lifecycle.deadline", "the job is claimed at or after its deadline")
        return None

    def _heartbeat(self, step: Mapping[str, Any]) -> _Breach | None:
        return None

    def _progress(self, step: Mapping[str, Any]) -> _Breach | None:
        sequence = _member(_object(step.get("document")), "sequence", int)
        if self.sequence is None and sequence != 0:
            return _Breach("lifecycle.progress.sequence", f"the attempt's first progress event has sequence {sequence}")
        if self.sequence is not None and sequence <= self.sequence:
            return _Breach(
                "lifecycle.progress.sequence", f"sequence {sequence} does not increase on the previous {self.sequence}"
            )
        return None

    def _result(self, step: Mapping[str, Any]) -> _Breach | None:
        status = _member(_object(step.get("document")), "status", str)
        if (issue := check_transition(self.status, status)) is not None:
            return _Breach(issue.rule, f"a {status} result while the job is {self.status}: {issue.message}")
        return None

    def _release(self, step: Mapping[str, Any]) -> _Breach | None:
        return None

    def _cancel(self, step: Mapping[str, Any], at: Decimal) -> _Breach | None:
        if self.status in ("assigned", "running") and not self.cancellable:
            return _Breach(
                "lifecycle.cancel.not-cancellable", f"the job is {self.status} and its execution.cancellable is false"
            )
        return None

    def _expire(self, step: Mapping[str, Any], at: Decimal) -> _Breach | None:
        lease = self._held(step)
        if at < lease.expires_at:
            return _Breach("lifecycle.lease.live", f"lease {lease.lease_id!r} is taken back before its expires_at")
        return None

    def _timeout(self, step: Mapping[str, Any], at: Decimal) -> _Breach | None:
        lease = self._held(step)
        if at < lease.leased_at + self.timeout_seconds:
            return _Breach(
                "lifecycle.timeout", f"the attempt is timed out before timeout_seconds ({self.timeout_seconds}) passed"
            )
        return None

    def _deadline(self, step: Mapping[str, Any], at: Decimal) -> _Breach | None:
        if self.deadline is None or at < self.deadline:
            return _Breach("lifecycle.deadline", "the job is timed out for its deadline before the deadline")
        return None

    def _held(self, step: Mapping[str, Any]) -> _Lease:
        lease_id = _member(step, "lease_id", str)
        if self.lease is None or self.lease.lease_id != lease_id:
            raise ValueError(f"the scheduler's {step['message']} names lease {lease_id!r}, not the current lease")
        return self.lease

    # --- what a message does -----------------------------------------------------------------

    def outcome(self, step: Mapping[str, Any], at: Decimal) -> tuple[str, str]:
        """The status the protocol prescribes after an accepted message, and the rule a trace
        that says otherwise breaks."""
        kind = step["message"]
        if kind == "claim":
            return "assigned", "lifecycle.status"
        if kind in ("heartbeat", "resubmit") or self.repeats(step):
            return self.status, "lifecycle.status"
        if kind == "progress":
            return "running", "lifecycle.status"
        if kind == "cancel":
            return ("cancelled" if self.status == "queued" else self.status), "lifecycle.status"
        if kind == "deadline":
            return "timeout", "lifecycle.status"
        if kind == "result":
            document = _object(step.get("document"))
            status: str = document["status"]
            if status in ("completed", "cancelled"):
                return status, "lifecycle.status"
            error = _object(document.get("error"))
            recoverable = error.get("recoverable") is True and error.get("retry_recommended") is True
            return self._again_or(status, at, retryable=status == "timeout" or recoverable)
        # release, expire, timeout: the attempt ends without a result
        if self.cancel_requested and kind != "timeout":
            return "cancelled", "lifecycle.status"
        return self._again_or("timeout" if kind == "timeout" else "failed", at, retryable=True)

    def _again_or(self, final: str, at: Decimal, *, retryable: bool) -> tuple[str, str]:
        """Back to the queue for another attempt when the protocol requires it, else ``final``;
        with the rule that decides it."""
        assert self.lease is not None
        if self.cancel_requested:
            return final, "lifecycle.retry.not-allowed"
        if self.lease.attempt >= self.max_attempts:
            return final, "lifecycle.attempts.exhausted"
        if not retryable:
            return final, "lifecycle.retry.not-allowed"
        if self.deadline is not None and at >= self.deadline:
            return "timeout", "lifecycle.deadline"
        return "queued", "lifecycle.retry.required"

    def apply(self, step: Mapping[str, Any], at: Decimal, status: str) -> None:
        """The job after an accepted message whose resulting status is ``status``."""
        kind = step["message"]
        if kind == "claim":
            lease = _object(step.get("document"))
            self.lease = _Lease(
                lease_id=_member(lease, "lease_id", str),
                worker_id=_member(lease, "worker_id", str),
                attempt=_member(lease, "attempt", int),
                leased_at=_instant(_member(lease, "leased_at", str), "leased_at"),
                expires_at=_instant(_member(lease, "expires_at", str), "expires_at"),
            )
            self.last_attempt, self.sequence = self.lease.attempt, None
        elif kind == "heartbeat":
            assert self.lease is not None
            renewed = _object(step.get("document"))
            self.lease.expires_at = _instant(_member(renewed, "expires_at", str), "expires_at")
        elif kind == "progress":
            self.sequence = _member(_object(step.get("document")), "sequence", int)
        elif kind == "cancel" and status != "cancelled":
            self.cancel_requested = True
        elif kind in REPEATABLE:
            self.ended[step["lease_id"]] = (kind, step.get("document"))
        if status != self.status and status in ("queued", "completed", "failed", "cancelled", "timeout"):
            self.lease, self.sequence = None, None
        self.status = status


def check_trace(trace: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[Issue]:
    """The first step of ``trace`` (a mapping with ``steps``, or the steps) that breaks a rule
    of the lifecycle, as one Issue pointing at it (``/steps/<i>``); empty when none does.
    ValueError when ``trace`` is not a well-formed trace."""
    steps = trace["steps"] if isinstance(trace, Mapping) else trace
    if not steps or _object(steps[0]).get("message") != "submit":
        raise ValueError("a trace starts with the job's submit step")
    job: _Job | None = None
    previous: Decimal | None = None
    for index, step in enumerate(steps):
        step = _object(step)
        kind, status = step.get("message"), _member(step, "status", str)
        if kind not in MESSAGES:
            raise ValueError(f"step {index}: unknown message {kind!r}; expected one of {', '.join(sorted(MESSAGES))}")
        at = _instant(_member(step, "at", str), f"step {index}: at")
        if previous is not None and at < previous:
            raise ValueError(f"step {index}: at goes back in time")
        previous = at
        pointer = f"/steps/{index}"
        if kind == "submit":
            if job is not None:
                raise ValueError(f"step {index}: a trace has one submit, its first step")
            job = _Job(_object(step.get("document")))
            if status != "queued":
                return [Issue("lifecycle.status", pointer, f"a submitted job is queued, not {status}")]
            continue
        assert job is not None
        refused = step.get("refused")
        if refused is not None and kind not in REFUSABLE:
            raise ValueError(f"step {index}: the scheduler's own {kind} cannot be refused")
        breach = job.breach(step, at)
        if refused is not None:
            if breach is None or breach.rule != refused:
                why = f"it breaks {breach.rule}" if breach else "it breaks no rule"
                return [Issue("lifecycle.refusal", pointer, f"the {kind} was refused under {refused}, but {why}")]
            if status != job.status:
                return [
                    Issue("lifecycle.status", pointer, f"a refused {kind} leaves the job {job.status}, not {status}")
                ]
            continue
        if breach is not None:
            return [Issue(breach.rule, pointer, f"step {index} ({kind}) accepted: {breach.message}")]
        expected, rule = job.outcome(step, at)
        if status != expected:
            return [Issue(rule, pointer, f"after this {kind} the job is {expected}, not {status}")]
        job.apply(step, at, status)
    return []


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _member(container: Mapping[str, Any], name: str, kind: type) -> Any:
    value = container.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"a trace step needs {name} ({kind.__name__}); found {value!r}")
    return value


def _same(a: Any, b: Any) -> bool:
    """Two JSON values alike: numbers by value (1 and 1.0), but never a boolean and a number
    (Python's ``True == 1``), as JavaScript's checker compares them."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return isinstance(a, bool) is isinstance(b, bool) and a == b


def _scope(job: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The job's idempotency scope and key (section 8): no key when it is absent, null or empty."""
    key = _object(job.get("execution")).get("idempotency_key")
    return _object(job.get("metadata")).get("namespace"), key if isinstance(key, str) and key else None


def _fingerprint(job: Mapping[str, Any]) -> str:
    try:
        return fingerprint(job)
    except ValueError as error:
        raise ValueError(f"a job with an idempotency key and {error} is refused at submission (section 8)") from None


def _default(value: Any, default: int) -> int:
    return default if value is None else int(value)


def _instant(text: Any, what: str) -> Decimal:
    moment = instant(text) if isinstance(text, str) else None
    if moment is None:
        raise ValueError(f"{what} is not an RFC 3339 date-time: {text!r}")
    return moment
