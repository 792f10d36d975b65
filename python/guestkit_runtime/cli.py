"""The runtime's ``guestkit-job`` commands: submit, status, cancel, events, result, worker.

They join the spec package's ``guestkit-job`` through the entry-point group
``guestkit_job_spec.commands`` (the spec package imports nothing of the runtime), so a user
has one command whose ``--help`` lists everything. Every command takes ``--store``: a file
path or ``sqlite:///PATH`` (SQLite, the default: ``jobs.sqlite3`` under the user's data
directory, or ``$GUESTKIT_STORE``) or a ``postgresql://`` URL.

``--format json``: ``status`` prints one JSON array of JobStatus objects, ``result`` and
``cancel`` one JSON object; ``submit``, ``events``, ``ingest`` and ``worker``, which report
as things happen, print JSON Lines (one object per line).

Exit status: 0 done; 1 a job refused or not found; 2 usage, or a store that cannot be used;
``result`` also 3 (no result yet) and 4 (the job ended without one).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import signal
import sys
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from guestkit_job_spec import match_worker
from guestkit_job_spec.protocol.states import is_terminal

from .clock import format_duration, micros, system_clock

Commands = argparse._SubParsersAction  # the object add_subparsers() returns

# The exit status of result when it prints none (1 and 2 as every command: no job; usage or store).
NO_RESULT_YET = 3
ENDED_WITHOUT_RESULT = 4


def default_store() -> str:
    """``$GUESTKIT_STORE``, else ``jobs.sqlite3`` in the user's data directory
    (``$XDG_DATA_HOME/guestkit``, ``~/.local/share/guestkit``; ``~/Library/Application
    Support/guestkit`` on macOS)."""
    if os.environ.get("GUESTKIT_STORE"):
        return os.environ["GUESTKIT_STORE"]
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return str(base / "guestkit" / "jobs.sqlite3")


def _command(
    commands: Commands[argparse.ArgumentParser], name: str, summary: str, description: str, examples: str, run: Any
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        help=summary,
        # The raw formatter, which keeps the examples' lines, wraps nothing.
        description=textwrap.fill(description, 90, break_on_hyphens=False),
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=_store_errors_said(name, run), parser=parser)
    parser.add_argument(
        "--store",
        default=None,
        metavar="URL",
        help="where jobs are kept: a file path or sqlite:///PATH (SQLite), or postgresql://... "
        "(default: $GUESTKIT_STORE, else jobs.sqlite3 under your data directory)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text for people (default), json for programs"
    )
    return parser


def add_parsers(commands: Commands[argparse.ArgumentParser]) -> None:
    """Add the runtime's commands to ``guestkit-job`` (the entry point the spec CLI loads)."""
    submit = _command(
        commands,
        "submit",
        "queue jobs to be run by workers",
        "Validate each job and queue it in the store. A job with an idempotency key that was "
        "submitted before is answered with the first submission's job and status, not run "
        "again; the same key with another payload is refused (a conflict). A job id can be "
        "submitted once: --new-id gives each document a fresh one. --format json: one JSON "
        "object per file and line (file, job_id, status, created, warnings; or the refusal).",
        "  guestkit-job submit examples/runtime/echo.json\n"
        "  guestkit-job submit --new-id examples/*-basic.json    documents that share one job id\n"
        "  guestkit-job submit --store postgresql://localhost/jobs jobs/*.json",
        _submit,
    )
    submit.add_argument("files", nargs="+", metavar="FILE", help="job documents (JSON); - for standard input")
    submit.add_argument(
        "--new-id",
        action="store_true",
        help="submit each document under a fresh job id (job- and a new ULID, printed) instead of its own; "
        "its idempotency key is kept, so a document whose key was submitted before is still answered "
        "with that first job",
    )

    status = _command(
        commands,
        "status",
        "the status of jobs, and why a queued job waits",
        "Show the status of the given jobs, in the order given, or of the latest 20, oldest "
        "first. For a queued job, say which registered worker could take it, or why none can "
        "(section 9's reasons: waiting_because in JSON); for a job whose worker stopped renewing "
        "its lease, when the lease expired (lease_expired). --format json: one JSON array of "
        "JobStatus objects, in the same order ([] when there is none).",
        "  guestkit-job status\n"
        "  guestkit-job status job-01JAB3Y7X5K4M8F9W2T6ABCDEF --format json\n"
        "  guestkit-job status --format json | jq -r '.[] | select(.status == \"queued\") | .job_id'",
        _status,
    )
    status.add_argument("jobs", nargs="*", metavar="JOB", help="job ids (default: the latest 20 jobs)")

    cancel = _command(
        commands,
        "cancel",
        "cancel a job",
        "Cancel a job: a queued job at once; a running one when its worker next renews its lease "
        "(refused when the job is not cancellable).",
        "  guestkit-job cancel job-01JAB3Y7X5K4M8F9W2T6ABCDEF --reason 'not needed'",
        _cancel,
    )
    cancel.add_argument("job", metavar="JOB")
    cancel.add_argument("--reason", default=None, help="why, recorded with the request")

    events = _command(
        commands,
        "events",
        "the progress events of a job",
        "Print a job's progress events, in order; --follow waits for more until the job ends, "
        "then prints the job's status (with --format json, a last line that is its JobStatus "
        "object: it has status and no sequence). While the job is queued and no live worker can "
        "run it, --follow says why, once, on standard error, and keeps waiting.",
        "  guestkit-job events job-01JAB3Y7X5K4M8F9W2T6ABCDEF --follow\n"
        "  guestkit-job events job-01JAB3Y7X5K4M8F9W2T6ABCDEF --follow --format json | tail -n 1",
        _events,
    )
    events.add_argument("job", metavar="JOB")
    events.add_argument("--follow", "-f", action="store_true", help="wait for new events until the job ends")

    result = _command(
        commands,
        "result",
        "the result of a job",
        "Print the job's result (its last attempt's). Exit status: 0 printed; 1 no job has "
        f"this id; 2 usage, or a store that cannot be used; {NO_RESULT_YET} no result yet (the "
        f"job is queued or running: ask again later); {ENDED_WITHOUT_RESULT} the job ended "
        "without a result (cancelled or released before any attempt reported, or past its "
        "deadline).",
        "  guestkit-job result job-01JAB3Y7X5K4M8F9W2T6ABCDEF\n"
        "  guestkit-job result job-01JAB3Y7X5K4M8F9W2T6ABCDEF --format json | jq .data\n"
        f"  while guestkit-job result JOB; [ $? = {NO_RESULT_YET} ]; do sleep 5; done   "
        "wait for it (or: events JOB --follow)",
        _result,
    )
    result.add_argument("job", metavar="JOB")

    ingest = _command(
        commands,
        "ingest",
        "submit the job files dropped into a folder (upstream's jobs/, done/, failed/)",
        "Claim each *.json file in DIR/jobs/ (renamed into DIR/cur/: of two ingesters one wins), "
        "submit it, and when its job ends move it to DIR/done/ or DIR/failed/ with "
        "<name>.result.json (or <name>.error.txt when refused) beside it. Write files elsewhere "
        "and rename them into jobs/; a file changed in the last second is left for the next pass.",
        "  guestkit-job ingest /var/lib/guestkit            one pass\n"
        "  guestkit-job ingest /var/lib/guestkit --follow   a pass every second until stopped",
        _ingest,
    )
    ingest.add_argument("folder", metavar="DIR", help="the folder holding jobs/ (the others are made)")
    ingest.add_argument("--follow", "-f", action="store_true", help="pass again every --interval seconds")
    ingest.add_argument("--interval", type=float, default=1.0, help="seconds between passes (1)")
    ingest.add_argument("--settle-seconds", type=float, default=1.0, help=argparse.SUPPRESS)

    worker = _command(
        commands,
        "worker",
        "run a worker: claim jobs and run them",
        "Register a worker that runs the operations its handlers can run here (system.echo; "
        "guestkit.convert when qemu-img is installed; each --command), claim jobs up to "
        "--concurrency, renew their leases, and report progress and results. SIGTERM or Ctrl-C "
        "drains it: it claims nothing more, finishes its jobs (releasing those still running "
        "after --drain-seconds) and goes offline. It takes no job whose disks may be larger "
        "than --max-disk-size-gb (by default the free space, in GB, where it runs); such a job "
        "stays queued, and status says why.",
        "  guestkit-job worker\n"
        "  guestkit-job worker --concurrency 8 --store postgresql://db.example/jobs\n"
        "  guestkit-job worker --max-disk-size-gb 500   take jobs on disks up to 500 GB\n"
        "  guestkit-job worker --command guestkit.inspect='/usr/local/bin/guestkit-wrapper inspect'\n"
        "  guestkit-job worker --command guestkit.fix=guestkit-fix --feature lvm --feature selinux --privileged\n"
        "  guestkit-job worker --exit-when-idle    run what is queued, then stop",
        _worker,
    )
    worker.add_argument("--id", default=None, help="worker id (default: HOST-PID)")
    worker.add_argument("--concurrency", type=int, default=4, help="jobs run at once (default 4)")
    worker.add_argument("--lease-seconds", type=float, default=30.0, help="lease length, renewed every third (30)")
    worker.add_argument("--drain-seconds", type=float, default=30.0, help="time given to running jobs at shutdown (30)")
    worker.add_argument(
        "--command",
        action="append",
        default=[],
        metavar="OPERATION=PROGRAM",
        help="run OPERATION with PROGRAM (the job on its standard input; see guestkit_runtime.handlers.command)",
    )
    worker.add_argument("--only", action="append", default=[], metavar="OPERATION", help="advertise only these")
    worker.add_argument(
        "--retry-backoff", type=float, default=30.0, help="seconds before a retry after attempt 1, doubling after (30)"
    )
    worker.add_argument(
        "--exit-when-idle",
        action="store_true",
        help="stop once this worker finds nothing it can run and runs nothing (jobs no handler takes stay queued)",
    )
    worker.add_argument("--max-jobs", type=int, default=None, help="stop after this many attempts")
    worker.add_argument("--pool", default=None, help="the worker pool this worker belongs to")
    worker.add_argument(
        "--feature",
        action="append",
        default=[],
        metavar="NAME",
        help="advertise a feature of this machine that a --command's program has (a job's required_features "
        "or required_capabilities, e.g. lvm, selinux, fs.fsck): you vouch for it, the worker cannot check it",
    )
    worker.add_argument(
        "--privileged",
        action="store_true",
        help="advertise this worker as privileged: it runs jobs whose constraints require_privileged",
    )
    worker.add_argument(
        "--max-disk-size-gb",
        type=int,
        default=None,
        metavar="GB",
        help="the largest disk (GB of 10^9 bytes) of a job this worker takes "
        "(default: the free space where it runs, measured again every 10 s)",
    )
    worker.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")


