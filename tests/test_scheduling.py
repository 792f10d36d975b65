"""Matching a job against a worker registration: every reason it cannot run there."""

from __future__ import annotations

import pytest

from conftest import example, mutate
from guestkit_job_spec import match_worker, parse_job, parse_worker
from guestkit_job_spec.typed.scheduling import semver_key

JOB = example("inspect-full.json")
WORKER = example("worker-registration.json")


def test_a_matching_worker_has_no_reasons() -> None:
    assert match_worker(JOB, WORKER) == []
    assert match_worker(parse_job(JOB), parse_worker(WORKER)) == [], "model objects work as well"


def test_boundaries_that_still_match() -> None:
    job = mutate(
        JOB,
        {
            "/constraints/maximum_disk_size_gb": 2000,
            "/routing/worker_id": "worker-prod-07",
            "/payload/data/image/size_bytes": 2000 * 10**9,
        },
    )
    worker = mutate(WORKER, {"/version": "0.4.0", "/status/current_jobs": 3})
    assert match_worker(job, worker) == []


def test_a_worker_without_status_takes_no_job() -> None:
    """Section 9: only a worker whose status says ready takes a new job (the package took none for ready before 1.1)."""
    (issue,) = match_worker(JOB, mutate(WORKER, {"/status": None}))
    assert (issue.rule, issue.pointer) == ("scheduling.worker.not-ready", "")
    assert "sends no status" in issue.message


def test_the_schedulers_count_of_running_jobs_replaces_the_heartbeats() -> None:
    """status.current_jobs is as old as the last heartbeat; a scheduler that placed jobs since counts them."""
    assert match_worker(JOB, WORKER) == []  # current_jobs 1 of 4
    (issue,) = match_worker(JOB, WORKER, current_jobs=4)
    assert (issue.rule, issue.pointer) == ("scheduling.worker.at-capacity", "")
    assert issue.message == "the worker runs 4 jobs and at most 4 at once: it takes a new one when one ends"
    full = mutate(WORKER, {"/status/current_jobs": 4})
    assert match_worker(JOB, full, current_jobs=3) == [], "the scheduler knows a job ended since"
    without_status = mutate(WORKER, {"/status": None})
    assert {i.rule for i in match_worker(JOB, without_status, current_jobs=9)} == {
        "scheduling.worker.not-ready",
        "scheduling.worker.at-capacity",
    }
    for wrong in (-1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="current_jobs"):
            match_worker(JOB, WORKER, current_jobs=wrong)  # type: ignore[arg-type]


def test_without_resources_nothing_limits_the_worker_but_a_required_size_is_not_shown() -> None:
    worker = mutate(WORKER, {"/resources": None, "/status/current_jobs": 99})
    job = mutate(JOB, {"/constraints/maximum_disk_size_gb": None, "/payload/data/image/size_bytes": 10**15})
    assert match_worker(job, worker) == []
    (issue,) = match_worker(JOB, worker)
    assert (issue.rule, issue.pointer) == ("scheduling.disk-size.too-large", "/constraints/maximum_disk_size_gb")
    assert "states no max_disk_size_gb" in issue.message


def test_sizes_are_gb_of_ten_to_the_nine_bytes() -> None:
    gib_40 = 40 * 2**30
    job = mutate(JOB, {"/constraints/maximum_disk_size_gb": 40, "/payload/data/image/size_bytes": gib_40})
    (issue,) = match_worker(job, mutate(WORKER, {"/resources/max_disk_size_gb": 42}))
    assert issue.message == (
        "the image is 42949672960 bytes; the worker accepts disks of at most 42 GB (42000000000 bytes)"
    )
    assert match_worker(job, mutate(WORKER, {"/resources/max_disk_size_gb": 43})) == []


def test_integers_written_with_a_fraction_compare_by_value() -> None:
    """5.0 is the integer 5 (JSON Schema); messages show it as JSON writers and JavaScript do."""
    job = mutate(JOB, {"/constraints/maximum_disk_size_gb": 1000.0})
    (issue,) = match_worker(job, mutate(WORKER, {"/resources/max_disk_size_gb": 999.0}))
    assert issue.message == "the job may touch disks of 1000 GB; the worker accepts at most 999 GB"
    assert match_worker(JOB, mutate(WORKER, {"/status/current_jobs": 4.0}))[0].rule == "scheduling.worker.at-capacity"


def test_a_worker_reads_the_v1_payload_of_its_operations_unless_it_lists_its_payload_types() -> None:
    v2 = mutate(JOB, {"/payload/type": "guestkit.inspect.v2"})
    (issue,) = match_worker(v2, WORKER)
    assert issue.message == (
        "the worker reads 'guestkit.inspect.v1' of 'guestkit.inspect', not 'guestkit.inspect.v2' "
        "(it lists no payload_types: it reads the v1 of each operation it runs)"
    )
    listing = mutate(WORKER, {"/capabilities/payload_types": ["guestkit.inspect.v2", "guestkit.fix.v1"]})
    assert match_worker(v2, listing) == []
    (issue,) = match_worker(JOB, listing)
    assert issue.message == "the worker reads 'guestkit.inspect.v2' of 'guestkit.inspect', not 'guestkit.inspect.v1'"


def test_an_operation_the_worker_does_not_run_is_one_reason_not_two() -> None:
    fix_only = mutate(WORKER, {"/capabilities/operations": ["guestkit.fix"]})
    assert [i.rule for i in match_worker(JOB, fix_only)] == [
        "scheduling.operation.unsupported",
        "scheduling.capability.missing",
    ]


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
