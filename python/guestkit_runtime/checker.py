"""An oracle for runs with faults, after Jepsen's queue checker: every job the run submitted is
classified from what the store recorded, and every job's trace is checked with the spec's
``check_trace``.

- **exactly once**: the job completed, with exactly one accepted ``completed`` result, whose
  lease is the job's last and whose attempt and worker are that lease's;
- **lost**: the job was acknowledged at submission but is missing, or did not complete;
- **duplicated**: more than one accepted completed result (or more than one job for one
  idempotency key and fingerprint);
- **unexpected**: a job in the store that nobody submitted, or a result that names another
  lease, attempt or worker than the one it was accepted under.

Side effects outside the store are at-least-once by design (section 8): a handler may run
again after a crash between its effect and its result; what must happen once is the
completion.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from guestkit_job_spec import check_trace

from .scheduler import Scheduler


@dataclass
class Verdict:
    """The classification of every submitted job, and what broke the trace checker."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: dict[str, str] = field(default_factory=dict)
    trace_errors: dict[str, str] = field(default_factory=dict)
    attempts: Counter[int] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return set(self.counts) <= {"exactly once"} and not self.trace_errors

    def summary(self) -> dict[str, Any]:
        return {
            "jobs": sum(self.counts.values()),
            "classification": dict(self.counts),
            "traces_checked": sum(self.counts.values()) - self.counts.get("lost (missing)", 0),
            "trace_errors": len(self.trace_errors),
            "attempts_per_job": {str(k): v for k, v in sorted(self.attempts.items())},
            "refused_messages": dict(self.refusals),
            "examples": dict(list(self.problems.items())[:5]) | dict(list(self.trace_errors.items())[:5]),
        }


def classify(scheduler: Scheduler, submitted: Iterable[str], *, keys: Mapping[str, str] | None = None) -> Verdict:
    """Classify every job id in ``submitted`` (as acknowledged by the store); ``keys`` maps
    each idempotency key submitted more than once to the job id its first answer named."""
    verdict = Verdict()
    expected = set(submitted)
    stored = set(scheduler.job_ids())
    for job_id in sorted(stored - expected):
        verdict.counts["unexpected"] += 1
        verdict.problems[job_id] = "in the store, never submitted"
    for job_id in sorted(expected):
        if job_id not in stored:
            verdict.counts["lost (missing)"] += 1
            verdict.problems[job_id] = "acknowledged at submission, not in the store"
            continue
        trace = scheduler.trace(job_id)
        issues = check_trace(trace)
        if issues:
            verdict.trace_errors[job_id] = f"{issues[0].rule} at {issues[0].pointer}: {issues[0].message}"
        kind, why = _classify(trace["steps"], verdict)
        verdict.counts[kind] += 1
        if why:
            verdict.problems[job_id] = why
    for key, job_id in (keys or {}).items():
        if job_id not in expected:
            verdict.counts["duplicated"] += 1
            verdict.problems[key] = f"idempotency key {key} answered with job {job_id}, not the first"
    return verdict


def _classify(steps: list[Mapping[str, Any]], verdict: Verdict) -> tuple[str, str]:
    leases: dict[str, Mapping[str, Any]] = {}
    completed: list[tuple[str, Mapping[str, Any]]] = []
    ended: set[str] = set()
    for step in steps:
        if step.get("refused"):
            verdict.refusals[step["refused"]] += 1
            continue
        message = step["message"]
        if message == "claim":
            leases[step["document"]["lease_id"]] = step["document"]
        elif message == "result" and step.get("lease_id") not in ended:
            ended.add(step["lease_id"])
            if step["document"]["status"] == "completed":
                completed.append((step["lease_id"], step["document"]))
    verdict.attempts[len(leases)] += 1
    status = steps[-1]["status"]
    if len(completed) > 1:
        return "duplicated", f"{len(completed)} completed results accepted"
    if status != "completed" or not completed:
        return "lost", f"ended {status} after {len(leases)} attempts"
    lease_id, result = completed[0]
    lease = leases.get(lease_id)
    last = list(leases)[-1] if leases else None
    if lease is None or lease_id != last:
        return "unexpected", f"the completed result's lease {lease_id} is not the job's last ({last})"
    if (result["worker_id"], result["execution_summary"]["attempt"]) != (lease["worker_id"], lease["attempt"]):
        return "unexpected", "the completed result names another worker or attempt than its lease"
    return "exactly once", ""