# --- the commands ----------------------------------------------------------------------------


def _store_errors_said(name: str, run: Any) -> Any:
    """``run``, saying in one line (exit 2) that the store cannot be opened or used (PostgreSQL
    down, a database or role missing, no rights, an SQLite file that cannot be created) instead
    of a traceback."""

    def guarded(args: argparse.Namespace) -> int:
        try:
            status: int = run(args)
        except Exception as error:
            if not _is_store_error(error):
                raise
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            store = args.store or default_store()
            print(f"guestkit-job {name}: error: the store {store}: {reason}", file=sys.stderr)
            return 2
        return status

    return guarded


def _is_store_error(error: BaseException) -> bool:
    import sqlite3

    return isinstance(error, sqlite3.Error) or type(error).__module__.split(".")[0] == "psycopg"


def _scheduler(args: argparse.Namespace, *, create: bool = False, **options: Any) -> Any:
    """The scheduler over the store; ``create``: make an SQLite store that is not there yet (the
    commands that add jobs or run them do; reading one that is not there is a mistake to say)."""
    from .scheduler import Scheduler
    from .store import open_store

    try:
        store = open_store(args.store or default_store(), create=create)
    except (OSError, ValueError) as error:  # no file, a folder that cannot be made, an unknown scheme
        import sqlite3

        said = f"{error.strerror}: {error.filename}" if isinstance(error, OSError) else str(error)
        raise sqlite3.OperationalError(said) from error
    return Scheduler(store, **options)


