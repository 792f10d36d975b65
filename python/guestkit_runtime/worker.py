"""The worker daemon: registers, claims what its handlers can run (up to its concurrency),
runs each attempt in a thread, renews its leases, streams progress, reports results, and
drains on SIGTERM (finishes or releases its jobs).

One attempt, as the worker runs it (section 15):

1. claim: a lease (fencing token, attempt, expires_at, timeout_at);
2. progress sequence 0 ("started"), which makes the job running (sent with the claim, in its
   transaction);
3. the handler, with a Context whose progress() numbers events 1, 2, ... and whose ``stop``
   is set when the renewal answers ``cancel_requested_at`` (cancelled), when ``timeout_at``
   passes (timeout), at shutdown, or when the lease is lost (fenced);
4. the result (completed, failed with the handler's error, cancelled, timeout), or a release
   at shutdown, or nothing when the lease was lost: a fenced worker does not report again.

A message that fails for want of the store (PostgreSQL restarting) is sent again, unchanged,
until it is answered or the lease has expired: a result sent twice is answered as the first.
"""

from __future__ import annotations

import functools
import logging
import os
import queue
import random
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .clock import format_duration, micros, rfc3339
from .errors import Fenced, Refused
from .handlers.base import Context, Handler, HandlerError, Stopped, why_unavailable
from .scheduler import Claim, Scheduler

log = logging.getLogger("guestkit_runtime.worker")
T = TypeVar("T")

#: how long a free slot waits for others before claiming, and a result for others before it is sent (seconds)
CLAIM_LINGER = 0.005
REPORT_LINGER = 0.002
#: crash points of the fault suite: GUESTKIT_RUNTIME_CRASH=point[:probability] exits the process there
CRASH_POINTS = ("after-claim", "after-start", "after-effect", "after-commit", "before-renew")


@dataclass
class WorkerConfig:
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    concurrency: int = 4
    lease_seconds: float = 30.0
    poll_seconds: float = 1.0
    drain_seconds: float = 30.0
    sweep_seconds: float = 1.0
    registration_seconds: float = 10.0
    worker_pool: str | None = None
    #: the largest disk this worker accepts, in GB (10^9 bytes); default: the free space where it runs
    max_disk_size_gb: int | None = None
    #: stop after this many attempts ended (the benchmark and tests); None: run until stopped
    max_jobs: int | None = None
    #: leave when nothing is left to claim (and nothing runs)
    exit_when_idle: bool = False
    #: features of this machine no handler declares (a --command's program), which the operator vouches for
    features: tuple[str, ...] = ()
    #: advertised as privileged (configuration.privileged): runs jobs with constraints.require_privileged
    privileged: bool = False


@dataclass
class _Attempt:
    claim: Claim
    context: Context
    sequence: int = -1
    started_us: int = 0
    expires_us: int = 0

    @property
    def lease_id(self) -> str:
        return str(self.claim.lease["lease_id"])


