"""Upstream's folder layout as an ingress: files claimed once, submitted, filed with results."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from guestkit_job_spec.cli.main import main
from guestkit_runtime import Scheduler
from guestkit_runtime.filedrop import FileDrop
from guestkit_runtime.handlers import EchoHandler
from guestkit_runtime.worker import Worker, WorkerConfig

from .conftest import assert_traces_valid, job


def drop(root: Path, name: str, document: object) -> None:
    (root / "jobs").mkdir(parents=True, exist_ok=True)
    (root / "jobs" / name).write_text(json.dumps(document))


def test_dropped_files_are_submitted_once_and_filed_with_their_results(scheduler: Scheduler, tmp_path: Path) -> None:
    drop(tmp_path, "not-its-id.json", job("job-drop-1", data={"message": "dropped"}))
    drop(tmp_path, "broken.json", {"version": "1.0"})
    drop(tmp_path, ".partial.json", job("job-drop-2"))  # being written: never taken
    ingesters = [FileDrop(tmp_path, scheduler, settle_seconds=0) for _ in range(4)]
    threads = [threading.Thread(target=ingester.run_once) for ingester in ingesters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert scheduler.job_ids() == ["job-drop-1"]  # four ingesters raced; one job
    assert (tmp_path / "failed" / "broken.json").exists()
    assert "refused" in (tmp_path / "failed" / "broken.error.txt").read_text()
    assert (tmp_path / "cur" / "not-its-id.json").exists()
    again = ingesters[0].run_once()  # the job has not run: it stays claimed, not submitted again
    assert again.submitted == [] and scheduler.job_ids() == ["job-drop-1"]
    Worker(scheduler, {"system.echo": EchoHandler()}, WorkerConfig(exit_when_idle=True, poll_seconds=0.05)).run()
    assert ingesters[1].run_once().done == ["job-drop-1"]
    filed = json.loads((tmp_path / "done" / "not-its-id.result.json").read_text())
    assert filed["data"] == {"echo": {"message": "dropped"}, "message": "Echo handler executed successfully"}
    assert (tmp_path / "done" / "not-its-id.json").exists() and (tmp_path / "jobs" / ".partial.json").exists()
    assert list((tmp_path / "cur").iterdir()) == []
    assert_traces_valid(scheduler)


def test_a_file_claimed_before_a_crash_is_not_submitted_twice(scheduler: Scheduler, tmp_path: Path) -> None:
    scheduler.submit(job("job-drop-crash"))  # submitted, then the ingester died before its marker
    (tmp_path / "cur").mkdir()
    (tmp_path / "cur" / "job-drop-crash.json").write_text(json.dumps(job("job-drop-crash")))
    outcome = FileDrop(tmp_path, scheduler, settle_seconds=0).run_once()
    assert outcome.submitted == [] and outcome.refused == []
    assert scheduler.trace("job-drop-crash")["steps"][-1]["message"] == "submit"  # no second submission


def test_ingest_command(store_url: str, tmp_path: Path) -> None:
    drop(tmp_path, "a.json", job("job-drop-cli"))
    assert main(["ingest", str(tmp_path), "--store", store_url, "--settle-seconds", "0"]) == 0
    assert (tmp_path / "cur" / "a.json").exists()