def _submit(args: argparse.Namespace) -> int:
    from .errors import Refused

    scheduler = _scheduler(args, create=True)
    failures = 0
    for name in args.files:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text()
            answer = scheduler.submit(_with_new_id(text) if args.new_id else text)
        except (OSError, ValueError) as error:
            failures += 1
            _say(args, {"file": name, "error": str(error)}, f"{name}: cannot read: {error}", error=True)
            continue
        except Refused as refused:
            failures += 1
            _say(
                args,
                {"file": name, "refused": refused.rule, "http_status": refused.http_status, "message": refused.message},
                f"{name}: refused [{refused.rule}]: {refused.message}",
                error=True,
            )
            continue
        how = "queued" if answer.created else f"already submitted (idempotency key): {answer.status}"
        _say(
            args,
            {
                "file": name,
                "job_id": answer.job_id,
                "status": answer.status,
                "created": answer.created,
                "warnings": answer.warnings,
            },
            f"{answer.job_id}: {how}" + (f" ({name})" if args.new_id else ""),
        )
    return 1 if failures else 0


def _with_new_id(text: str) -> Any:
    """The job document with a fresh job id, decoded strictly as the scheduler decodes text; the
    text unchanged when it is no JSON object, for the scheduler to refuse with its reasons."""
    from guestkit_job_spec import generate_job_id
    from guestkit_job_spec.validation.reference.decoding import decode

    decoded = decode(text)
    if not decoded.ok or not isinstance(decoded.value, dict):
        return text
    return {**decoded.value, "job_id": generate_job_id()}


