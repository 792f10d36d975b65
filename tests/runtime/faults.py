"""The fault suite, Jepsen-style: jobs submitted to a store, worker processes running them while
a nemesis kills workers (SIGKILL), pauses them past their leases (SIGSTOP, then SIGCONT: their
late results and progress must be refused), makes them exit at crash points (between claim and
start, between the side effect and the result's commit, after the commit, before a renewal),
and stops PostgreSQL with ``pg_ctl stop -m immediate`` and starts it again. Then
guestkit_runtime.checker classifies every job and checks every trace.

    python tests/runtime/faults.py --store sqlite --jobs 10000        # make chaos runs both stores
    python tests/runtime/faults.py --store postgresql --jobs 10000

Writes a JSON summary on standard output; exit status 1 when any job is not exactly once or
any trace is invalid.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pgcluster  # noqa: E402

from guestkit_runtime import Scheduler, open_store  # noqa: E402
from guestkit_runtime.checker import Verdict, classify  # noqa: E402

CLI = [sys.executable, "-c", "import sys; from guestkit_job_spec.cli.main import main; sys.exit(main())"]
CRASH_POINTS = ["after-claim:0.02", "after-start:0.02", "after-effect:0.02", "after-commit:0.02", "before-renew:0.05"]
LEASE_SECONDS = 1.0


class Cluster:
    """The worker processes, restarted when they die."""

    def __init__(self, url: str, count: int, rng: random.Random, log: Path) -> None:
        self.url, self.rng, self.log = url, rng, log
        self.processes: list[subprocess.Popen[bytes] | None] = [None] * count
        self.started = 0
        self.lock = threading.Lock()
        for index in range(count):
            self.start(index)

    def start(self, index: int) -> None:
        self.started += 1
        environment = dict(os.environ)
        # Half the workers carry a crash point; the others only meet the nemesis.
        if self.rng.random() < 0.5:
            environment["GUESTKIT_RUNTIME_CRASH"] = self.rng.choice(CRASH_POINTS)
        else:
            environment.pop("GUESTKIT_RUNTIME_CRASH", None)
        command = [
            *CLI,
            "worker",
            "--store",
            self.url,
            "--id",
            f"w{index}-{self.started}",
            "--only",
            "system.echo",
            "--lease-seconds",
            str(LEASE_SECONDS),
            "--retry-backoff",
            "0.01",
            "--concurrency",
            "4",
            "-q",
        ]
        with open(self.log, "ab") as log:
            self.processes[index] = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=log)

    def restart_dead(self) -> int:
        dead = 0
        with self.lock:
            for index, process in enumerate(self.processes):
                if process is not None and process.poll() is not None:
                    dead += 1
                    self.start(index)
        return dead

    def pick(self) -> subprocess.Popen[bytes] | None:
        with self.lock:
            alive = [p for p in self.processes if p is not None and p.poll() is None]
        return self.rng.choice(alive) if alive else None

    def stop(self) -> None:
        for process in self.processes:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            if process is not None:
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def nemesis(
    cluster: Cluster, stop: threading.Event, faults: Counter[str], pg_dir: Path | None, rng: random.Random
) -> None:
    rounds = 0
    while not stop.wait(rng.uniform(0.2, 0.6)):
        rounds += 1
        faults["worker restarted after dying"] += cluster.restart_dead()
        choice = rng.random()
        if pg_dir is not None and rounds % 8 == 4:
            choice = 0.75  # PostgreSQL goes down regularly, not at the generator's whim
        target = cluster.pick()
        if choice < 0.4 and target is not None:
            target.send_signal(signal.SIGKILL)
            faults["SIGKILL"] += 1
        elif choice < 0.7 and target is not None:
            target.send_signal(signal.SIGSTOP)
            stop.wait(LEASE_SECONDS * rng.uniform(1.5, 3.0))  # past its lease
            target.send_signal(signal.SIGCONT)
            faults["SIGSTOP past the lease, then SIGCONT"] += 1
        elif choice < 0.8 and pg_dir is not None:
            pgcluster.stop(pg_dir, immediate=True)
            stop.wait(rng.uniform(0.3, 1.0))
            pgcluster.start(pg_dir)
            faults["pg_ctl stop -m immediate, start"] += 1


class Submitter(threading.Thread):
    """Submits ``jobs`` jobs at ``rate`` a second while the nemesis works; one in ten carries an
    idempotency key and is submitted a second time, under another job id, which must be answered
    with the first job. A submission whose answer was lost (the server went away) is sent again:
    the job id it already holds (or its key's record) answers it."""

    def __init__(self, url: str, jobs: int, rate: float, rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.url, self.jobs, self.rate, self.rng = url, jobs, rate, rng
        self.submitted: list[str] = []
        self.keys: dict[str, str] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            scheduler = Scheduler(open_store(self.url))
            start = time.monotonic()
            for index in range(self.jobs):
                pause = start + index / self.rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                document: dict[str, Any] = {
                    "version": "1.0",
                    "job_id": f"job-fault-{index:06d}",
                    "created_at": "2026-11-30T12:00:00Z",
                    "kind": "VMOperation",
                    "operation": "system.echo",
                    "execution": {"max_attempts": 25, "priority": self.rng.randint(1, 10)},
                    "payload": {"type": "system.echo.v1", "data": {"n": index}},
                }
                if index % 10 == 0:
                    document["execution"]["idempotency_key"] = f"fault-key-{index}"
                scheduler, job_id = _submit(scheduler, self.url, document)
                self.submitted.append(job_id)
                if index % 10 == 0:
                    again = {**document, "job_id": f"job-fault-again-{index:06d}"}
                    scheduler, self.keys[f"fault-key-{index}"] = _submit(scheduler, self.url, again)
        except BaseException as error:
            self.error = error
            raise


def _submit(scheduler: Scheduler, url: str, document: dict[str, Any]) -> tuple[Scheduler, str]:
    from guestkit_runtime import Refused

    while True:
        try:
            return scheduler, scheduler.submit(document).job_id
        except Refused as refused:
            if refused.rule != "lifecycle.submission.job-id-taken":
                raise
            return scheduler, document["job_id"]  # the first try committed; its answer was lost
        except Exception:
            time.sleep(0.2)  # the server is restarting
            with contextlib.suppress(Exception):
                scheduler = Scheduler(open_store(url))


def run(
    store: str, jobs: int, workers: int, seed: int, limit: float, pg_dir: Path | None, rate: float
) -> tuple[Verdict, dict]:
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="guestkit-faults-"))
    if store == "sqlite":
        url = str(work / "jobs.sqlite3")
    else:
        assert pg_dir is not None
        url = pgcluster.url(pg_dir)
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("DROP SCHEMA IF EXISTS faults CASCADE")
            connection.execute("CREATE SCHEMA faults")
        url += "&options=-csearch_path%3Dfaults"
    scheduler = Scheduler(open_store(url))
    started = time.monotonic()
    submitter = Submitter(url, jobs, rate, random.Random(seed + 1))
    submitter.start()
    faults: Counter[str] = Counter()
    cluster = Cluster(url, workers, rng, work / "workers.log")
    stop = threading.Event()
    chaos = threading.Thread(target=nemesis, args=(cluster, stop, faults, pg_dir, rng), daemon=True)
    chaos.start()
    end = time.monotonic() + limit
    while time.monotonic() < end:
        time.sleep(0.5)
        try:
            counts = scheduler.counts()
        except Exception:  # the server is restarting
            with contextlib.suppress(Exception):
                scheduler = Scheduler(open_store(url))
            continue
        if submitter.is_alive():
            continue
        if sum(n for status, n in counts.items() if status not in ("queued", "assigned", "running")) >= jobs:
            break
    stop.set()
    chaos.join()
    submitter.join()
    if submitter.error is not None:
        raise RuntimeError("the submitter failed") from submitter.error
    submitted, keys = submitter.submitted, submitter.keys
    if pg_dir is not None:
        pgcluster.start(pg_dir)  # if the nemesis left it stopped
    # The nemesis is gone: the healthy workers finish what is left (leases lost in the faults expire).
    cluster.restart_dead()
    settle = time.monotonic() + 120
    scheduler = Scheduler(open_store(url))
    while time.monotonic() < settle and set(scheduler.counts()) - {"completed", "failed", "cancelled", "timeout"}:
        cluster.restart_dead()
        time.sleep(0.5)
    cluster.stop()
    elapsed = time.monotonic() - started
    verdict = classify(scheduler, submitted, keys=keys)
    report = {
        "store": store,
        "jobs": jobs,
        "submissions": jobs + len(keys),
        "workers": workers,
        "seed": seed,
        "seconds": round(elapsed, 1),
        "faults": dict(faults),
        "worker processes started": cluster.started,
        **verdict.summary(),
        "ok": verdict.ok,
    }
    scheduler.store.close()
    return verdict, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--limit", type=float, default=900, help="seconds of faults at most")
    parser.add_argument("--rate", type=float, default=150, help="jobs submitted per second, while the faults go on")
    parser.add_argument("--postgres-dir", type=Path, default=None, help="a cluster of pgcluster.py (else one is made)")
    args = parser.parse_args()
    pg_dir, own = args.postgres_dir, False
    if args.store == "postgresql" and pg_dir is None:
        pg_dir, own = Path(tempfile.mkdtemp(prefix="guestkit-pg-")), True
        pgcluster.start(pg_dir)
    try:
        verdict, report = run(args.store, args.jobs, args.workers, args.seed, args.limit, pg_dir, args.rate)
    finally:
        if own:
            pgcluster.stop(pg_dir, immediate=True)
    print(json.dumps(report, indent=2))
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
