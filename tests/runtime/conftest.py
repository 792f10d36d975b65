"""Fixtures of the runtime's tests: a store of each kind (the same tests run against both), a
clock the tests move, job and worker documents.

PostgreSQL: a throwaway cluster (pgcluster.py) started once per session, a schema per test.
Where no server programs are installed the PostgreSQL cases are skipped, unless
GUESTKIT_REQUIRE_POSTGRES=1 (set by `make test`), which makes that an error: CI skips nothing.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guestkit_job_spec import check_trace
from guestkit_runtime import Scheduler, open_store
from guestkit_runtime.scheduler import Backoff

from . import pgcluster

START = 1_800_000_000_000_000  # 2027-01-15T08:00:00Z, in microseconds
_schemas = itertools.count()


class FakeClock:
    """Microseconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += int(seconds * 1_000_000)


class PostgresServer:
    def __init__(self, directory: Path, *, started: bool = False) -> None:
        self.directory = directory
        self.url = pgcluster.url(directory) if started else pgcluster.start(directory)

    def stop(self, *, immediate: bool = False) -> None:
        pgcluster.stop(self.directory, immediate=immediate)

    def start(self) -> None:
        pgcluster.start(self.directory)

    def fresh_url(self) -> str:
        """A URL whose tables live in a schema of their own."""
        import psycopg

        name = f"t{os.getpid()}_{next(_schemas)}"
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            connection.execute(f"CREATE SCHEMA {name}")
        return f"{self.url}&options=-csearch_path%3D{name}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if pgcluster.bin_dir() is None:
        if os.environ.get("GUESTKIT_REQUIRE_POSTGRES") == "1":
            pytest.fail("GUESTKIT_REQUIRE_POSTGRES=1 and no PostgreSQL server programs are installed")
        pytest.skip("no PostgreSQL server programs installed (GUESTKIT_REQUIRE_POSTGRES=1 makes this an error)")
    if os.environ.get("GUESTKIT_TEST_POSTGRES_DIR"):  # started by the Makefile (pgcluster.py run)
        yield PostgresServer(Path(os.environ["GUESTKIT_TEST_POSTGRES_DIR"]), started=True)
        return
    directory = Path(tempfile.mkdtemp(prefix="guestkit-pg-"))
    server = PostgresServer(directory)
    yield server
    server.stop(immediate=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "jobs.sqlite3")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.fresh_url()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def scheduler(store_url: str, clock: FakeClock) -> Iterator[Scheduler]:
    store = open_store(store_url)
    yield Scheduler(store, clock=clock, backoff=Backoff(base=30.0))
    store.close()


@pytest.fixture
def live(store_url: str) -> Iterator[Scheduler]:
    """A scheduler on the real clock, retrying after 10 ms."""
    store = open_store(store_url)
    yield Scheduler(store, backoff=Backoff(base=0.01, cap=0.05))
    store.close()


def job(job_id: str, *, operation: str = "system.echo", data: Any = None, **execution: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "version": "1.0",
        "job_id": job_id,
        "created_at": "2027-01-15T08:00:00Z",
        "kind": "VMOperation",
        "operation": operation,
        "payload": {"type": f"{operation}.v1", "data": {"message": job_id} if data is None else data},
    }
    if execution:
        document["execution"] = execution
    return document


def worker(worker_id: str = "worker-1", *, operations: tuple[str, ...] = ("system.echo",), **extra: Any) -> dict:
    document: dict[str, Any] = {
        "worker_id": worker_id,
        "version": "1.0.1",
        "hostname": "test",
        "registered_at": "2027-01-15T08:00:00Z",
        "capabilities": {"operations": list(operations), "features": [], "disk_formats": ["qcow2", "raw"]},
        "status": {"state": "ready", "current_jobs": 0, "last_heartbeat": "2027-01-15T08:00:00Z"},
    }
    document.update(extra)
    return document


def progress(job_id: str, lease: dict[str, Any], sequence: int, **extra: Any) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "timestamp": "2027-01-15T08:00:00Z",
        "sequence": sequence,
        "phase": "validation",
        "message": f"step {sequence}",
        "attempt": lease["attempt"],
        "worker_id": lease["worker_id"],
        "lease_id": lease["lease_id"],
        **extra,
    }


def echoed(value: Any) -> dict[str, Any]:
    """The data of a system.echo result (schemas/results/system.echo.v1.json)."""
    return {"echo": value, "message": "echoed"}


def result(job_id: str, lease: dict[str, Any], status: str = "completed", **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "job_id": job_id,
        "status": status,
        "worker_id": lease["worker_id"],
        "lease_id": lease["lease_id"],
        "completed_at" if status == "completed" else "failed_at": "2027-01-15T08:00:00Z",
        "execution_summary": {"started_at": "2027-01-15T08:00:00Z", "duration_seconds": 0, "attempt": lease["attempt"]},
    }
    document.update(extra)
    return document


def failure(recoverable: bool, retry: bool) -> dict[str, Any]:
    return {"code": "test.failure", "message": "it failed", "recoverable": recoverable, "retry_recommended": retry}


def assert_traces_valid(scheduler: Scheduler) -> None:
    """Every job's recorded lifecycle passes the trace checker of the spec package."""
    for job_id in scheduler.job_ids():
        trace = scheduler.trace(job_id)
        assert check_trace(trace) == [], (job_id, check_trace(trace), trace)