def _status(args: argparse.Namespace) -> int:
    from .errors import NotFound

    scheduler = _scheduler(args)
    try:
        # Oldest first, as they were submitted (jobs() answers newest first).
        rows = [scheduler.status(job_id) for job_id in args.jobs] if args.jobs else scheduler.jobs(limit=20)[::-1]
    except NotFound as missing:
        _no_job(args, "status", str(missing))
        return 1
    workers = scheduler.workers()
    for row in rows:
        if row["status"] == "queued":
            job = scheduler.job(row["job_id"])
            deadline = (job.get("execution") or {}).get("deadline")
            if isinstance(deadline, str) and micros(deadline) <= system_clock():
                row["waiting_because"] = (
                    f"its deadline, {deadline}, has passed: the next sweep of a running worker times it out"
                )
            else:
                row["waiting_because"] = why_waiting(job, workers, row).reason
        elif expired := lease_expired(row, workers):
            row["lease_expired"] = expired
        elif row["status"] in ENDED_BADLY:
            row["ended_because"] = ended_because(scheduler.trace(row["job_id"])["steps"], row)
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print(f"no jobs in {args.store or default_store()}")
    elif not args.jobs and (total := sum(scheduler.counts().values())) > len(rows):
        print(f"the latest {len(rows)} of {total} jobs (status JOB_ID... shows others)")
    for row in rows:
        attempt = f" attempt {row['attempt']}/{row['max_attempts']}" if row.get("attempt") else ""
        line = f"{row['job_id']}  {row['status']:<9} {row['operation']}{attempt}"
        if row.get("lease"):
            line += f"  on {row['lease']['worker_id']}"
        print(line)
        if row.get("waiting_because"):
            print(f"    waiting: {row['waiting_because']}")
        if row.get("lease_expired"):
            print(f"    {row['lease_expired']}")
        if row.get("ended_because"):
            print(f"    {row['ended_because']}")
    return 0


# What a worker's user can do about a reason of match_worker's (section 9).
HINTS = {
    "scheduling.disk-size.too-large": " (guestkit-job worker --max-disk-size-gb sets the limit)",
    "scheduling.operation.unsupported": " (guestkit-job worker --command OPERATION=PROGRAM runs one)",
}


class Waiting(NamedTuple):
    """Why a queued job is not running; ``stuck`` when no live worker can run it (it waits for
    one that can to register)."""

    reason: str
    stuck: bool


def _state(worker: Mapping[str, Any]) -> str:
    return str((worker.get("status") or {}).get("state") or "unknown")


