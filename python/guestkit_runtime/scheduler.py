"""The scheduler: what each message of section 15 does to a job, over any store.

Every operation is one short transaction: lock the job's row, check the message against the
job's state in the order the trace format fixes (a repeated result or release; a mismatch; a
resubmission; a cancel of a cancelled job; a terminal job; fencing; the message's own rules),
then change the rows. Every status change goes through ``check_transition``; every message,
accepted or refused, is in the job's trace, so that ``check_trace`` can judge what the runtime
did. The rows a message writes anyway are its step: the submission is the job's row, a claim its
lease's (with the lease document it answered), an accepted progress event its row in
``events``, the message that ended a lease (result, release, expiry, timeout) the lease's end;
table ``steps`` holds the rest (heartbeats, refusals, repeats, cancellations, deadlines).

Time comes from an injectable clock, and always moves on within one job: a step is stamped
with the later of now and a microsecond after the job's last step, so a trace is its steps in
the order of their times.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson

from guestkit_job_spec import check_transition, fingerprint, match_worker, validate
from guestkit_job_spec.protocol import resources
from guestkit_job_spec.protocol.doctype import detect
from guestkit_job_spec.protocol.states import is_terminal

from .clock import Clock, micros, rfc3339, system_clock
from .errors import Fenced, NotFound, Refused
from .store.base import Store
from .store.writes import Writes

JOB_COLUMNS = (
    "seq, job_id, document, operation, priority, status, next_attempt, max_attempts, timeout_seconds, deadline_us, "
    "cancellable, cancel_requested_us, not_before_us, lease_id, last_sequence, result, submitted_us, last_us"
)
LEASE_COLUMNS = "lease_id, job_id, worker_id, attempt, leased_us, expires_us, timeout_us, ended_us, end_message, "
LEASE_COLUMNS += "end_document, end_status"
#: what a new lease row is written with, besides its document (the rest is filled in when the lease ends)
LEASE_INSERTED = ("lease_id", "job_id", "worker_id", "attempt", "leased_us", "expires_us", "timeout_us")
#: a job's steps, from the rows its messages wrote (see the module's docstring), in the order of their times
TRACE = """SELECT at_us, message, lease_id, document, refused, status FROM (
SELECT submitted_us AS at_us, 'submit' AS message, NULL AS lease_id, document, NULL AS refused, 'queued' AS status
    FROM jobs WHERE job_id = ?
UNION ALL SELECT leased_us, 'claim', lease_id, document, NULL, 'assigned' FROM leases WHERE job_id = ?
UNION ALL SELECT at_us, 'progress', lease_id, document, NULL, 'running' FROM events WHERE job_id = ?
UNION ALL SELECT ended_us, end_message, lease_id, end_document, NULL, end_status FROM leases
    WHERE job_id = ? AND end_status IS NOT NULL
UNION ALL SELECT at_us, message, lease_id, document, refused, status FROM steps WHERE job_id = ?
) AS trace ORDER BY at_us"""
CHANNEL = "guestkit_jobs"
CANDIDATES = 32  # queued jobs looked at per page of a claim


def dumps(document: Any) -> str:
    """Compact JSON text (orjson; the standard library for what orjson refuses, such as an
    integer beyond 64 bits)."""
    try:
        return orjson.dumps(document).decode()
    except TypeError:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> Any:
    """A document the runtime stored (so valid JSON); orjson, or the standard library for what
    orjson refuses (an integer beyond 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


@dataclass
class JobRow:
    seq: int
    job_id: str
    document: str
    operation: str
    priority: int
    status: str
    next_attempt: int
    max_attempts: int
    timeout_seconds: int
    deadline_us: int | None
    cancellable: int
    cancel_requested_us: int | None
    not_before_us: int
    lease_id: str | None
    last_sequence: int | None
    result: str | None
    submitted_us: int
    last_us: int

    def job(self) -> dict[str, Any]:
        value: dict[str, Any] = loads(self.document)
        return value


@dataclass
class LeaseRow:
    lease_id: str
    job_id: str
    worker_id: str
    attempt: int
    leased_us: int
    expires_us: int
    timeout_us: int
    ended_us: int | None
    end_message: str | None
    end_document: str | None
    end_status: str | None


@dataclass
class SubmitAnswer:
    """The answer to a submission: the job's id and status; ``created`` false when the
    submission was answered from the idempotency record (HTTP 200 rather than 201)."""

    job_id: str
    status: str
    created: bool
    warnings: list[str] = field(default_factory=list)


@dataclass
class Claim:
    """A claimed attempt: the lease (the fencing token and its times) and the job document."""

    lease: dict[str, Any]
    job: dict[str, Any]
    #: the start event (sequence 0), when the claim started the attempt
    started: dict[str, Any] | None = None


@dataclass(frozen=True)
class Backoff:
    """Section 15.6: after attempt n ends and the job returns to the queue, it waits
    min(cap, base x 2^(n-1)) seconds plus 0-10% jitter (jitter only adds)."""

    base: float = 30.0
    cap: float = 3600.0

    def delay_us(self, attempt: int, rng: random.Random) -> int:
        delay = min(self.cap, self.base * 2 ** max(0, attempt - 1))
        return int(delay * (1 + rng.uniform(0, 0.1)) * 1_000_000)


class Scheduler:
    """The protocol's scheduler over ``store``. Thread-safe when the store is (each thread its
    own connection); many processes may run one each over one store."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock = system_clock,
        backoff: Backoff | None = None,
        attempt_grace_seconds: float = 30.0,
    ) -> None:
        self.store = store
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.attempt_grace_us = int(attempt_grace_seconds * 1_000_000)
        self._rng = random.Random()

    @contextmanager
    def _transaction(self) -> Iterator[Writes]:
        """A store transaction whose writes are gathered and sent together at its end, in which a
        refusal is recorded (its trace step committed) and then raised; any other exception rolls
        everything back."""
        refusal: Refused | None = None
        with self.store.transaction() as tx:
            writes = Writes(tx)
            try:
                yield writes
            except Refused as error:
                refusal = error
            writes.flush()
        if refusal is not None:
            raise refusal

    # --- clients ---------------------------------------------------------------------------

    def submit(self, job: Mapping[str, Any] | bytes | str) -> SubmitAnswer:
        """Accept a job (section 8): validated, then queued, or answered from the idempotency
        record. Refused: 422 when invalid or keyed without a fingerprint, 409 on a key conflict
        or a job id already taken."""
        # Text is validated as sent (the strict decoder: duplicate keys, NaN, depth), then decoded.
        report = validate(job if isinstance(job, (bytes, str)) else dumps(job).encode())
        document = job if isinstance(job, Mapping) else json.loads(job)
        if not report.valid:
            first = report.errors[0]
            looks_like = detect(document)
            if looks_like not in (None, "job"):  # the validator's hint would say how to validate it
                title = resources.index()["documents"][looks_like]["title"].lower()
                raise Refused(first.rule, f"this is a {title}, not a job document: only jobs are submitted")
            raise Refused(first.rule, f"{first.pointer or '/'}: {first.message}")
        warnings = [f"{issue.rule}: {issue.message}" for issue in report.warnings]
        execution = _object(document.get("execution"))
        job_id: str = document["job_id"]
        key = execution.get("idempotency_key")
        key = key if isinstance(key, str) and key else None
        scope = dumps(_object(document.get("metadata")).get("namespace"))
        job_fingerprint = None
        if key is not None:
            try:
                job_fingerprint = fingerprint(document)
            except ValueError as error:
                raise Refused("lifecycle.submission.no-fingerprint", f"the job carries a key and {error}") from None
        for _ in range(3):
            try:
                return self._submit(document, job_id, execution, scope, key, job_fingerprint, warnings)
            except _Raced:
                continue  # a concurrent submission took the key or the job id first: answer as to a resubmission
        raise RuntimeError(f"job {job_id}: submission kept racing with others")

    def _submit(
        self,
        document: Mapping[str, Any],
        job_id: str,
        execution: Mapping[str, Any],
        scope: str,
        key: str | None,
        job_fingerprint: str | None,
        warnings: list[str],
    ) -> SubmitAnswer:
        with self._transaction() as tx:
            if key is not None:
                owner = tx.one("SELECT fingerprint, job_id FROM idempotency WHERE scope = ? AND key = ?", (scope, key))
                if owner is not None:
                    return self._resubmitted(tx, owner[1], document, owner[0] == job_fingerprint, key, warnings)
            taken = self._job(tx, job_id, lock=True)
            if taken is not None:
                self._step(tx, taken, "resubmit", document=document, refused="lifecycle.submission.job-id-taken")
                raise Refused(
                    "lifecycle.submission.job-id-taken", f"job id {job_id!r} is another submission's", http_status=409
                )
            now = self.clock()
            if key is not None and not tx.run(
                "INSERT INTO idempotency (scope, key, fingerprint, job_id, created_us) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (scope, key, job_fingerprint, job_id, now),
            ):
                raise _Raced
            deadline = execution.get("deadline")
            inserted = tx.run(
                "INSERT INTO jobs (job_id, document, operation, priority, status, next_attempt, max_attempts, "
                "timeout_seconds, deadline_us, cancellable, not_before_us, submitted_us, last_us) "
                "VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    job_id,
                    dumps(document),
                    document["operation"],
                    _default(execution.get("priority"), 5),
                    _default(execution.get("attempt"), 1),
                    _default(execution.get("max_attempts"), 1),
                    _default(execution.get("timeout_seconds"), 3600),
                    micros(deadline) if isinstance(deadline, str) else None,
                    0 if execution.get("cancellable") is False else 1,
                    now,
                    now,
                    now,
                ),
            )
            if not inserted:
                raise _Raced  # the job's row is its submission's step
            tx.notify(CHANNEL)
        return SubmitAnswer(job_id, "queued", True, warnings)

    def _resubmitted(
        self, tx: Writes, owner_id: str, document: Mapping[str, Any], same: bool, key: str, warnings: list[str]
    ) -> SubmitAnswer:
        owner = self._job(tx, owner_id, lock=True)
        assert owner is not None, "an idempotency record names a job that is not there"
        if not same:
            self._step(tx, owner, "resubmit", document=document, refused="lifecycle.submission.conflict")
            raise Refused(
                "lifecycle.submission.conflict",
                f"idempotency key {key!r} is recorded for job {owner_id!r} with another payload fingerprint",
                http_status=409,
            )
        self._step(tx, owner, "resubmit", document=document)
        return SubmitAnswer(owner_id, owner.status, False, warnings)

    def cancel(self, job_id: str, request: Mapping[str, Any] | None = None) -> str:
        """Section 15.9: a queued job is cancelled at once; a leased, cancellable one keeps its
        status and its worker hears of it at its next renewal; the job's status is returned.
        Refused with 409 when the job is leased and not cancellable, or ended otherwise."""
        with self._transaction() as tx:
            row = self._job(tx, job_id, lock=True)
            if row is None:
                raise NotFound(job_id)
            now = self._now(row)
            document = dict(request or {})
            document.setdefault("job_id", job_id)
            document.setdefault("requested_at", rfc3339(now))
            if document["job_id"] != job_id:
                self._step(tx, row, "cancel", document=document, refused="lifecycle.message.mismatch", at=now)
                raise Refused("lifecycle.message.mismatch", f"the cancel request is about job {document['job_id']!r}")
            if row.status == "cancelled":
                self._step(tx, row, "cancel", document=document, at=now)
                return row.status
            if is_terminal(row.status):
                self._step(tx, row, "cancel", document=document, refused="state.transition", at=now)
                raise Refused("state.transition", f"the job is {row.status}: it cannot be cancelled", http_status=409)
            if row.status in ("assigned", "running"):
                if not row.cancellable:
                    self._step(tx, row, "cancel", document=document, refused="lifecycle.cancel.not-cancellable", at=now)
                    raise Refused(
                        "lifecycle.cancel.not-cancellable",
                        f"the job is {row.status} and its execution.cancellable is false",
                        http_status=409,
                    )
                if row.cancel_requested_us is None:
                    row.cancel_requested_us = now
                    tx.update("jobs", "job_id", job_id, {"cancel_requested_us": now})
                self._step(tx, row, "cancel", document=document, at=now)
                tx.notify(CHANNEL)
                return row.status
            self._move(tx, row, "cancelled", now)
            self._step(tx, row, "cancel", document=document, at=now, status="cancelled")
            return "cancelled"

    # --- workers ---------------------------------------------------------------------------

    def register(self, worker: Mapping[str, Any]) -> None:
        """Record a worker registration (or its newer state: a heartbeat), validated."""
        report = validate(dumps(worker).encode(), type="worker")
        if not report.valid:
            first = report.errors[0]
            raise Refused(first.rule, f"worker registration {first.pointer or '/'}: {first.message}")
        state = _object(worker.get("status")).get("state") or "offline"
        now = self.clock()
        with self.store.transaction() as tx:
            tx.send(
                "INSERT INTO workers (worker_id, document, state, heartbeat_us) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (worker_id) DO UPDATE SET document = excluded.document, state = excluded.state, "
                "heartbeat_us = excluded.heartbeat_us",
                (worker["worker_id"], dumps(worker), state, now),
            )

    def claim(
        self, worker: Mapping[str, Any], *, limit: int = 1, lease_seconds: float = 30.0, start: str | None = None
    ) -> list[Claim]:
        """Section 15.3: up to ``limit`` queued jobs this worker may run (section 9, with its
        load counted), highest priority first, then first accepted; each gets a new lease.

        ``start``: the worker starts each attempt at once (section 15.4), with a progress event
        of sequence 0 (phase ``validation``, this message) handled in the same transaction, right
        after the claim: two messages, two steps of the trace, one commit instead of two."""
        with self._transaction() as tx:
            return self._claim(tx, worker, limit, lease_seconds, start)

    def _claim(
        self,
        tx: Writes,
        worker: Mapping[str, Any],
        limit: int,
        lease_seconds: float,
        start: str | None,
        still_running: int = 0,
    ) -> list[Claim]:
        """``claim`` in ``tx``; ``still_running``: attempts beside the registration's ``current_jobs``."""
        operations = list(_object(worker.get("capabilities")).get("operations") or [])
        if not operations or limit < 1:
            return []
        current = int(_object(worker.get("status")).get("current_jobs") or 0) + still_running
        claims: list[Claim] = []
        now = self.clock()
        for row in self._candidates(tx, operations, now, page=min(CANDIDATES, 2 * limit + 2)):
            if len(claims) >= limit:
                break
            job = row.job()
            if match_worker(job, worker, current_jobs=current + len(claims)):
                continue
            claim = self._lease(tx, row, job, worker["worker_id"], self._now(row), lease_seconds)
            if start is not None:
                lease = claim.lease
                event = {
                    "$schema": "https://guestkit.dev/schemas/progress-v1.json",
                    "job_id": row.job_id,
                    "timestamp": lease["leased_at"],
                    "sequence": 0,
                    "phase": "validation",
                    "message": start,
                    "attempt": lease["attempt"],
                    "worker_id": lease["worker_id"],
                    "lease_id": lease["lease_id"],
                }
                report = validate(dumps(event).encode(), type="progress")
                if not report.valid:
                    raise ValueError(f"the start event is not a valid progress event: {report.errors[0]}")
                claim.started = event
                self._record_progress(tx, row, lease["lease_id"], lease["attempt"], event, self._now(row))
            claims.append(claim)
        return claims

    def waiting_for(self, worker: Mapping[str, Any]) -> int:
        """How many unfinished jobs this worker could run: queued (now or once their backoff has
        passed) or leased to another worker (whose lease may yet be lost)."""
        operations = list(_object(worker.get("capabilities")).get("operations") or [])
        if not operations:
            return 0
        marks = ", ".join("?" for _ in operations)
        with self.store.transaction() as tx:
            rows = tx.rows(
                "SELECT document FROM jobs WHERE status IN ('queued', 'assigned', 'running') "
                f"AND operation IN ({marks})",
                operations,
            )
        ready = {**worker, "status": {**_object(worker.get("status")), "state": "ready", "current_jobs": 0}}
        return sum(1 for (document,) in rows if not match_worker(loads(document), ready))

    def _candidates(self, tx: Writes, operations: Sequence[str], now: int, *, page: int) -> Iterator[JobRow]:
        marks = ", ".join("?" for _ in operations)
        for statement in self.store.before_claim:
            tx.send(statement)
        after: tuple[int, int] | None = None
        while True:
            keyset = "" if after is None else "AND (priority < ? OR (priority = ? AND seq > ?)) "
            params: list[Any] = [now, now, *operations]
            if after is not None:
                params += [after[0], after[0], after[1]]
            rows = tx.rows(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'queued' AND not_before_us <= ? "
                f"AND (deadline_us IS NULL OR deadline_us > ?) AND operation IN ({marks}) {keyset}"
                f"ORDER BY priority DESC, seq LIMIT {int(page)}{self.store.skip_locked}",
                params,
            )
            for values in rows:
                yield JobRow(*values)
            if len(rows) < page:
                return
            after = (rows[-1][4], rows[-1][0])

    def _lease(
        self, tx: Writes, row: JobRow, job: Mapping[str, Any], worker_id: str, now: int, lease_seconds: float
    ) -> Claim:
        attempt = row.next_attempt
        assert attempt <= row.max_attempts, "a job was queued past max_attempts"
        lease_id = "lease-" + uuid.uuid4().hex
        expires = now + int(lease_seconds * 1_000_000)
        timeout = now + row.timeout_seconds * 1_000_000
        if row.deadline_us is not None:
            timeout = min(timeout, row.deadline_us)
        lease = LeaseRow(lease_id, row.job_id, worker_id, attempt, now, expires, timeout, None, None, None, None)
        document = self._lease_document(lease, row, lease_seconds)
        # the claim's step: its lease, with the document it was answered with
        tx.insert("leases", {**{name: getattr(lease, name) for name in LEASE_INSERTED}, "document": dumps(document)})
        self._move(tx, row, "assigned", now, lease_id=lease_id, next_attempt=attempt + 1, last_sequence=None)
        return Claim(document, dict(job))

    def renew(self, lease_id: str, *, lease_seconds: float = 30.0, worker_id: str | None = None) -> dict[str, Any]:
        """Section 15.4: the lease with a later ``expires_at`` (and ``cancel_requested_at`` once
        the job's cancellation was requested). Fenced when the lease is not current or expired."""
        with self._transaction() as tx:
            row, lease, now = self._held(tx, lease_id, "heartbeat", {"worker_id": worker_id} if worker_id else {})
            lease.expires_us = now + int(lease_seconds * 1_000_000)
            tx.update("leases", "lease_id", lease_id, {"expires_us": lease.expires_us})
            document = self._lease_document(lease, row, lease_seconds)
            self._step(tx, row, "heartbeat", lease_id=lease_id, document=document, at=now)
            return document

    def progress(self, lease_id: str, event: Mapping[str, Any]) -> str:
        """Section 15.4: record a progress event of the attempt (validated first); the first,
        sequence 0, makes the job running. Returns the job's status."""
        report = validate(dumps(event).encode(), type="progress")
        if not report.valid:
            first = report.errors[0]
            raise Refused(first.rule, f"progress event {first.pointer or '/'}: {first.message}")
        with self._transaction() as tx:
            row, lease, now = self._held(tx, lease_id, "progress", event)
            sequence = event["sequence"]
            last = row.last_sequence
            if (last is None and sequence != 0) or (last is not None and sequence <= last):
                why = "does not start at 0" if last is None else f"does not increase on {last}"
                self._step(
                    tx,
                    row,
                    "progress",
                    lease_id=lease_id,
                    document=event,
                    at=now,
                    refused="lifecycle.progress.sequence",
                )
                raise Refused("lifecycle.progress.sequence", f"progress sequence {sequence} {why}")
            return self._record_progress(tx, row, lease_id, lease.attempt, event, now)

    def _record_progress(
        self, tx: Writes, row: JobRow, lease_id: str, attempt: int, event: Mapping[str, Any], now: int
    ) -> str:
        sequence = event["sequence"]
        status = row.status
        if status == "assigned":
            status = "running"
            self._move(tx, row, status, now, last_sequence=sequence)
        else:
            self._set(tx, row, last_sequence=sequence, last_us=max(row.last_us, now))
        tx.insert(  # the event's step too
            "events",
            {
                "job_id": row.job_id,
                "attempt": attempt,
                "sequence": sequence,
                "lease_id": lease_id,
                "at_us": now,
                "document": dumps(event),
            },
        )
        return status

    def complete(self, lease_id: str, result: Mapping[str, Any]) -> str:
        """Section 15.6: the attempt's result (validated first) ends the lease; the job becomes
        what the table prescribes. The same result sent again is answered as the first was."""
        answer = self.complete_many([(lease_id, result)])[0]
        if isinstance(answer, Refused):
            raise answer
        return answer

    def complete_many(self, results: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str | Refused]:
        """The results of several attempts (each under its own lease), handled one after the other
        in one transaction, each exactly as ``complete`` handles it: the answer to each is the
        job's status or the refusal (recorded in its trace like any other). One commit, and on
        PostgreSQL one round trip to read every lease and lock every job (in job id order)."""
        return self.complete_and_claim(results, {})[0]

    def complete_and_claim(
        self,
        results: Sequence[tuple[str, Mapping[str, Any]]],
        worker: Mapping[str, Any],
        *,
        limit: int = 0,
        lease_seconds: float = 30.0,
        start: str | None = None,
    ) -> tuple[list[str | Refused], list[Claim]]:
        """``complete_many``, then ``claim`` (for ``worker``, up to ``limit`` jobs) in the same
        transaction: a worker replaces the attempts that ended with new ones for one commit.
        Two kinds of message, each handled as alone; the trace has each of their steps.
        ``limit`` and the worker's ``current_jobs`` count the attempts of ``results`` as ended; a
        result refused as such (422, not fenced) leaves its attempt running (its worker reports
        it again, as a failure), so each takes back a slot of the claim."""
        answers: list[str | Refused] = []
        claims: list[Claim] = []
        if results or limit > 0:
            with self._transaction() as tx:
                read = self._leases_and_jobs(tx, [lease_id for lease_id, _ in results]) if results else {}
                for lease_id, result in results:
                    try:
                        answers.append(self._complete(tx, lease_id, result, read.get(lease_id, (None, None))))
                    except Refused as refused:
                        answers.append(refused)
                running = sum(1 for answer in answers if isinstance(answer, Refused) and not isinstance(answer, Fenced))
                claims = self._claim(tx, worker, limit - running, lease_seconds, start, running)
        return answers, claims

    def _complete(
        self, tx: Writes, lease_id: str, result: Mapping[str, Any], read: tuple[LeaseRow | None, JobRow | None]
    ) -> str:
        lease_row, job_row = read
        # Validated first (422), with the job when its data answers to the schema of the job's
        # payload type (section 6); refused without a step, for a trace's checker judges the
        # result alone.
        with_data = result.get("status") == "completed" and result.get("data") is not None
        report = validate(
            dumps(result).encode(), type="result", job=_identity(job_row.job()) if job_row and with_data else None
        )
        if not report.valid:
            first = report.errors[0]
            raise Refused(first.rule, f"result {first.pointer or '/'}: {first.message}")
        repeated = self._repeated(tx, lease_row, job_row, "result", result)
        if repeated is not None:
            return repeated
        row, lease, now = self._held(tx, lease_id, "result", result, read)
        status = str(result["status"])
        if (issue := check_transition(row.status, status)) is not None:
            self._step(tx, row, "result", lease_id=lease_id, document=result, at=now, refused=issue.rule)
            raise Refused(issue.rule, f"a {status} result while the job is {row.status}: {issue.message}")
        if status in ("completed", "cancelled"):
            new = status
        else:
            error = _object(result.get("error"))
            retryable = status == "timeout" or (
                error.get("recoverable") is True and error.get("retry_recommended") is True
            )
            new = self._again_or(row, lease, status, now, retryable=retryable)
        self._end(tx, row, lease, now, "result", result, new, keep_result=True)
        return new

    def release(self, lease_id: str, *, worker_id: str | None = None) -> str:
        """Section 15.7: the worker gives the attempt up (a shutdown); it counts. The job is
        cancelled if that was asked, else queued again while attempts and deadline allow."""
        with self._transaction() as tx:
            lease_row, job_row = self._lease_and_job(tx, lease_id)
            repeated = self._repeated(tx, lease_row, job_row, "release", None)
            if repeated is not None:
                return repeated
            named = {"worker_id": worker_id} if worker_id else {}
            row, lease, now = self._held(tx, lease_id, "release", named, (lease_row, job_row))
            new = self._ended_without_result(row, lease, now, "release")
            self._end(tx, row, lease, now, "release", None, new)
            return new

    # --- the scheduler's own steps -------------------------------------------------------------

    def sweep(self) -> int:
        """Take back expired leases, time out attempts past their timeout (after a grace the
        worker had to report it) and jobs past their deadline. Returns how many jobs changed."""
        now = self.clock()
        changed = 0
        with self._transaction() as tx:
            due = tx.rows(
                "SELECT j.job_id FROM jobs j JOIN leases l ON l.lease_id = j.lease_id "
                "WHERE j.status IN ('assigned', 'running') AND (l.expires_us <= ? OR l.timeout_us <= ?)",
                (now, now - self.attempt_grace_us),
            )
            due += tx.rows(
                "SELECT job_id FROM jobs WHERE deadline_us IS NOT NULL AND deadline_us <= ? "
                "AND status IN ('pending', 'queued', 'assigned', 'running')",
                (now,),
            )
        for (job_id,) in dict.fromkeys(due):
            with self._transaction() as tx:
                changed += self._sweep_job(tx, job_id)
        return changed

    def _sweep_job(self, tx: Writes, job_id: str) -> int:
        row = self._job(tx, job_id, lock=True)
        if row is None or is_terminal(row.status):
            return 0
        now = self._now(row)
        if row.deadline_us is not None and now >= row.deadline_us:
            lease = self._lease_row(tx, row.lease_id) if row.lease_id else None
            if lease is not None:
                tx.update("leases", "lease_id", lease.lease_id, {"ended_us": now, "end_message": "deadline"})
            # Timed out for its deadline: the job has no result (15.10), an earlier attempt's neither.
            self._move(tx, row, "timeout", now, lease_id=None, result=None)
            self._step(tx, row, "deadline", at=now, status="timeout")
            return 1
        if row.lease_id is None or row.status not in ("assigned", "running"):
            return 0
        lease = self._lease_row(tx, row.lease_id)
        assert lease is not None
        if now >= lease.expires_us:
            new = self._ended_without_result(row, lease, now, "expire")
            self._end(tx, row, lease, now, "expire", None, new)
            return 1
        limit = lease.leased_us + row.timeout_seconds * 1_000_000
        if now >= limit + self.attempt_grace_us:
            new = self._again_or(row, lease, "timeout", now, retryable=True)
            self._end(tx, row, lease, now, "timeout", None, new)
            return 1
        return 0

    # --- reading -------------------------------------------------------------------------------

    def status(self, job_id: str) -> dict[str, Any]:
        """The job's status as the service reports it (OpenAPI ``JobStatus``, with the lease)."""
        with self._transaction() as tx:
            row = self._job(tx, job_id)
            if row is None:
                raise NotFound(job_id)
            lease = self._lease_row(tx, row.lease_id) if row.lease_id else None
            last = tx.one("SELECT MAX(attempt) FROM leases WHERE job_id = ?", (job_id,))
        answer: dict[str, Any] = {
            "job_id": row.job_id,
            "status": row.status,
            "operation": row.operation,
            "attempt": last[0] if last else None,
            "max_attempts": row.max_attempts,
            "submitted_at": rfc3339(row.submitted_us),
            "updated_at": rfc3339(row.last_us),
        }
        if row.status == "queued" and row.not_before_us > row.submitted_us:
            answer["not_before"] = rfc3339(row.not_before_us)
        if row.cancel_requested_us is not None:
            answer["cancel_requested_at"] = rfc3339(row.cancel_requested_us)
        if lease is not None and lease.ended_us is None:
            answer["lease"] = {
                "lease_id": lease.lease_id,
                "worker_id": lease.worker_id,
                "attempt": lease.attempt,
                "expires_at": rfc3339(lease.expires_us),
            }
        return answer

    def jobs(self, *, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The latest jobs (newest first), optionally of one status."""
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        with self._transaction() as tx:
            rows = tx.rows(f"SELECT job_id FROM jobs {where} ORDER BY seq DESC LIMIT {int(limit)}", params)
        return [self.status(job_id) for (job_id,) in rows]

    def result(self, job_id: str) -> dict[str, Any] | None:
        """The job's result (its last attempt's), or None while it has none."""
        with self._transaction() as tx:
            row = self._job(tx, job_id)
            if row is None:
                raise NotFound(job_id)
        return loads(row.result) if row.result else None

    def job(self, job_id: str) -> dict[str, Any]:
        with self._transaction() as tx:
            row = self._job(tx, job_id)
        if row is None:
            raise NotFound(job_id)
        return row.job()

    def events(self, job_id: str, *, after: int = 0) -> list[tuple[int, dict[str, Any]]]:
        """The job's progress events after the one numbered ``after``, with their numbers."""
        with self._transaction() as tx:
            rows = tx.rows("SELECT id, document FROM events WHERE job_id = ? AND id > ? ORDER BY id", (job_id, after))
        return [(int(number), loads(document)) for number, document in rows]

    def trace(self, job_id: str) -> dict[str, Any]:
        """The job's lifecycle as recorded, in the trace format of tests/conformance/README.md."""
        with self._transaction() as tx:
            rows = tx.rows(TRACE, (job_id,) * 5)
        steps = []
        for at_us, message, lease_id, document, refused, status in rows:
            step: dict[str, Any] = {"at": rfc3339(at_us), "message": message}
            if document is not None:
                step["document"] = loads(document)
            if lease_id is not None:
                step["lease_id"] = lease_id
            if refused is not None:
                step["refused"] = refused
            step["status"] = status
            steps.append(step)
        return {"id": job_id, "steps": steps}

    def workers(self) -> list[dict[str, Any]]:
        """Registered workers, with the time of their last heartbeat as the store saw it."""
        with self._transaction() as tx:
            rows = tx.rows("SELECT document, heartbeat_us FROM workers ORDER BY worker_id")
        now = self.clock()
        answer = []
        for document, heartbeat in rows:
            worker = loads(document)
            if now - heartbeat > 90_000_000:  # section 15.2: silent for 90 s = offline
                worker.setdefault("status", {})["state"] = "offline"
            answer.append(worker)
        return answer

    def job_ids(self) -> list[str]:
        with self._transaction() as tx:
            return [job_id for (job_id,) in tx.rows("SELECT job_id FROM jobs ORDER BY seq")]

    def counts(self) -> dict[str, int]:
        with self._transaction() as tx:
            return {status: int(n) for status, n in tx.rows("SELECT status, COUNT(*) FROM jobs GROUP BY status")}

    # --- helpers -------------------------------------------------------------------------------

    def _job(self, tx: Writes, job_id: str, *, lock: bool = False) -> JobRow | None:
        values = tx.one(
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE job_id = ?{self.store.lock_rows if lock else ''}", (job_id,)
        )
        return JobRow(*values) if values else None

    def _lease_row(self, tx: Writes, lease_id: str | None) -> LeaseRow | None:
        values = tx.one(f"SELECT {LEASE_COLUMNS} FROM leases WHERE lease_id = ?", (lease_id,))
        return LeaseRow(*values) if values else None

    def _now(self, row: JobRow) -> int:
        """Now, and after the job's last step: its trace is in the order of its times."""
        return max(self.clock(), row.last_us + 1)

    def _move(self, tx: Writes, row: JobRow, new: str, now: int, **columns: Any) -> None:
        """Change the job's status, along an edge of the state machine only (and ``columns``)."""
        issue = check_transition(row.status, new)
        if issue is not None:
            raise AssertionError(f"job {row.job_id}: {issue.message}")
        self._set(tx, row, status=new, last_us=max(row.last_us, now), **columns)

    def _set(self, tx: Writes, row: JobRow, **columns: Any) -> None:
        """Change the job's row, in memory (for what the transaction decides next) and in the store."""
        for name, value in columns.items():
            setattr(row, name, value)
        tx.update("jobs", "job_id", row.job_id, columns)

    def _step(
        self,
        tx: Writes,
        row: JobRow,
        message: str,
        *,
        lease_id: str | None = None,
        document: Any = None,
        refused: str | None = None,
        at: int | None = None,
        status: str | None = None,
    ) -> None:
        """Write the message to the job's trace."""
        at = self._now(row) if at is None else at
        tx.insert(
            "steps",
            {
                "job_id": row.job_id,
                "at_us": at,
                "message": message,
                "lease_id": lease_id,
                "document": None if document is None else dumps(document),
                "refused": refused,
                "status": status or row.status,
            },
        )
        if at > row.last_us:
            self._set(tx, row, last_us=at)

    def _lease_and_job(self, tx: Writes, lease_id: str) -> tuple[LeaseRow | None, JobRow | None]:
        """The lease and its job, the job's row locked first and the lease read after: a message
        waiting for the lock sees the lease as the transaction it waited for left it."""
        jobs, leases = tx.rows_many(
            [
                (
                    f"SELECT {JOB_COLUMNS} FROM jobs WHERE job_id = (SELECT job_id FROM leases WHERE lease_id = ?)"
                    f"{self.store.lock_rows}",
                    (lease_id,),
                ),
                (f"SELECT {LEASE_COLUMNS} FROM leases WHERE lease_id = ?", (lease_id,)),
            ]
        )
        return (LeaseRow(*leases[0]) if leases else None), (JobRow(*jobs[0]) if jobs else None)

    def _leases_and_jobs(
        self, tx: Writes, lease_ids: Sequence[str]
    ) -> dict[str, tuple[LeaseRow | None, JobRow | None]]:
        """``_lease_and_job`` for several leases: their jobs locked in job id order (two batches
        never wait on each other in a cycle), then the leases read."""
        marks = ", ".join("?" for _ in lease_ids)
        jobs, leases = tx.rows_many(
            [
                (
                    f"SELECT {JOB_COLUMNS} FROM jobs WHERE job_id IN (SELECT job_id FROM leases WHERE lease_id IN "
                    f"({marks})) ORDER BY job_id{self.store.lock_rows}",
                    tuple(lease_ids),
                ),
                (f"SELECT {LEASE_COLUMNS} FROM leases WHERE lease_id IN ({marks})", tuple(lease_ids)),
            ]
        )
        by_job = {values[1]: JobRow(*values) for values in jobs}
        answer: dict[str, tuple[LeaseRow | None, JobRow | None]] = {}
        for values in leases:
            lease = LeaseRow(*values)
            answer[lease.lease_id] = (lease, by_job.get(lease.job_id))
        return answer

    def _repeated(
        self, tx: Writes, lease: LeaseRow | None, row: JobRow | None, message: str, document: Any
    ) -> str | None:
        """The answer to a result or release that is the very one that ended its lease, sent
        again unchanged (section 15.6); None for any other message."""
        if lease is None or row is None or lease.end_message != message:
            return None
        ended_with = None if lease.end_document is None else loads(lease.end_document)
        if ended_with != (None if document is None else loads(dumps(document))):
            return None
        self._step(tx, row, message, lease_id=lease.lease_id, document=document)
        return lease.end_status

    def _held(
        self,
        tx: Writes,
        lease_id: str,
        message: str,
        document: Mapping[str, Any],
        read: tuple[LeaseRow | None, JobRow | None] | None = None,
    ) -> tuple[JobRow, LeaseRow, int]:
        """The job and the lease a worker's message is sent under, once the message passes the
        checks every worker message goes through: mismatch (422), terminal job, fencing (409)."""
        lease, row = read or self._lease_and_job(tx, lease_id)
        if lease is None or row is None:
            raise Fenced("lifecycle.lease.fenced", f"no lease {lease_id!r}")
        now = self._now(row)
        stored = None if message in ("heartbeat", "release") else document
        if message in ("progress", "result"):
            named_job = document.get("job_id")
            named_lease = document.get("lease_id")
            if named_job not in (None, row.job_id) or named_lease not in (None, lease_id):
                self._step(
                    tx, row, message, lease_id=lease_id, document=stored, at=now, refused="lifecycle.message.mismatch"
                )
                raise Refused("lifecycle.message.mismatch", f"the {message} is about another job or lease")
        if is_terminal(row.status):
            self._step(tx, row, message, lease_id=lease_id, document=stored, at=now, refused="state.transition")
            raise Fenced("state.transition", f"the job is {row.status}: a {message} cannot change it")
        why = None
        if row.lease_id != lease_id or lease.ended_us is not None:
            why = f"lease {lease_id!r} is not the job's current lease"
        elif now >= lease.expires_us:
            why = f"lease {lease_id!r} expired at {rfc3339(lease.expires_us)}"
        else:
            summary = _object(document.get("execution_summary"))
            named = {
                "worker_id": (document.get("worker_id"), lease.worker_id),
                "attempt": (document.get("attempt", summary.get("attempt")), lease.attempt),
            }
            for name, (given, held) in named.items():
                if given is not None and given != held:
                    why = f"the {message} names {name} {given!r}; the lease's is {held!r}"
        if why is not None:
            self._step(tx, row, message, lease_id=lease_id, document=stored, at=now, refused="lifecycle.lease.fenced")
            raise Fenced("lifecycle.lease.fenced", why)
        return row, lease, now

    def _again_or(self, row: JobRow, lease: LeaseRow, final: str, now: int, *, retryable: bool) -> str:
        """Back to the queue for another attempt when section 15.6 requires it, else ``final``."""
        if row.cancel_requested_us is not None or lease.attempt >= row.max_attempts or not retryable:
            return final
        if row.deadline_us is not None and now >= row.deadline_us:
            return "timeout"
        return "queued"

    def _ended_without_result(self, row: JobRow, lease: LeaseRow, now: int, message: str) -> str:
        if row.cancel_requested_us is not None:
            return "cancelled"
        return self._again_or(row, lease, "failed", now, retryable=True)

    def _end(
        self,
        tx: Writes,
        row: JobRow,
        lease: LeaseRow,
        now: int,
        message: str,
        document: Any,
        new: str,
        *,
        keep_result: bool = False,
    ) -> None:
        """End the lease with ``message`` (its step in the trace) and move the job to ``new``."""
        text = None if document is None else dumps(document)
        # The lease as it now is, for a later message of the same transaction (complete_many).
        lease.ended_us, lease.end_message, lease.end_document, lease.end_status = now, message, text, new
        changes = {"ended_us": now, "end_message": message, "end_document": text, "end_status": new}
        tx.update("leases", "lease_id", lease.lease_id, changes)
        # "the job's result is its last attempt's" (15.6): an attempt that ended without one leaves none
        columns: dict[str, Any] = {"lease_id": None, "last_sequence": None, "result": text if keep_result else None}
        if new == "queued":
            columns["not_before_us"] = now + self.backoff.delay_us(lease.attempt, self._rng)
            tx.notify(CHANNEL)
        self._move(tx, row, new, now, **columns)

    def _lease_document(self, lease: LeaseRow, row: JobRow, lease_seconds: float) -> dict[str, Any]:
        document: dict[str, Any] = {
            "$schema": "https://guestkit.dev/schemas/lease-v1.json",
            "lease_id": lease.lease_id,
            "job_id": lease.job_id,
            "worker_id": lease.worker_id,
            "attempt": lease.attempt,
            "max_attempts": row.max_attempts,
            "leased_at": rfc3339(lease.leased_us),
            "expires_at": rfc3339(lease.expires_us),
            "timeout_at": rfc3339(lease.timeout_us),
            "heartbeat_interval_seconds": max(1, int(lease_seconds / 3)),
        }
        if row.cancel_requested_us is not None:
            document["cancel_requested_at"] = rfc3339(row.cancel_requested_us)
        return document


class _Raced(Exception):
    """A concurrent submission committed the same key or job id first: the transaction rolls
    back and the submission is answered again, now seeing it."""


def _identity(job: Mapping[str, Any]) -> dict[str, Any]:
    """What checking a result against its job reads of the job (its id and payload type; a test of
    the spec package's holds it to that): the rest of a stored job need not be walked again."""
    return {"job_id": job["job_id"], "payload": {"type": job["payload"]["type"]}}


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _default(value: Any, default: int) -> int:
    return default if value is None else int(value)
