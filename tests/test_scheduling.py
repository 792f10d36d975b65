"""Matching a job against a worker registration: every reason it cannot run there."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import example, mutate
from guestkit_job_spec import match_worker, parse_job, parse_worker
from guestkit_job_spec.scheduling import semver_key

JOB = example("inspect-full.json")
WORKER = example("worker-registration.json")

MISMATCHES = [
    (
        "scheduling.operation.unsupported",
        {"/constraints/required_capabilities": ["fs.ext4"]},
        {"/capabilities/operations": ["guestkit.fix"]},
        "/operation",
    ),
    (
        "scheduling.capability.missing",
        {"/constraints/required_capabilities": ["guestkit.inspect", "gpu"]},
        {},
        "/constraints/required_capabilities",
    ),
    ("scheduling.feature.missing", {"/constraints/required_features": ["zfs"]}, {}, "/constraints/required_features"),
    (
        "scheduling.disk-format.unsupported",
        {"/payload/data/image/format": "ova"},
        {},
        "/payload/data/image/format",
    ),
    (
        "scheduling.worker-pool.not-allowed",
        {},
        {"/configuration/worker_pool": "pool-dev"},
        "/constraints/allowed_worker_pools",
    ),
    ("scheduling.privileged.required", {}, {"/configuration/privileged": False}, "/constraints/require_privileged"),
    ("scheduling.worker-version.too-old", {}, {"/version": "0.4.0-rc.1"}, "/constraints/minimum_worker_version"),
    (
        "scheduling.disk-size.too-large",
        {},
        {"/resources/max_disk_size_gb": 999},
        "/constraints/maximum_disk_size_gb",
    ),
    ("scheduling.worker.pinned-elsewhere", {"/routing/worker_id": "worker-prod-01"}, {}, "/routing/worker_id"),
    ("scheduling.worker.not-ready", {}, {"/status/state": "draining"}, ""),
]


def test_a_matching_worker_has_no_reasons() -> None:
    assert match_worker(JOB, WORKER) == []
    assert match_worker(parse_job(JOB), parse_worker(WORKER)) == [], "model objects work as well"


@pytest.mark.parametrize(("rule", "job_changes", "worker_changes", "pointer"), MISMATCHES, ids=lambda v: str(v)[:40])
def test_each_mismatch_is_named(
    rule: str, job_changes: dict[str, Any], worker_changes: dict[str, Any], pointer: str
) -> None:
    issues = match_worker(mutate(JOB, job_changes), mutate(WORKER, worker_changes))
    assert [(i.rule, i.pointer) for i in issues] == [(rule, pointer)]


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