def why_waiting(job: Mapping[str, Any], workers: list[Mapping[str, Any]], row: Mapping[str, Any]) -> Waiting:
    """Why a queued job is not running: its backoff, if it has one; and no worker that is up
    (ready, busy or draining) can run it, with each such worker's first reason from match_worker
    (section 9), the workers that are offline counted rather than listed (every worker that ever
    ran registered one, and a user's status line listed ten); else the worker that will claim it."""
    held = micros(row["not_before"]) - system_clock() if row.get("not_before") else 0
    backoff = (
        f"held back until {row['not_before']} (in {format_duration(held / 1_000_000)}: backoff before the next attempt)"
        if held > 0
        else ""
    )
    live: list[str] = []
    able: list[str] = []
    unable: list[tuple[str, str]] = []
    for worker in workers:
        state = _state(worker)
        as_ready = {**worker, "status": {**(worker.get("status") or {}), "state": "ready"}}
        issues = [issue for issue in match_worker(dict(job), as_ready) if issue.rule != "scheduling.worker.at-capacity"]
        reason = f"{issues[0].message} [{issues[0].rule}]{HINTS.get(issues[0].rule, '')}" if issues else ""
        if state == "offline":
            if issues:
                unable.append((worker["worker_id"], reason))
            else:
                able.append(worker["worker_id"])
        elif issues:
            live.append(f"{worker['worker_id']} ({state}): {reason}")
        else:
            return Waiting(backoff or f"worker {worker['worker_id']} can run it (it will claim it)", False)
    if able:
        live.append(f"{_offline(able)} could run it")
    if unable:
        live.append(
            f"{_offline([name for name, _ in unable])} {'cannot either' if live else 'cannot'}: {unable[-1][1]}"
        )
    said = "no matching worker: " + ("; ".join(live) or "no worker has registered with this store")
    return Waiting(f"{backoff}; then {said}" if backoff else said, True)


def _offline(names: list[str]) -> str:
    """
    >>> _offline(["w1"]), _offline(["w1", "w2", "w3", "w4"])
    ('offline worker w1', '4 offline workers (w1, w2, w3, ...)')
    """
    if len(names) == 1:
        return f"offline worker {names[0]}"
    return f"{len(names)} offline workers ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})"


def lease_expired(row: Mapping[str, Any], workers: list[Mapping[str, Any]]) -> str | None:
    """For a job whose lease has expired (its worker died or hangs) but which no sweep has taken
    back yet, which the status alone shows as assigned or running: since when, and what comes next."""
    lease = row.get("lease")
    if not lease:
        return None
    ago = (system_clock() - micros(lease["expires_at"])) / 1_000_000
    if ago < 0:
        return None
    others = [worker for worker in workers if worker["worker_id"] != lease["worker_id"]]
    sweeper = (
        "the next sweep of a running worker"
        if any(_state(worker) != "offline" for worker in others)
        else "no other worker is running to sweep it; the first to start"
    )
    return (
        f"lease expired {format_duration(ago)} ago ({lease['worker_id']} stopped renewing it): {sweeper} ends the "
        f"attempt and returns the job to the queue if attempts remain ({row['attempt']} of {row['max_attempts']} used)"
    )


ENDED_BADLY = ("failed", "timeout", "cancelled")


def ended_because(steps: list[Mapping[str, Any]], row: Mapping[str, Any]) -> str:
    """What ended a job that is failed, timed out or cancelled, read from its trace: the step
    that moved it there (later steps are refusals or repeats).

    >>> ended_because([{"at": "2026-11-30T10:00:00Z", "message": "deadline", "status": "timeout"}],
    ...               {"status": "timeout", "attempt": 1, "max_attempts": 3})
    'its deadline passed (timed out at 2026-11-30T10:00:00Z)'
    """
    step = next(step for step in steps if step["status"] == row["status"] and not step.get("refused"))
    attempt = f"attempt {row['attempt']} of {row['max_attempts']}"
    if row["attempt"] == row["max_attempts"]:
        last = " (no attempt left)"
    else:  # a retryable end is retried unless the deadline has passed
        last = " (its deadline had passed)" if row["status"] == "timeout" else " (not retried)"
    document = step.get("document") or {}
    cancelled = " after its cancellation was requested" if row["status"] == "cancelled" else ""
    if step["message"] == "deadline":
        return f"its deadline passed (timed out at {step['at']})"
    if step["message"] == "cancel":
        reason = f": {document['reason']}" if document.get("reason") else ""
        return f"cancelled while queued, at {step['at']}{reason}"
    if step["message"] == "expire":
        return f"the lease of {attempt} expired (its worker stopped renewing it){cancelled or last}"
    if step["message"] == "timeout":
        return f"{attempt} ran past its timeout and its worker did not report; the sweep timed it out{last}"
    if step["message"] == "release":
        return f"its worker gave {attempt} up (shutting down){cancelled or last}"
    error = document.get("error") or {}
    said = f": {error.get('message')} [{error.get('code')}]" if error else ""
    return f"{attempt} ended {document.get('status')} on {document.get('worker_id')}{said}{cancelled or last}"


