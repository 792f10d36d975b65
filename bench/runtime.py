"""make bench (the runtime's part): claim-to-complete throughput and latency of no-op jobs with
1, 4 and 16 worker processes, on SQLite and on PostgreSQL, beside pgqueuer on the same
PostgreSQL server in the same run; written to docs/benchmarks-runtime.md.

    python bench/runtime.py --postgres URL [--jobs N] [--workers 1,4,16] [--out FILE]

Each contender gets the same jobs (no-op: the runtime's system.echo with empty data; a pgqueuer
entrypoint that returns), enqueued before its workers start, and N worker processes started at
once. Throughput is the jobs completed between the 10th and the 90th percentile completion over
that time, read from the store's own records (the runtime's leases; pgqueuer's log of picked and
successful jobs), so the processes' start-up and the last stragglers are counted for neither;
latency is each job's completion minus its claim. The runtime keeps every
guarantee while measured: leases with fencing, the trace of every message, results and progress
validated, the start event (sequence 0) of every attempt.

Where the time goes: the CPU the worker processes used per job, and the server's processes
meanwhile (read from /proc when the server is the local throwaway cluster make bench starts,
GUESTKIT_TEST_POSTGRES_DIR), each less what a worker uses to start and stop with nothing to do
(measured once per contender by a worker run on an empty queue).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

CLI = [sys.executable, "-c", "import sys; from guestkit_job_spec.cli.main import main; sys.exit(main())"]
#: jobs a worker runs at once (the runtime's --concurrency) and takes at once (pgqueuer's batch size)
WORKER_CONCURRENCY = 16
PGQ_BATCH = 16


def _job(index: int) -> dict[str, Any]:
    return {
        "version": "1.0",
        "job_id": f"job-bench-{index:07d}",
        "created_at": "2026-11-30T12:00:00Z",
        "kind": "VMOperation",
        "operation": "system.echo",
        "payload": {"type": "system.echo.v1", "data": {}},
    }


@dataclass
class Spent:
    """CPU seconds: the worker processes', and the server's meanwhile (None when not measurable)."""

    workers: float
    server: float | None

    def __sub__(self, other: Spent) -> Spent:
        server = None if self.server is None or other.server is None else self.server - other.server
        return Spent(self.workers - other.workers, server)

    def per_job(self, jobs: int, idle: Spent, processes: int) -> dict[str, float | None]:
        """Microseconds a job, less ``idle`` (one process started and stopped with nothing to do) each process."""
        workers = (self.workers - idle.workers * processes) / jobs * 1e6
        server = None if self.server is None or idle.server is None else self.server - idle.server * processes
        return {"worker_cpu_us": workers, "server_cpu_us": None if server is None else server / jobs * 1e6}


def _run_workers(commands: list[list[str]], *, server: bool = True) -> Spent:
    """Start the worker processes at once and wait for them all: the CPU they used, and the
    PostgreSQL server meanwhile (``server``: they use it)."""
    before = _spent_now(server)
    processes = [subprocess.Popen(command) for command in commands]
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"a worker failed: {process.args}")
    return _spent_now(server) - before


def _spent_now(server: bool) -> Spent:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Spent(children.ru_utime + children.ru_stime, _server_cpu() if server else None)


def _server_cpu() -> float | None:
    """CPU seconds the local PostgreSQL server has used: its postmaster with the backends that ended,
    and those running; None unless the server is the throwaway cluster (GUESTKIT_TEST_POSTGRES_DIR)."""
    folder = os.environ.get("GUESTKIT_TEST_POSTGRES_DIR")
    try:
        postmaster = int((Path(str(folder)) / "data" / "postmaster.pid").read_text().split()[0])
        ticks = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                # after the command's closing parenthesis: state, ppid, ..., utime (12th), stime, cutime, cstime
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # a process that ended meanwhile
                continue
            if int(entry.name) == postmaster:
                ticks += sum(int(field) for field in fields[11:15])
            elif int(fields[1]) == postmaster:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def runtime(url: str, jobs: int, workers: int) -> dict[str, Any]:
    from guestkit_runtime import Scheduler, open_store

    scheduler = Scheduler(open_store(url))
    command = [
        *CLI,
        "worker",
        "--store",
        url,
        "--exit-when-idle",
        "--only",
        "system.echo",
        "--concurrency",
        str(WORKER_CONCURRENCY),
        "-q",
    ]
    postgres = scheduler.store.dialect == "postgresql"
    idle = _run_workers([[*command, "--id", "bench-idle"]], server=postgres)
    for index in range(jobs):
        scheduler.submit(_job(index))
    spent = _run_workers([[*command, "--id", f"bench-{n}"] for n in range(workers)], server=postgres)
    counts = scheduler.counts()
    if counts != {"completed": jobs}:
        raise SystemExit(f"not every job completed: {counts}")
    with scheduler.store.transaction() as tx:
        rows = tx.rows("SELECT leased_us, ended_us FROM leases WHERE end_message = 'result'")
    scheduler.store.close()
    return {**_figures([(start / 1e6, end / 1e6) for start, end in rows], jobs), **spent.per_job(jobs, idle, workers)}


def pgqueuer(url: str, jobs: int, workers: int) -> dict[str, Any]:
    import psycopg

    schema = f"pgq_{workers}_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute(f"CREATE SCHEMA {schema}")
    scoped = f"{url}&options=-csearch_path%3D{schema}"

    async def setup(*, install: bool = False, enqueue: int = 0) -> None:
        from pgqueuer import PsycopgDriver, Queries

        connection = await psycopg.AsyncConnection.connect(scoped, autocommit=True)
        queries = Queries(PsycopgDriver(connection))
        if install:
            await queries.install()
        for start in range(0, enqueue, 1000):
            count = min(1000, enqueue - start)
            await queries.enqueue(["noop"] * count, [None] * count, [0] * count)
        await connection.close()

    asyncio.run(setup(install=True))
    command = [sys.executable, __file__, "--pgqueuer-worker", scoped]
    idle = _run_workers([command])
    asyncio.run(setup(enqueue=jobs))
    spent = _run_workers([command] * workers)
    with psycopg.connect(scoped, autocommit=True) as connection:
        left = connection.execute("SELECT COUNT(*) FROM pgqueuer").fetchone()
        rows = connection.execute(
            "SELECT EXTRACT(EPOCH FROM p.created), EXTRACT(EPOCH FROM s.created) FROM pgqueuer_log p "
            "JOIN pgqueuer_log s ON s.job_id = p.job_id AND s.status = 'successful' WHERE p.status = 'picked'"
        ).fetchall()
    if left != (0,) or len(rows) != jobs:
        raise SystemExit(f"pgqueuer left {left} jobs and logged {len(rows)} completions of {jobs}")
    return {**_figures([(float(start), float(end)) for start, end in rows], jobs), **spent.per_job(jobs, idle, workers)}


def _pgqueuer_worker(url: str) -> None:
    import psycopg
    from pgqueuer import PsycopgDriver, Queries, QueueManager
    from pgqueuer.types import QueueExecutionMode

    async def main() -> None:
        connection = await psycopg.AsyncConnection.connect(url, autocommit=True)
        manager = QueueManager(Queries(PsycopgDriver(connection)))

        @manager.entrypoint("noop")
        async def noop(job: Any) -> None:
            return None

        await manager.run(mode=QueueExecutionMode.drain, batch_size=PGQ_BATCH)
        await connection.close()

    asyncio.run(main())


def _figures(spans: list[tuple[float, float]], jobs: int) -> dict[str, Any]:
    """Throughput over the middle 80% of completions: the jobs completed between the 10th and the
    90th percentile completion, over that time. The first claims wait for the worker processes
    to start (half a second of imports each, on two cores shared with the server) and the last
    ones for stragglers; counted whole, a run of a few seconds measured mostly those."""
    ends = sorted(end for _, end in spans)
    low, high = int(len(ends) * 0.1), int(len(ends) * 0.9)
    latencies = sorted((end - start) * 1000 for start, end in spans)
    return {
        "jobs": jobs,
        "seconds": ends[-1] - min(start for start, _ in spans),
        "jobs_per_second": (high - low) / (ends[high] - ends[low]),
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=False, default=os.environ.get("GUESTKIT_TEST_POSTGRES"))
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--workers", default="1,4,16")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-runtime.md")
    parser.add_argument("--pgqueuer-worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pgqueuer_worker:
        _pgqueuer_worker(args.pgqueuer_worker)
        return 0
    if not args.postgres:
        raise SystemExit("--postgres URL (or GUESTKIT_TEST_POSTGRES; make bench starts a cluster)")
    import psycopg

    rows = []
    for workers in [int(n) for n in args.workers.split(",")]:
        with tempfile.TemporaryDirectory() as folder:
            rows.append(("runtime, SQLite", workers, runtime(str(Path(folder) / "jobs.sqlite3"), args.jobs, workers)))
        schema = f"rt_{workers}_{os.getpid()}"
        with psycopg.connect(args.postgres, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            connection.execute(f"CREATE SCHEMA {schema}")
        url = f"{args.postgres}&options=-csearch_path%3D{schema}"
        rows.append(("runtime, PostgreSQL", workers, runtime(url, args.jobs, workers)))
        rows.append(
            (f"pgqueuer {version('pgqueuer')}, PostgreSQL", workers, pgqueuer(args.postgres, args.jobs, workers))
        )
        for name, count, figures in rows[-3:]:
            print(
                f"{name:32} {count:3} workers: {figures['jobs_per_second']:8.0f} jobs/s  "
                f"p50 {figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms  "
                f"CPU a job: workers {_us(figures['worker_cpu_us'])}, server {_us(figures['server_cpu_us'])}",
                flush=True,
            )
    by_workers: dict[int, dict[str, Any]] = {}
    for name, count, figures in rows:
        by_workers.setdefault(count, {})[name] = figures
    lines = [
        "# The runtime's benchmark",
        "",
        f"Generated by `make bench` (`bench/runtime.py`) on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, PostgreSQL {_server_version(args.postgres)} "
        "(a throwaway cluster: fsync off, synchronous_commit on, Unix socket).",
        "",
        f"No-op jobs, {args.jobs} per run, enqueued before the workers start. Throughput: the jobs completed "
        "between the 10th and the 90th percentile completion, over that time (the worker processes' start and the "
        "last stragglers left out, for both), from each store's own records; latency: each job's completion minus "
        "its claim. "
        f"Runtime workers: `guestkit-job worker --concurrency {WORKER_CONCURRENCY}` processes; pgqueuer workers: "
        f"one QueueManager per process, batch size {PGQ_BATCH}, drain mode. The runtime keeps every guarantee while "
        "measured (fenced leases, the start event, validated results, the trace of every message); the machine is "
        "shared, so figures move from run to run: compare within a run. CPU a job: the worker processes' CPU over "
        "the run, and the server's (its processes, read from /proc; `-` for SQLite, whose work is the workers'), "
        "divided by the jobs, each less what a worker process uses to start and stop with nothing to do.",
        "",
        "| contender | workers | jobs/s | p50 latency (ms) | p99 latency (ms) | worker CPU a job | server CPU a job |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, count, figures in rows:
        lines.append(
            f"| {name} | {count} | {figures['jobs_per_second']:.0f} | {figures['p50_ms']:.1f} | "
            f"{figures['p99_ms']:.1f} | {_us(figures['worker_cpu_us'])} | {_us(figures['server_cpu_us'])} |"
        )
    lines += ["", "Runtime on PostgreSQL / pgqueuer, same workers:", ""]
    for count, named in by_workers.items():
        peer = next(figures for name, figures in named.items() if name.startswith("pgqueuer"))
        ratio = named["runtime, PostgreSQL"]["jobs_per_second"] / peer["jobs_per_second"]
        lines.append(f"- {count} workers: {ratio:.2f}x")
    args.out.write_text("\n".join(lines) + "\n")
    print(f"written to {args.out}")
    return 0


def _us(microseconds: float | None) -> str:
    """
    >>> _us(212.4), _us(None)
    ('212 us', '-')
    """
    return "-" if microseconds is None else f"{microseconds:.0f} us"


def _server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


if __name__ == "__main__":
    time.sleep(0)
    sys.exit(main())