class Worker:
    def __init__(
        self,
        scheduler: Scheduler,
        handlers: Mapping[str, Handler],
        config: WorkerConfig | None = None,
        *,
        on_event: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.config = config or WorkerConfig()
        self.on_event = on_event or (lambda kind, detail: None)
        self.handlers: dict[str, Handler] = {}
        operations: list[str] = []
        features: set[str] = set()
        formats: set[str] = set()
        for operation, handler in handlers.items():
            capabilities = handler.capabilities()
            if capabilities is None or operation not in capabilities.operations:
                log.warning("not advertising %s: %s", operation, why_unavailable(handler))
                continue
            self.handlers[operation] = handler
            operations.append(operation)
            features.update(capabilities.features)
            formats.update(capabilities.disk_formats)
        features.update(self.config.features)
        self.capabilities = {
            "operations": operations,
            "features": sorted(features),
            "disk_formats": sorted(formats),
        }
        self.registered_at = rfc3339(scheduler.clock())
        self.state = "ready"
        self._attempts: dict[str, _Attempt] = {}
        self._lock = threading.Lock()
        self._slot_free = threading.Event()
        self._claiming = threading.Lock()
        self._outage = StoreOutage(log)
        self._stopping = threading.Event()
        self._hurry = threading.Event()  # stop() asked again: the drain releases what runs at once
        self._ended = 0
        self._crash = _crash_point()
        self._results: queue.SimpleQueue[tuple[_Attempt, dict[str, Any]] | None] = queue.SimpleQueue()
        self._runnable: queue.SimpleQueue[_Attempt | None] = queue.SimpleQueue()
        self._finished = threading.Event()
        self._hostname = socket.gethostname()
        self._resources_now = self._resources()  # refreshed with each heartbeat of the registration

    # --- the registration ----------------------------------------------------------------------

    def registration(self, *, current_jobs: int | None = None) -> dict[str, Any]:
        """The worker document; ``current_jobs``: its load, when not the attempts now running."""
        from guestkit_job_spec import __version__

        document: dict[str, Any] = {
            "$schema": "https://guestkit.dev/schemas/worker-v1.json",
            "worker_id": self.config.worker_id,
            "version": __version__,
            "hostname": self._hostname,
            "registered_at": self.registered_at,
            "capabilities": self.capabilities,
            "resources": self._resources_now,
            "configuration": {"privileged": self.config.privileged},
            "status": {
                "state": self.state,
                "current_jobs": len(self._attempts) if current_jobs is None else current_jobs,
                "last_heartbeat": rfc3339(self.scheduler.clock()),
            },
        }
        if self.config.worker_pool:
            document["configuration"]["worker_pool"] = self.config.worker_pool
        return document

    def _resources(self) -> dict[str, Any]:
        """What this machine offers: the disk space where the worker runs (also its limit on
        disk sizes, unless configured), cores and memory (GB of 10^9 bytes, rounded down)."""
        free_gb = shutil.disk_usage(os.getcwd()).free // 10**9
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 10**9
        return {
            "max_concurrent_jobs": self.config.concurrency,
            # The schema's least limit is 1 GB: a worker with less free space still registers.
            "max_disk_size_gb": self.config.max_disk_size_gb or max(1, free_gb),
            "available_disk_gb": free_gb,
            "cpu_cores": os.cpu_count() or 1,
            "memory_gb": memory,
        }

    # --- the loop --------------------------------------------------------------------------------

    def run(self) -> int:
        """Run until stopped (SIGTERM, SIGINT, stop()), then drain. Returns an exit status."""
        if not self.handlers:
            log.error("no handler can run on this machine: nothing to advertise")
            return 2
        self._persist(lambda: self.scheduler.register(self.registration()))
        self.on_event("registered", self.registration())
        runners = [
            threading.Thread(target=self._runner, name=f"attempt-{n}", daemon=True)
            for n in range(self.config.concurrency)
        ]
        for runner in runners:
            runner.start()
        heartbeat = threading.Thread(target=self._heartbeats, name="heartbeat", daemon=True)
        heartbeat.start()
        reporter = threading.Thread(target=self._reporter, name="results", daemon=True)
        reporter.start()
        last_sweep = 0.0
        try:
            while not self._stopping.is_set():
                if self.config.max_jobs is not None and self._ended + len(self._attempts) >= self.config.max_jobs:
                    if not self._attempts:
                        break
                    self._slot_free.wait(self.config.poll_seconds)
                    self._slot_free.clear()
                    continue
                if time.monotonic() - last_sweep >= self.config.sweep_seconds:
                    last_sweep = time.monotonic()
                    self._quietly(self.scheduler.sweep)
                free = self._free_slots()
                if free <= 0:
                    self._slot_free.wait(self.config.poll_seconds)
                    self._slot_free.clear()
                    continue
                free = self._linger(free)
                with self._claiming:  # the reporter claims too, with the results it sends
                    free = min(free, self._free_slots())
                    if free <= 0:
                        continue
                    claims = self._quietly(functools.partial(self._claim, free))
                    for claim in claims or []:
                        self._start(claim)
                if not claims:
                    if (
                        self.config.exit_when_idle
                        and not self._attempts
                        and not self._quietly(lambda: self.scheduler.waiting_for(self.registration()))
                    ):
                        break
                    self._quietly(lambda: self.scheduler.store.wait(self.config.poll_seconds))
        finally:
            self._drain(runners)
            # Its threads end with it: left running in a process that forks later (a test run's
            # multiprocessing), a thread holding a lock at the fork deadlocks the child.
            self._finished.set()
            self._results.put(None)
            heartbeat.join()
            reporter.join()
        return 0

    def _free_slots(self, ending: int = 0) -> int:
        """Attempts this worker may start now; ``ending``: attempts running whose results are
        being committed (their slots are free once they are)."""
        free = self.config.concurrency - len(self._attempts) + ending
        if self.config.max_jobs is not None:
            free = min(free, self.config.max_jobs - self._ended - len(self._attempts))
        return free

    def _linger(self, free: int) -> int:
        """The free slots once a few more of the attempts running have ended, waiting at most
        CLAIM_LINGER: attempts that end together (their results go in one transaction) are
        replaced by one claim, not one claim each. A slot of an hours-long job waits 5 ms."""
        wanted = (self.config.concurrency + 1) // 2
        end = time.monotonic() + CLAIM_LINGER
        while free < wanted and self._attempts and not self._stopping.is_set():
            left = end - time.monotonic()
            if left <= 0:
                break
            self._slot_free.wait(left)
            self._slot_free.clear()
            free = self._free_slots()
        return free

    def _claim(self, free: int) -> list[Claim]:
        return self.scheduler.claim(
            self.registration(), limit=free, lease_seconds=self.config.lease_seconds, start="started"
        )

    def stop(self) -> None:
        """Begin draining: claim nothing more, finish what runs (releasing what is left after
        ``drain_seconds``). Asked again while draining (a second Ctrl-C): release it now."""
        if self._stopping.is_set():
            self._hurry.set()
        self._stopping.set()
        self._slot_free.set()

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stop())

    def _drain(self, runners: list[threading.Thread]) -> None:
        asked = self._stopping.is_set()  # SIGTERM, Ctrl-C, stop(); not the end of --exit-when-idle or --max-jobs
        self._stopping.set()  # the reporter claims nothing more either
        self.state = "draining"
        self._quietly(lambda: self.scheduler.register(self.registration()))
        running = len(self._attempts)
        if asked:
            log.info(
                "draining: finishing %d job(s), releasing what is left after %s "
                "(Ctrl-C or SIGTERM again releases them now)",
                running,
                format_duration(self.config.drain_seconds),
            )
        end = time.monotonic() + self.config.drain_seconds
        while self._attempts and time.monotonic() < end and not self._hurry.is_set():
            self._slot_free.wait(0.1)
            self._slot_free.clear()
        with self._lock:
            left = list(self._attempts.values())
        if self._hurry.is_set() and left:
            log.info("asked again: releasing %d job(s) now", len(left))
        for attempt in left:
            attempt.context.request_stop("shutdown")
        for _ in runners:
            self._runnable.put(None)
        for runner in runners:
            runner.join()
        self.state = "offline"
        self._quietly(lambda: self.scheduler.register(self.registration()))
        if asked:
            log.info("drained: %d job(s) finished, %d released; offline", running - len(left), len(left))

    # --- one attempt -------------------------------------------------------------------------

    def _start(self, claim: Claim) -> None:
        attempt = _Attempt(claim, Context(job=claim.job, lease=claim.lease, report=lambda *a: None))
        attempt.context.report = lambda phase, message, percent, details: self._progress(
            attempt, phase, message, percent, details
        )
        with self._lock:
            self._attempts[attempt.lease_id] = attempt
        self.on_event("claimed", claim.lease)
        if claim.started is not None:  # the claim started the attempt: its event of sequence 0
            attempt.sequence = 0
            self.on_event("progress", claim.started)
        self._maybe_crash("after-claim")
        self._runnable.put(attempt)

    def _runner(self) -> None:
        """An attempt thread: runs the attempts claimed, one after the other, until told to end.
        (Not a ThreadPoolExecutor: its future per task is work a no-op job pays twice over.)"""
        while (attempt := self._runnable.get()) is not None:
            self._run(attempt)

    def _run(self, attempt: _Attempt) -> None:
        context = attempt.context
        operation = str(attempt.claim.job["operation"])
        attempt.started_us = self.scheduler.clock()
        try:
            try:
                if attempt.sequence < 0:
                    self._progress(attempt, "validation", "started", None, None)
                self._maybe_crash("after-start")
                data = self.handlers[operation].run(context)
            except Stopped as stopped:
                self._stopped(attempt, stopped.reason)
                return
            except HandlerError as error:
                if context.stop_reason is not None:
                    self._stopped(attempt, context.stop_reason)
                else:
                    self._report(attempt, "failed", error=error.document())
                return
            except Refused:
                raise
            except Exception as error:  # a bug in a handler: the attempt fails, the worker goes on
                log.exception("handler of %s failed", operation)
                failure = HandlerError("worker.handler-crashed", f"{type(error).__name__}: {error}")
                self._report(attempt, "failed", error=failure.document())
                return
            self._maybe_crash("after-effect")
            self._report(attempt, "completed", data=data)
        except Fenced as fenced:
            self.on_event("fenced", {"lease_id": attempt.lease_id, "rule": fenced.rule, "message": fenced.message})
            self._ended_attempt(attempt)
        except Exception:  # the worker's own failure (a store error that does not pass): this attempt's end
            log.exception("attempt %s of %s", attempt.lease_id, operation)
            self._ended_attempt(attempt)

    def _ended_attempt(self, attempt: _Attempt) -> None:
        with self._lock:
            self._attempts.pop(attempt.lease_id, None)
            self._ended += 1
        self._slot_free.set()

    def _stopped(self, attempt: _Attempt, reason: str) -> None:
        if reason == "cancelled":
            self._report(attempt, "cancelled")
        elif reason == "timeout":
            self._report(attempt, "timeout")
        elif reason == "shutdown":
            status = self._persist(
                lambda: self.scheduler.release(attempt.lease_id, worker_id=self.config.worker_id), attempt
            )
            self.on_event(
                "released", {"lease_id": attempt.lease_id, "job_id": attempt.claim.job["job_id"], "status": status}
            )
            self._ended_attempt(attempt)
        else:  # "lost": the lease is gone; a fenced worker does not report on the attempt again
            self._ended_attempt(attempt)

    def _progress(
        self,
        attempt: _Attempt,
        phase: str,
        message: str,
        percent: float | None,
        details: Mapping[str, Any] | None,
    ) -> None:
        attempt.sequence += 1
        event: dict[str, Any] = {
            "$schema": "https://guestkit.dev/schemas/progress-v1.json",
            "job_id": attempt.claim.job["job_id"],
            "timestamp": rfc3339(self.scheduler.clock()),
            "sequence": attempt.sequence,
            "phase": phase,
            "message": message,
            "attempt": attempt.claim.lease["attempt"],
            "worker_id": self.config.worker_id,
            "lease_id": attempt.lease_id,
        }
        if percent is not None:
            event["progress_percent"] = percent
        if details:
            event["details"] = dict(details)
        try:
            self._persist(lambda: self.scheduler.progress(attempt.lease_id, event), attempt)
        except Fenced:
            attempt.context.request_stop("lost")
            raise Stopped("lost") from None
        except Refused as refused:
            # 422: the event is not recorded and the attempt goes on (section 15.5). It happens
            # when the store committed the event but its answer was lost and it was sent again.
            log.warning("progress %s of %s refused: %s", attempt.sequence, attempt.lease_id, refused)
            return
        self.on_event("progress", event)

    def _report(
        self,
        attempt: _Attempt,
        status: str,
        *,
        data: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
    ) -> None:
        lease = attempt.claim.lease
        now = self.scheduler.clock()
        summary: dict[str, Any] = {
            "started_at": rfc3339(attempt.started_us),
            "duration_seconds": round((now - attempt.started_us) / 1_000_000, 6),
            "attempt": lease["attempt"],
        }
        key = (attempt.claim.job.get("execution") or {}).get("idempotency_key")
        if key:
            summary["idempotency_key"] = key
        result: dict[str, Any] = {
            "$schema": "https://guestkit.dev/schemas/result-v1.json",
            "job_id": attempt.claim.job["job_id"],
            "status": status,
            "worker_id": self.config.worker_id,
            "lease_id": attempt.lease_id,
            ("completed_at" if status == "completed" else "failed_at"): rfc3339(now),
            "execution_summary": summary,
        }
        outputs = attempt.context.outputs
        if outputs:
            result["outputs"] = dict(outputs)
        metrics = attempt.context.metrics
        if {"disk_read_bytes", "disk_write_bytes", "peak_memory_mb", "cpu_seconds"} <= metrics.keys():
            result["metrics"] = dict(metrics)
        if error is not None:
            result["error"] = dict(error)
        if data is not None:
            result["data"] = dict(data)
        self._results.put((attempt, result))

    def _reporter(self) -> None:
        """Sends the results handed in, up to 64 at a time, in one transaction that also claims
        jobs for the slots they free; then settles each attempt as its answer says."""
        while (first := self._results.get()) is not None:
            batch = [first]
            end = time.monotonic() + REPORT_LINGER
            while len(batch) < min(64, len(self._attempts)):
                # The results of the other attempts running may be a moment away: wait for them,
                # briefly, to send them all in one transaction.
                try:
                    item = self._results.get(timeout=max(0.0, end - time.monotonic()))
                except queue.Empty:
                    break
                if item is None:
                    self._results.put(None)  # end after this batch
                    break
                batch.append(item)
            try:
                answers = self._send_and_claim(batch)
            except Exception as error:
                if not _transient(error):
                    raise
                for attempt, result in batch:  # the store is away: each alone, until answered
                    self._settle(attempt, result, self._answer_alone(attempt, result))
                continue
            for (attempt, result), answer in zip(batch, answers, strict=True):
                self._settle(attempt, result, answer)

    def _send_and_claim(self, batch: list[tuple[_Attempt, dict[str, Any]]]) -> list[str | Refused]:
        with self._claiming:
            limit = 0 if self._stopping.is_set() else max(0, self._free_slots(ending=len(batch)))
            worker = self.registration(current_jobs=len(self._attempts) - len(batch)) if limit else {}
            answers, claims = self.scheduler.complete_and_claim(
                [(attempt.lease_id, result) for attempt, result in batch],
                worker,
                limit=limit,
                lease_seconds=self.config.lease_seconds,
                start="started",
            )
            for claim in claims:
                self._start(claim)
        return answers

    def _answer_alone(self, attempt: _Attempt, result: Mapping[str, Any]) -> str | Refused:
        try:
            return self._persist(lambda: self.scheduler.complete(attempt.lease_id, result), attempt)
        except Refused as refused:
            return refused

    def _settle(self, attempt: _Attempt, result: dict[str, Any], answer: str | Refused) -> None:
        """The attempt ends with the scheduler's answer to its result. A result refused as such
        (say, a handler's data the schema does not take) is replaced by a failure the scheduler
        can record; a fenced worker says nothing more of the attempt."""
        if isinstance(answer, Refused) and not isinstance(answer, Fenced):
            log.error("result of %s refused: %s", attempt.lease_id, answer)
            failure = HandlerError("worker.result-refused", str(answer))
            result = {key: value for key, value in result.items() if key not in ("data", "outputs", "completed_at")}
            result.update(status="failed", failed_at=rfc3339(self.scheduler.clock()), error=failure.document())
            answer = self._answer_alone(attempt, result)
        if isinstance(answer, Fenced):
            self.on_event("fenced", {"lease_id": attempt.lease_id, "rule": answer.rule, "message": answer.message})
        elif isinstance(answer, str):
            self._maybe_crash("after-commit")
            self.on_event("result", {"result": result, "job_status": answer})
        else:
            log.error("result of %s refused again: %s", attempt.lease_id, answer)
        self._ended_attempt(attempt)

    # --- leases --------------------------------------------------------------------------------

    def _heartbeats(self) -> None:
        interval = max(0.05, self.config.lease_seconds / 3)
        last_registration = time.monotonic()
        while not self._finished.wait(interval):
            with self._lock:
                attempts = list(self._attempts.values())
            for attempt in attempts:
                self._renew(attempt)
            if time.monotonic() - last_registration >= self.config.registration_seconds:
                last_registration = time.monotonic()
                self._resources_now = self._resources()
                self._quietly(lambda: self.scheduler.register(self.registration()))

    def _renew(self, attempt: _Attempt) -> None:
        context = attempt.context
        if context.stop_reason in ("lost",):
            return
        self._maybe_crash("before-renew")
        try:
            lease = self.scheduler.renew(
                attempt.lease_id, lease_seconds=self.config.lease_seconds, worker_id=self.config.worker_id
            )
        except Fenced as fenced:
            self.on_event("fenced", {"lease_id": attempt.lease_id, "rule": fenced.rule, "message": fenced.message})
            context.request_stop("lost")
            return
        except Exception as error:  # the store is away: the next renewal tries again
            if _transient(error):
                self._outage.failed(error)
            else:
                log.warning("renewing %s: %s", attempt.lease_id, error)
            return
        attempt.expires_us = micros(str(lease["expires_at"]))
        if lease.get("cancel_requested_at"):
            context.request_stop("cancelled")
        elif self.scheduler.clock() >= micros(str(lease["timeout_at"])):
            context.request_stop("timeout")

    # --- the store being away -------------------------------------------------------------------

    def _persist(self, send: Callable[[], T], attempt: _Attempt | None = None) -> T:
        """``send()``, again and again while the store cannot be reached; for an attempt's message,
        until its lease has expired (then the lease is lost: Fenced)."""
        delay = 0.05
        while True:
            try:
                answer = send()
            except Refused:
                raise
            except Exception as error:
                if not _transient(error):
                    raise
                if attempt is not None and self.scheduler.clock() >= self._expiry(attempt):
                    raise Fenced(
                        "lifecycle.lease.fenced", "the store was unreachable until the lease expired"
                    ) from error
                self._outage.failed(error)
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
            else:
                self._outage.answered()
                return answer

    def _expiry(self, attempt: _Attempt) -> int:
        return attempt.expires_us or micros(str(attempt.claim.lease["expires_at"]))

    def _quietly(self, call: Callable[[], T]) -> T | None:
        try:
            answer = call()
        except Exception as error:
            if not _transient(error):
                raise
            self._outage.failed(error)
            time.sleep(0.2)
            return None
        self._outage.answered()
        return answer

    def _maybe_crash(self, point: str) -> None:
        if self._crash is not None and self._crash[0] == point and self._crash[2].random() < self._crash[1]:
            sys.stderr.write(f"guestkit-runtime: crash point {point}\n")
            sys.stderr.flush()
            os._exit(137)