def _cancel(args: argparse.Namespace) -> int:
    from .errors import NotFound, Refused

    scheduler = _scheduler(args)
    request: dict[str, Any] = {"job_id": args.job}
    if args.reason:
        request["reason"] = args.reason
    try:
        status = scheduler.cancel(args.job, request)
    except NotFound:
        _no_job(args, "cancel", str(args.job))
        return 1
    except Refused as refused:
        _say(
            args,
            {"job_id": args.job, "refused": refused.rule, "message": refused.message},
            f"{args.job}: not cancelled [{refused.rule}]: {refused.message}",
            error=True,
        )
        return 1
    text = (
        "cancelled" if status == "cancelled" else f"cancellation requested; the job is {status} until its worker stops"
    )
    # The job's status as the service reports it: cancel_requested_at says the request is recorded.
    _say(args, scheduler.status(args.job), f"{args.job}: {text}")
    return 0


def _events(args: argparse.Namespace) -> int:
    from .errors import NotFound

    scheduler = _scheduler(args)
    after = 0
    noted = False
    try:
        while True:
            for number, event in scheduler.events(args.job, after=after):
                after = number
                _say(args, event, format_event(event))
            row = scheduler.status(args.job)
            if not args.follow or is_terminal(row["status"]):
                break
            if row["status"] == "queued" and not noted:
                waiting = why_waiting(scheduler.job(args.job), scheduler.workers(), row)
                if waiting.stuck:  # said once: it may wait for hours, until a worker that can run it starts
                    print(f"{args.job}: queued; {waiting.reason}; waiting for a worker that can", file=sys.stderr)
                    noted = True
            scheduler.store.wait(1.0)
        for _, event in scheduler.events(args.job, after=after):
            _say(args, event, format_event(event))
    except NotFound:
        _no_job(args, "events", str(args.job))
        return 1
    if args.follow:
        _say(args, row, f"{args.job}: {row['status']}")
    elif after == 0 and args.format == "text":  # nothing printed: say so, rather than leave a blank
        still = "" if is_terminal(row["status"]) else " yet"
        print(f"{args.job}: no progress events{still} (the job is {row['status']})", file=sys.stderr)
    return 0


def _result(args: argparse.Namespace) -> int:
    from .errors import NotFound

    scheduler = _scheduler(args)
    try:
        result = scheduler.result(args.job)
        row = scheduler.status(args.job)
        status = row["status"]
    except NotFound:
        _no_job(args, "result", str(args.job))
        return 1
    if result is None and is_terminal(status):
        why = f": {ended_because(scheduler.trace(args.job)['steps'], row)}" if status in ENDED_BADLY else ""
        print(f"guestkit-job result: job {args.job} ended {status} without a result{why}", file=sys.stderr)
        return ENDED_WITHOUT_RESULT
    if result is None:
        print(f"guestkit-job result: job {args.job} is {status} and has no result yet", file=sys.stderr)
        return NO_RESULT_YET
    if args.format == "json":
        print(json.dumps(result, indent=2))
    else:
        print(format_result(result, status))
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from .filedrop import FileDrop

    drop = FileDrop(Path(args.folder), _scheduler(args, create=True), settle_seconds=args.settle_seconds)
    try:
        while True:
            outcome = drop.run_once()
            for name, items in (
                ("submitted", outcome.submitted),
                ("refused", outcome.refused),
                ("done", outcome.done),
                ("failed", outcome.failed),
            ):
                for item in items:
                    _say(args, {"event": name, "job": item}, f"{item}: {name}")
            if not args.follow:
                return 1 if outcome.refused else 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0


