"""Matching a job against a worker registration: every reason it cannot run there."""

from __future__ import annotations

from conftest import example, mutate
from guestkit_job_spec import match_worker, parse_job, parse_worker
from guestkit_job_spec.typed.scheduling import semver_key

JOB = example("inspect-full.json")
WORKER = example("worker-registration.json")


def test_a_matching_worker_has_no_reasons() -> None:
    assert match_worker(JOB, WORKER) == []
    assert match_worker(parse_job(JOB), parse_worker(WORKER)) == [], "model objects work as well"


def test_boundaries_that_still_match() -> None:
    job = mutate(JOB, {"/constraints/maximum_disk_size_gb": 2000, "/routing/worker_id": "worker-prod-07"})
    worker = mutate(WORKER, {"/version": "0.4.0", "/status": None})
    assert match_worker(job, worker) == []


def test_every_reason_is_reported_together() -> None:
    worker = mutate(WORKER, {"/configuration/privileged": False, "/status/state": "offline"})
    assert {i.rule for i in match_worker(JOB, worker)} == {
        "scheduling.privileged.required",
        "scheduling.worker.not-ready",
    }


SEMVER_ORDER = [
    *("0.9.9", "0.10.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2"),
    *("1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "2.0.0"),
]


def test_semver_precedence() -> None:
    ordered = SEMVER_ORDER
    assert sorted(ordered, key=semver_key) == ordered
    assert semver_key("1.0.0+build.1") == semver_key("1.0.0")