class StoreOutage:
    """Says that the store is unreachable once, again every ``repeat`` seconds while that lasts,
    and once that it answers again: each of a worker's threads meets an outage several times a
    second (a user counted 250 lines in 25 s, and nothing when it ended)."""

    def __init__(self, logger: logging.Logger, *, repeat: float = 30.0) -> None:
        self._log = logger
        self._repeat = repeat
        self._lock = threading.Lock()
        self._since: float | None = None
        self._said = 0.0

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            started = self._since is None
            if self._since is None:
                self._since = now
            elif now - self._said < self._repeat:
                return
            self._said, lasted = now, now - self._since
        why = (str(error).strip().splitlines() or [type(error).__name__])[0]
        if started:
            self._log.warning("store unreachable (%s); trying again until it answers", why)
        else:
            self._log.warning("store still unreachable after %s (%s)", format_duration(lasted), why)

    def answered(self) -> None:
        if self._since is None:  # nearly always: no lock taken
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            self._log.warning("store reachable again after %s", format_duration(time.monotonic() - since))


def _transient(error: BaseException) -> bool:
    """Whether the store's error is one that passes: a connection lost or a server restarting
    (psycopg's OperationalError, InterfaceError), SQLite busy past its timeout."""
    for kind in type(error).__mro__:
        if kind.__module__.startswith("psycopg") and kind.__name__ in ("OperationalError", "InterfaceError"):
            return True
    return type(error).__module__ == "sqlite3" and "locked" in str(error)


def _crash_point() -> tuple[str, float, random.Random] | None:
    spec = os.environ.get("GUESTKIT_RUNTIME_CRASH")
    if not spec:
        return None
    point, _, probability = spec.partition(":")
    if point not in CRASH_POINTS:
        raise SystemExit(f"GUESTKIT_RUNTIME_CRASH: unknown crash point {point!r}; expected one of {CRASH_POINTS}")
    return point, float(probability or 1.0), random.Random(os.getpid())