def _worker(args: argparse.Namespace) -> int:
    from .handlers import CommandHandler, registered
    from .scheduler import Backoff
    from .worker import Worker, WorkerConfig

    logging.basicConfig(level=logging.ERROR if args.quiet else logging.WARNING, format="%(name)s: %(message)s")
    handlers: dict[str, Any] = registered()
    for spec in args.command:
        operation, sep, program = spec.partition("=")
        if not sep or not operation or not program.strip():
            args.parser.error(f"--command takes OPERATION=PROGRAM, not {spec!r}")
        handlers[operation] = CommandHandler(operation, shlex.split(program))
    if args.only:
        handlers = {operation: handler for operation, handler in handlers.items() if operation in args.only}
    if args.concurrency < 1:
        args.parser.error("--concurrency must be at least 1")
    if args.max_disk_size_gb is not None and args.max_disk_size_gb < 1:
        args.parser.error("--max-disk-size-gb must be at least 1")
    config = WorkerConfig(
        concurrency=args.concurrency,
        lease_seconds=args.lease_seconds,
        drain_seconds=args.drain_seconds,
        exit_when_idle=args.exit_when_idle,
        max_jobs=args.max_jobs,
        worker_pool=args.pool,
        max_disk_size_gb=args.max_disk_size_gb,
        features=tuple(args.feature),
        privileged=args.privileged,
    )
    if args.id:
        config.worker_id = args.id

    def on_event(kind: str, detail: Mapping[str, Any]) -> None:
        if args.quiet:
            return
        if args.format == "json":
            print(json.dumps({"event": kind, **detail}), flush=True)
        elif kind == "registered":
            capabilities = detail["capabilities"]
            formats = ", ".join(capabilities["disk_formats"]) or "none"
            features = f", features: {', '.join(capabilities['features'])}" if capabilities["features"] else ""
            privileged = ", privileged" if config.privileged else ""
            print(
                f"worker {detail['worker_id']}: runs {', '.join(capabilities['operations'])} "
                f"(disk formats: {formats}{features}{privileged}), up to {config.concurrency} at once, "
                f"disks up to {detail['resources']['max_disk_size_gb']} GB",
                flush=True,
            )
        elif kind == "claimed":
            print(f"{detail['job_id']}: claimed, attempt {detail['attempt']} (lease {detail['lease_id']})", flush=True)
        elif kind == "progress":
            print(format_event(detail), flush=True)
        elif kind == "result":
            result = detail["result"]
            print(f"{result['job_id']}: {result['status']} -> job {detail['job_status']}", flush=True)
        elif kind in ("fenced", "released"):
            print(
                f"{detail.get('job_id', detail['lease_id'])}: {kind} ({detail.get('message') or detail.get('status')})",
                flush=True,
            )

    # The runtime's own notes (a drain beginning and ending) too, unless --quiet; others' warnings only.
    runtime_log = logging.getLogger("guestkit_runtime")
    level = runtime_log.level
    runtime_log.setLevel(logging.ERROR if args.quiet else logging.INFO)
    # psycopg's own "error ignored terminating Pipeline" warnings, a line each time a connection
    # is found lost, repeat what the worker's outage lines say once.
    driver_log = logging.getLogger("psycopg")
    driver_level = driver_log.level
    driver_log.setLevel(logging.ERROR)
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker = Worker(_open_for_worker(args, Backoff(base=args.retry_backoff)), handlers, config, on_event=on_event)
        worker.install_signal_handlers()
        return worker.run()
    finally:
        # Put the process's own handlers and log level back: main() may run inside a longer-lived
        # process (the tests), whose forked children would otherwise inherit a handler that does not
        # exit, and whose later workers would log as this one's options said.
        runtime_log.setLevel(level)
        driver_log.setLevel(driver_level)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _open_for_worker(args: argparse.Namespace, backoff: Any) -> Any:
    """The scheduler over the store, waiting up to a minute for a store that is away (a worker
    started while PostgreSQL is down or starting waits for it rather than exit). A server that
    answers with a refusal (no such database, no such role, a wrong password) is not waited for."""
    from .worker import StoreOutage, _transient

    outage = StoreOutage(logging.getLogger("guestkit_runtime.worker"), repeat=10.0)
    end = time.monotonic() + 60
    while True:
        try:
            scheduler = _scheduler(args, create=True, backoff=backoff)
        except Exception as error:
            if not (_transient(error) and _server_away(error)) or time.monotonic() > end:
                raise
            outage.failed(error)
            time.sleep(0.5)
        else:
            outage.answered()
            return scheduler


