"""The fault suite, short (make chaos runs it long), on each store, and its checker: the
checker must call lost, duplicated and unexpected jobs what they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from guestkit_runtime import Scheduler
from guestkit_runtime.checker import classify

from . import faults
from .conftest import job, progress, result, worker


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_short_fault_run_loses_and_duplicates_nothing(store: str, request: pytest.FixtureRequest) -> None:
    pg_dir: Path | None = None
    if store == "postgresql":
        pg_dir = request.getfixturevalue("postgres").directory
    verdict, report = faults.run(store, jobs=600, workers=3, seed=20, limit=300, pg_dir=pg_dir, rate=100)
    assert report["jobs"] == 600 and sum(verdict.counts.values()) == 600
    assert verdict.ok, report
    assert (
        report["faults"].get("SIGKILL", 0) > 0 and report["faults"].get("SIGSTOP past the lease, then SIGCONT", 0) > 0
    )
    if store == "postgresql":
        assert report["faults"].get("pg_ctl stop -m immediate, start", 0) > 0


def test_checker_names_lost_duplicated_and_unexpected_jobs(scheduler: Scheduler) -> None:
    for job_id in ("job-check-ok", "job-check-stuck", "job-check-extra", "job-check-twice"):
        scheduler.submit(job(job_id))
    for claim in scheduler.claim(worker(), limit=4, start="started"):
        lease = claim.lease
        if lease["job_id"] in ("job-check-ok", "job-check-twice"):
            scheduler.complete(lease["lease_id"], result(lease["job_id"], lease))
    # a second completed result for job-check-twice, as a broken scheduler would accept it
    twice = scheduler.trace("job-check-twice")["steps"]
    with scheduler.store.transaction() as tx:
        tx.run(
            "INSERT INTO steps (job_id, at_us, message, lease_id, document, status) "
            "SELECT job_id, ended_us + 1, end_message, 'lease-other', end_document, end_status FROM leases "
            "WHERE job_id = ? AND end_message = 'result'",
            ("job-check-twice",),
        )
    assert twice[-1]["status"] == "completed"
    submitted = ["job-check-ok", "job-check-stuck", "job-check-twice", "job-check-missing"]
    verdict = classify(scheduler, submitted, keys={"k": "job-check-extra"})
    assert verdict.counts == {"exactly once": 1, "lost": 1, "lost (missing)": 1, "duplicated": 2, "unexpected": 1}
    assert "job-check-twice" in verdict.trace_errors  # and the trace checker refuses that trace too
    assert not verdict.ok


def test_progress_of_checker_scenario_is_valid(scheduler: Scheduler) -> None:
    scheduler.submit(job("job-check-progress"))
    lease = scheduler.claim(worker(), start="started")[0].lease
    scheduler.progress(lease["lease_id"], progress("job-check-progress", lease, 1))
    scheduler.complete(lease["lease_id"], result("job-check-progress", lease))
    assert classify(scheduler, ["job-check-progress"]).ok
