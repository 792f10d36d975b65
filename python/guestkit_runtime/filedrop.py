"""Upstream's file layout as an ingress: drop job files into ``DIR/jobs/``, find them in
``DIR/done/`` or ``DIR/failed/`` with their results.

Upstream's worker read ``jobs/*.json`` in place, with no claim: two workers ran one job twice,
and a file whose name was not its job id ran again at every start. Here a file is claimed the
maildir way before anything reads it: renamed into ``DIR/cur/`` (a rename is atomic, so of two
ingesters racing for one file exactly one gets it), then submitted to the store, where the job
id (and an idempotency key) makes a second submission of the same job an answer, not a second
run. When the job ends the file moves to ``done/`` (completed) or ``failed/`` (anything else),
with ``<name>.result.json`` beside it (the job's result, when it has one) or
``<name>.error.txt`` (why it was refused). A crash between two steps is mended by the next pass:
``cur/`` is gone through again, and a job id the store already holds is the same job.

Writers should write elsewhere on the same filesystem and rename into ``jobs/`` (a name starting
with ``.`` is never taken); for writers that write in place, a file modified in the last
``settle_seconds`` is left for the next pass. One filesystem only (rename is atomic within one).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from guestkit_job_spec.protocol.states import is_terminal

from .errors import NotFound, Refused
from .scheduler import Scheduler

FOLDERS = ("jobs", "cur", "done", "failed")


@dataclass
class Pass:
    """What one pass did."""

    submitted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class FileDrop:
    def __init__(self, root: Path, scheduler: Scheduler, *, settle_seconds: float = 1.0) -> None:
        self.root = root
        self.scheduler = scheduler
        self.settle_seconds = settle_seconds
        for folder in FOLDERS:
            (root / folder).mkdir(parents=True, exist_ok=True)

    def run_once(self) -> Pass:
        """Claim and submit what was dropped, then file away what has ended."""
        outcome = Pass()
        for path in sorted((self.root / "jobs").iterdir()):
            if path.name.startswith(".") or not path.name.endswith(".json") or not path.is_file():
                continue
            try:
                if time.time() - path.stat().st_mtime < self.settle_seconds:
                    continue  # perhaps still being written in place
            except FileNotFoundError:
                continue  # claimed by another ingester since the listing
            claimed = self.root / "cur" / path.name
            try:
                os.rename(path, claimed)  # the claim: one ingester wins
            except FileNotFoundError:
                continue  # another took it
        for path in sorted((self.root / "cur").iterdir()):
            if path.name.endswith(".json") and not path.name.startswith("."):
                try:
                    handle = open(path, "rb")  # noqa: SIM115 - held across _settle
                except FileNotFoundError:
                    continue  # filed away by another ingester
                with handle:
                    try:  # one ingester at a time settles a file; the others pass it by
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue
                    if path.exists():  # not filed away while this one waited to open it
                        self._settle(path, outcome)
        return outcome

    def _settle(self, path: Path, outcome: Pass) -> None:
        job_id = self._job_id(path)
        if job_id is None:
            try:
                job_id = self.scheduler.submit(path.read_bytes()).job_id
            except (Refused, ValueError) as error:
                self._file(path, "failed", f"refused: {error}\n", suffix=".error.txt")
                outcome.refused.append(path.name)
                return
            (path.parent / f".{path.name}.job").write_text(job_id)  # which job this file became
            outcome.submitted.append(job_id)
        try:
            status = self.scheduler.status(job_id)["status"]
        except NotFound:
            (path.parent / f".{path.name}.job").unlink(missing_ok=True)  # submitted nowhere: again next pass
            return
        if not is_terminal(status):
            return
        result = self.scheduler.result(job_id)
        folder = "done" if status == "completed" else "failed"
        self._file(path, folder, json.dumps(result, indent=2) + "\n" if result else None, suffix=".result.json")
        (outcome.done if folder == "done" else outcome.failed).append(job_id)

    def _job_id(self, path: Path) -> str | None:
        marker = path.parent / f".{path.name}.job"
        if marker.exists():
            return marker.read_text().strip() or None
        try:
            document = json.loads(path.read_bytes())
        except ValueError:
            return None
        job_id = document.get("job_id") if isinstance(document, dict) else None
        if isinstance(job_id, str):
            try:
                self.scheduler.status(job_id)
            except NotFound:
                return None
            marker.write_text(job_id)  # submitted before a crash: the store holds it
            return job_id
        return None

    def _file(self, path: Path, folder: str, text: str | None, *, suffix: str) -> None:
        target = self.root / folder / path.name
        if text is not None:
            side = self.root / folder / (path.name.removesuffix(".json") + suffix)
            temporary = side.with_name(f".{side.name}.tmp")
            temporary.write_text(text)
            os.replace(temporary, side)
        os.replace(path, target)
        (path.parent / f".{path.name}.job").unlink(missing_ok=True)