def _server_away(error: Exception) -> bool:
    """Whether no server answered, or one answered that it is starting or stopping. libpq gives
    a failed connection no SQLSTATE: a server's own refusal is the part of its message after
    "FATAL:" (no such database, no such role, a wrong password: no use waiting).

    >>> _server_away(OSError('connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory'))
    True
    >>> _server_away(OSError('connection failed: ... failed: FATAL:  database "jobs" does not exist'))
    False
    >>> _server_away(OSError("connection failed: ... failed: FATAL:  the database system is starting up"))
    True
    """
    message = str(error)
    return "FATAL:" not in message or any(
        state in message for state in ("starting up", "shutting down", "not yet accepting connections", "recovery mode")
    )


# --- output ----------------------------------------------------------------------------------


def format_event(event: Mapping[str, Any]) -> str:
    """A progress event on one line.

    >>> format_event({"job_id": "job-1", "sequence": 2, "phase": "disk_attach", "message": "converting",
    ...               "progress_percent": 40, "attempt": 1})
    'job-1: [ 40%] disk_attach: converting (attempt 1, #2)'
    """
    percent = event.get("progress_percent")
    bar = f"[{percent:3.0f}%] " if isinstance(percent, (int, float)) else ""
    attempt = event.get("attempt")
    where = f"attempt {attempt}, #{event['sequence']}" if attempt else f"#{event['sequence']}"
    return f"{event['job_id']}: {bar}{event['phase']}: {event['message']} ({where})"


def format_result(result: Mapping[str, Any], status: str) -> str:
    """A result for people; an error's details each on its line, a text of several lines (a
    program's standard error) indented below its name.

    >>> print(format_result({"job_id": "job-1", "worker_id": "w", "execution_summary": {"attempt": 1,
    ...     "duration_seconds": 0.000012}, "error": {"code": "command.exit-status", "message": "exited with 3",
    ...     "details": {"stderr": "reading\\nno disk"}}}, "failed"))
    job job-1: failed (attempt 1 on w, 12 µs)
    error command.exit-status: exited with 3
      stderr:
        reading
        no disk
    """
    summary = result.get("execution_summary") or {}
    took = summary.get("duration_seconds")
    lines = [
        f"job {result['job_id']}: {status} (attempt {summary.get('attempt')} on {result.get('worker_id')}"
        + (f", {format_duration(took)})" if isinstance(took, (int, float)) else ")")
    ]
    if result.get("error"):
        error = result["error"]
        lines.append(f"error {error['code']}: {error['message']}")
        for name, value in (error.get("details") or {}).items():
            if isinstance(value, str) and "\n" in value:
                lines += [f"  {name}:", *(f"    {line}" for line in value.splitlines())]
            else:
                lines.append(f"  {name}: {json.dumps(value)}")
    if result.get("outputs"):
        lines.append("outputs: " + json.dumps(result["outputs"]))
    if "data" in result:
        lines.append("data: " + json.dumps(result["data"], indent=2))
    return "\n".join(lines)


def _no_job(args: argparse.Namespace, command: str, job_id: str) -> None:
    """No job has the id: said on standard error, and with --format json as a JSON line on standard
    output too (a program reading it gets an answer, not nothing)."""
    print(f"guestkit-job {command}: no job {job_id}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps({"job_id": job_id, "error": "no job has this id"}), flush=True)


def _say(args: argparse.Namespace, document: Mapping[str, Any], text: str, *, error: bool = False) -> None:
    if args.format == "json":
        print(json.dumps(document), flush=True)
    else:
        print(text, file=sys.stderr if error else sys.stdout, flush=True)
