"""The runtime's guestkit-job commands, as a user runs them (the spec CLI's main, the runtime's
commands joined by entry point), on each store."""

from __future__ import annotations

import json
import logging
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from guestkit_job_spec.cli.main import main
from guestkit_runtime import Scheduler, open_store
from guestkit_runtime.cli import why_waiting

from .conftest import FakeClock, PostgresServer, assert_traces_valid, failure, job, result, worker

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from guestkit_job_spec.cli.main import main; sys.exit(main())"]


def write(tmp_path: Path, document: dict) -> str:
    path = tmp_path / f"{document['job_id']}.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_submit_worker_result_events_status(store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    echo = write(tmp_path, job("job-cli-echo-1", data={"message": "hi"}, idempotency_key="cli-1"))
    waiting = write(
        tmp_path,
        job("job-cli-inspect", operation="guestkit.inspect", data={"image": {"path": "/x.raw", "format": "raw"}}),
    )
    assert main(["submit", "--store", store_url, echo, waiting]) == 0
    assert "job-cli-echo-1: queued" in capsys.readouterr().out
    assert main(["status", "--store", store_url, "job-cli-inspect"]) == 0
    assert "no matching worker: no worker has registered" in capsys.readouterr().out
    assert main(["result", "--store", store_url, "job-cli-echo-1"]) == 3  # no result yet
    assert "job job-cli-echo-1 is queued and has no result yet" in capsys.readouterr().err
    handler = signal.getsignal(signal.SIGTERM)
    level = logging.getLogger("guestkit_runtime").level
    assert main(["worker", "--store", store_url, "--exit-when-idle", "--only", "system.echo", "--id", "cli-w"]) == 0
    # The worker's SIGTERM handler is gone with it: a later fork of this process (validate -j 2 in
    # tests/test_cli_scale.py) inherited it, ignored the pool's SIGTERM, and hung CI. Its log level
    # too: a later test's warnings went unlogged.
    assert signal.getsignal(signal.SIGTERM) is handler and logging.getLogger("guestkit_runtime").level == level
    out = capsys.readouterr().out
    assert "job-cli-echo-1: completed -> job completed" in out and "runs system.echo" in out
    assert re.search(r"up to 4 at once, disks up to \d+ GB", out)  # the limit that keeps big jobs queued
    assert main(["result", "--store", store_url, "job-cli-echo-1"]) == 0
    # a duration people read, never 1.2e-05 s
    assert re.match(
        r"job job-cli-echo-1: completed \(attempt 1 on cli-w, \d+(\.\d)? (µs|ms|s)\)\n", capsys.readouterr().out
    )
    assert main(["result", "--store", store_url, "job-cli-echo-1", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["status"], result["data"], result["worker_id"]) == (
        "completed",
        {"echo": {"message": "hi"}, "message": "Echo handler executed successfully"},
        "cli-w",
    )
    assert main(["events", "--store", store_url, "job-cli-echo-1", "--follow"]) == 0
    out = capsys.readouterr().out
    assert "job-cli-echo-1: validation: started (attempt 1, #0)" in out and out.endswith("job-cli-echo-1: completed\n")
    assert main(["events", "--store", store_url, "job-cli-echo-1", "--follow", "--format", "json"]) == 0
    *events, end = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [event["sequence"] for event in events] == [0]
    assert (end["job_id"], end["status"], "sequence" in end) == ("job-cli-echo-1", "completed", False)
    assert main(["status", "--store", store_url, "--format", "json"]) == 0
    rows = {row["job_id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["job-cli-echo-1"]["status"] == "completed"
    assert "scheduling.operation.unsupported" in rows["job-cli-inspect"]["waiting_because"]
    # the same key and work again: answered from the record; other work under the key: refused
    again = write(tmp_path, job("job-cli-echo-2", data={"message": "hi"}, idempotency_key="cli-1"))
    assert main(["submit", "--store", store_url, again]) == 0
    assert "job-cli-echo-1: already submitted (idempotency key): completed" in capsys.readouterr().out
    other = write(tmp_path, job("job-cli-echo-3", data={"message": "other"}, idempotency_key="cli-1"))
    assert main(["submit", "--store", store_url, other]) == 1
    assert "refused [lifecycle.submission.conflict]" in capsys.readouterr().err
    assert main(["cancel", "--store", store_url, "job-cli-inspect"]) == 0
    assert "job-cli-inspect: cancelled" in capsys.readouterr().out
    assert main(["cancel", "--store", store_url, "job-cli-echo-1"]) == 1


def test_result_exit_status_tells_no_job_from_no_result_yet(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both were exit status 1: a script could not tell a typo from a job still running."""
    assert main(["submit", "--store", store_url, write(tmp_path, job("job-cli-res-1"))]) == 0
    assert main(["result", "--store", store_url, "job-cli-res-2"]) == 1
    assert capsys.readouterr().err == "guestkit-job result: no job job-cli-res-2\n"
    assert main(["result", "--store", store_url, "job-cli-res-1"]) == 3
    assert "is queued and has no result yet" in capsys.readouterr().err
    assert main(["cancel", "--store", store_url, "job-cli-res-1"]) == 0
    capsys.readouterr()
    assert main(["result", "--store", store_url, "job-cli-res-1"]) == 4
    assert "job job-cli-res-1 ended cancelled without a result" in capsys.readouterr().err


def test_status_is_one_list_in_submission_order_in_both_formats(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """status printed {"jobs": [...]} newest first without ids, a bare list with them, and text in
    yet another order; and nothing at all for an empty store."""
    open_store(store_url).close()  # an empty store (status makes none)
    assert main(["status", "--store", store_url]) == 0
    assert capsys.readouterr().out == f"no jobs in {store_url}\n"
    assert main(["status", "--store", store_url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    ids = ["job-cli-order-b", "job-cli-order-a", "job-cli-order-c"]
    assert main(["submit", "--store", store_url, *(write(tmp_path, job(job_id)) for job_id in ids)]) == 0
    capsys.readouterr()
    for asked, expected in (
        ([], ids),
        (["job-cli-order-c", "job-cli-order-b"], ["job-cli-order-c", "job-cli-order-b"]),
    ):
        assert main(["status", "--store", store_url, "--format", "json", *asked]) == 0
        assert [row["job_id"] for row in json.loads(capsys.readouterr().out)] == expected
        assert main(["status", "--store", store_url, *asked]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert [line.split()[0] for line in lines if not line.startswith(" ")] == expected


def test_submit_new_id_submits_documents_that_share_a_job_id(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bundled examples share one job id: without --new-id only the first is accepted."""
    examples = [str(ROOT / "examples" / name) for name in ("echo-basic.json", "inspect-minimal.json")]
    assert main(["submit", "--store", store_url, *examples]) == 1
    assert "lifecycle.submission.job-id-taken" in capsys.readouterr().err
    assert main(["submit", "--store", store_url, "--new-id", "--format", "json", *examples]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(a["file"], a["created"]) for a in answers] == [(examples[0], True), (examples[1], True)]
    fresh = [a["job_id"] for a in answers]
    assert len(set(fresh)) == 2 and all(re.fullmatch(r"job-[0-9A-HJKMNP-TV-Z]{26}", job_id) for job_id in fresh)
    assert main(["status", "--store", store_url, "--format", "json", *fresh]) == 0
    assert [row["operation"] for row in json.loads(capsys.readouterr().out)] == ["system.echo", "guestkit.inspect"]
    # The idempotency key stays: the same work under it is still answered with its first job.
    keyed = write(tmp_path, job("job-cli-keyed-1", idempotency_key="cli-new-id"))
    assert main(["submit", "--store", store_url, "--new-id", keyed]) == 0
    first = capsys.readouterr().out.split(":")[0]
    assert main(["submit", "--store", store_url, "--new-id", keyed]) == 0
    assert capsys.readouterr().out == f"{first}: already submitted (idempotency key): queued ({keyed})\n"
    # A text the scheduler refuses is refused as it is, not after a lenient decoding dropped the fault.
    duplicate = tmp_path / "duplicate.json"
    duplicate.write_text(json.dumps(job("job-cli-dup-1"))[:-1] + ', "kind": "VMOperation"}')
    assert main(["submit", "--store", store_url, "--new-id", str(duplicate)]) == 1
    assert "refused [json.duplicate-key]" in capsys.readouterr().err


def test_status_says_when_the_lease_of_a_running_job_expired(
    store_url: str, live: Scheduler, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dead worker's job showed running, nothing more, until another worker swept it."""
    # The attempt of a worker that died: its lease runs out and no sweep has taken the job back.
    live.register(worker("gone"))
    live.submit(job("job-cli-lost-2"))
    claims = live.claim(worker("gone"), limit=3, lease_seconds=0.05, start="started")
    assert {claim.job["job_id"] for claim in claims} == {"job-cli-lost-2"}
    time.sleep(0.1)
    assert main(["status", "--store", store_url, "--format", "json", "job-cli-lost-2"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["status"] == "running"
    assert re.match(
        r"lease expired \d+(\.\d)? m?s ago \(gone stopped renewing it\): no other worker is running",
        row["lease_expired"],
    )
    assert "returns the job to the queue if attempts remain (1 of 1 used)" in row["lease_expired"]
    assert main(["status", "--store", store_url, "job-cli-lost-2"]) == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert line.startswith("    lease expired ") and line.endswith(row["lease_expired"].split(" ago ")[1])
    assert_traces_valid(live)


def test_events_follow_says_once_that_no_worker_can_run_the_job(store_url: str, live: Scheduler) -> None:
    """It waited silently forever; in JSON it printed no last line when the job ended."""
    live.submit(job("job-cli-stuck-1", operation="guestkit.inspect", data={"image": {"path": "/x", "format": "raw"}}))
    command = [*CLI, "events", "--store", store_url, "job-cli-stuck-1", "--follow", "--format", "json"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as follower:
        assert follower.stderr is not None and follower.stdout is not None
        threading.Timer(60, follower.kill).start()  # a silent follower fails the test rather than hang it
        note = follower.stderr.readline()
        assert note == (
            "job-cli-stuck-1: queued; no matching worker: no worker has registered with this store; "
            "waiting for a worker that can\n"
        )
        time.sleep(1.5)  # a second look at the job: still waiting, and not said again
        live.cancel("job-cli-stuck-1")
        assert follower.wait(60) == 0
        assert json.loads(follower.stdout.read())["status"] == "cancelled"
        assert follower.stderr.read() == ""


def test_status_says_a_job_waits_for_a_worker_that_takes_bigger_disks(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A job asking for a bigger disk than the worker allows stayed queued without a word."""
    big = job("job-cli-big-1")
    big["constraints"] = {"maximum_disk_size_gb": 5}
    assert main(["submit", "--store", store_url, write(tmp_path, big), write(tmp_path, job("job-cli-small-1"))]) == 0
    arguments = ["--store", store_url, "--only", "system.echo", "--id", "small", "--max-disk-size-gb", "1"]
    assert main(["worker", *arguments, "--exit-when-idle", "-q"]) == 0
    capsys.readouterr()
    assert main(["status", "--store", store_url, "--format", "json"]) == 0
    assert [row["status"] for row in json.loads(capsys.readouterr().out)] == ["queued", "completed"]
    assert main(["status", "--store", store_url, "job-cli-big-1"]) == 0
    out = capsys.readouterr().out
    assert (
        "waiting: no matching worker: offline worker small cannot: the job may touch disks of 5 GB; "
        "the worker accepts at most 1 GB" in out
    )
    assert "[scheduling.disk-size.too-large] (guestkit-job worker --max-disk-size-gb sets the limit)" in out


def test_every_runtime_command_has_examples_in_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("submit", "status", "cancel", "events", "result", "ingest", "worker"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert f"examples:\n  guestkit-job {command}" in capsys.readouterr().out


def test_default_store_is_under_the_users_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from guestkit_runtime.cli import default_store

    monkeypatch.delenv("GUESTKIT_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_store() == str(tmp_path / "guestkit" / "jobs.sqlite3")
    monkeypatch.setenv("GUESTKIT_STORE", "postgresql://db/jobs")
    assert default_store() == "postgresql://db/jobs"


def test_runtime_examples_are_valid_jobs() -> None:
    from guestkit_job_spec import validate

    for path in sorted((ROOT / "examples" / "runtime").glob("*.json")):
        assert validate(path.read_bytes()).valid, path


@pytest.mark.parametrize(
    "command", [["status"], ["result", "job-01JAB3Y7X5K4M8F9W2T6ABCDEF"], ["cancel", "job-x1234567"]]
)
def test_a_store_that_cannot_be_opened_is_one_line_not_a_traceback(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A new user's PostgreSQL without the database, or without rights, printed 30 lines of psycopg."""
    status = main([*command, "--store", "/proc/no-such-dir/jobs.sqlite3"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(f"guestkit-job {command[0]}: error: the store /proc/no-such-dir/jobs.sqlite3: ")
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_a_worker_waits_for_a_server_that_is_away_not_for_one_that_refuses(postgres: PostgresServer) -> None:
    """docs/runtime.md said a worker started while PostgreSQL is down waits for it; the worker
    exited at once (the waiting function was never called)."""
    url = postgres.fresh_url()
    wrong = subprocess.run(
        [*CLI, "worker", "--store", url.replace("/postgres?", "/no_such_database?"), "--exit-when-idle"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2 and "no_such_database" in wrong.stderr and "waiting" not in wrong.stderr
    postgres.stop(immediate=True)
    worker = subprocess.Popen([*CLI, "worker", "--store", url, "--exit-when-idle"], stderr=subprocess.PIPE, text=True)
    try:
        assert worker.stderr is not None
        assert "store unreachable" in worker.stderr.readline()  # waiting, not exited
    finally:
        postgres.start()
    assert worker.wait(60) == 0


def test_a_mistyped_store_is_refused_and_reading_makes_no_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new user's `--store postgresq://...` made a folder of that name with a local store in it."""
    assert main(["status", "--store", "postgresq://postgres@/jobs"]) == 2
    assert "unknown store scheme 'postgresq://'" in capsys.readouterr().err
    missing = tmp_path / "nowhere" / "jobs.sqlite3"
    assert main(["status", "--store", str(missing)]) == 2
    assert "no store there yet" in capsys.readouterr().err
    assert not missing.parent.exists()
    assert main(["submit", "--store", str(missing), "--new-id", "examples/runtime/echo.json"]) == 0
    assert main(["status", "--store", str(missing)]) == 0


def test_waiting_counts_offline_workers_rather_than_list_them() -> None:
    """Every worker run registers an id that stays offline: a user's status line listed ten of them."""
    inspect = job("job-why-1", operation="guestkit.inspect", data={"image": {"path": "/x", "format": "raw"}})
    offline = [worker(f"old-{n}", status={"state": "offline", "current_jobs": 0}) for n in range(10)]
    live = worker("live-1", status={"state": "ready", "current_jobs": 0})
    why = why_waiting(inspect, [*offline, live], {"job_id": "job-why-1"})
    assert why.stuck and why.reason.startswith("no matching worker: live-1 (ready): the worker has no handler")
    assert "; 10 offline workers (old-0, old-1, old-2, ...) cannot either: the worker has no handler" in why.reason


def test_status_says_a_passed_deadline_and_how_many_jobs_it_leaves_out(
    store_url: str, live: Scheduler, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new user's example job with a deadline in the past showed `queued`, waiting for a worker."""
    late = job("job-cli-late-1", deadline="2026-01-30T14:00:00Z")
    late["created_at"] = "2026-01-29T14:00:00Z"
    live.submit(late)
    for index in range(20):
        live.submit(job(f"job-cli-many-{index:02d}"))
    assert main(["status", "--store", store_url, "job-cli-late-1"]) == 0
    assert "waiting: its deadline, 2026-01-30T14:00:00Z, has passed: the next sweep" in capsys.readouterr().out
    assert main(["status", "--store", store_url]) == 0
    assert "the latest 20 of 21 jobs (status JOB_ID... shows others)" in capsys.readouterr().out


def test_cancel_of_a_running_job_says_in_json_that_it_is_recorded(
    store_url: str, live: Scheduler, capsys: pytest.CaptureFixture[str]
) -> None:
    live.submit(job("job-cli-stop-1"))
    live.claim(worker(), start="started")
    assert main(["cancel", "--store", store_url, "job-cli-stop-1", "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "running" and "cancel_requested_at" in answer


def test_a_store_of_another_layout_is_refused_with_what_to_do(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store made before the tables' layout changed (format 1 had no number, nor a lease's
    document): read with this layout, its traces would miss steps, so it is refused, saying why."""
    echo = "examples/runtime/echo.json"
    assert main(["submit", "--store", store_url, "--new-id", echo]) == 0
    with open_store(store_url) as store, store.transaction() as tx:
        tx.run("DROP TABLE store_format")
    capsys.readouterr()
    for command in (["status"], ["submit", "--new-id", echo]):
        assert main([*command, "--store", store_url]) == 2
        said = capsys.readouterr().err
        assert "made by another version of the runtime (store format 1; this one reads 2)" in said, said
        assert "move it away to start a new store" in said


def test_status_and_result_say_what_ended_a_job_that_failed_or_timed_out(
    scheduler: Scheduler, clock: FakeClock, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new user's job that timed out at its deadline: `result` said only "ended timeout", and
    `status` of a failed job showed no cause."""
    scheduler.submit(job("job-end-failed"))
    scheduler.submit(job("job-end-expired"))
    scheduler.submit(job("job-end-deadline", deadline="2027-01-15T08:01:00Z"))
    clock.advance(1)
    leases = {c.lease["job_id"]: c.lease for c in scheduler.claim(worker(), limit=2, lease_seconds=10)}
    failed = leases["job-end-failed"]
    scheduler.complete(failed["lease_id"], result("job-end-failed", failed, "failed", error=failure(False, False)))
    clock.advance(61)
    assert scheduler.sweep() == 2
    capsys.readouterr()
    assert main(["status", "--store", store_url, "job-end-failed", "job-end-expired", "job-end-deadline"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "    attempt 1 of 1 ended failed on worker-1: it failed [test.failure] (no attempt left)"
    assert lines[3] == "    the lease of attempt 1 of 1 expired (its worker stopped renewing it) (no attempt left)"
    assert lines[5] == "    its deadline passed (timed out at 2027-01-15T08:01:02.000000Z)"
    assert main(["result", "--store", store_url, "job-end-deadline"]) == 4
    assert "ended timeout without a result: its deadline passed" in capsys.readouterr().err
    assert main(["status", "--store", store_url, "--format", "json", "job-end-expired"]) == 0
    assert "expired" in json.loads(capsys.readouterr().out)[0]["ended_because"]


def test_no_job_is_answered_on_standard_output_in_json_too(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A new user's program reading `status --format json` of a mistyped id got nothing on stdout."""
    assert main(["submit", "--store", store_url, "--new-id", "examples/runtime/echo.json"]) == 0
    capsys.readouterr()
    for command in ("status", "result", "events", "cancel"):
        assert main([command, "--store", store_url, "--format", "json", "job-nope"]) == 1
        said = capsys.readouterr()
        assert json.loads(said.out) == {"job_id": "job-nope", "error": "no job has this id"}, command
        assert f"guestkit-job {command}: no job job-nope" in said.err


def test_events_of_a_job_without_any_say_so(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A new user's `events JOB` of a queued job printed nothing at all."""
    scheduler = Scheduler(open_store(store_url))
    scheduler.submit(job("job-no-events"))
    assert main(["events", "--store", store_url, "job-no-events"]) == 0
    said = capsys.readouterr()
    assert said.out == "" and said.err == "job-no-events: no progress events yet (the job is queued)\n"
    assert main(["events", "--store", store_url, "--format", "json", "job-no-events"]) == 0
    assert capsys.readouterr() == ("", "")  # JSON Lines: no event, no line
    scheduler.store.close()


def test_a_command_worker_vouches_for_features_and_privilege(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new user's fix-offline example stayed queued whatever worker ran: a --command worker could
    not advertise the features, capabilities and privilege the job requires."""
    assert main(["submit", "--store", store_url, "--new-id", "--format", "json", "examples/fix-offline.json"]) == 0
    job_id = json.loads(capsys.readouterr().out)["job_id"]
    program = f"guestkit.fix={sys.executable} -c pass"
    base = ["worker", "--store", store_url, "--command", program, "--exit-when-idle", "--id", "w-fix"]
    assert main([*base, "--max-jobs", "1"]) == 0
    assert json.loads(_status_json(store_url, job_id, capsys))["status"] == "queued"
    vouched = ["--feature", "lvm", "--feature", "ext4", "--feature", "selinux", "--feature", "fs.fsck", "--privileged"]
    assert main([*base, *vouched, "--max-jobs", "1"]) == 0
    assert "ext4, fs.fsck, lvm, selinux, privileged), up to" in capsys.readouterr().out
    assert json.loads(_status_json(store_url, job_id, capsys))["status"] != "queued"


def _status_json(store_url: str, job_id: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["status", "--store", store_url, "--format", "json", job_id]) == 0
    return json.dumps(json.loads(capsys.readouterr().out)[0])


def test_submitting_another_kind_of_document_says_what_it_is(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new user submitted a result; the refusal told them to use --type, which submit has not."""
    assert main(["submit", "--store", store_url, "examples/result-completed.json"]) == 1
    said = capsys.readouterr().err
    assert "refused [schema.required]: this is a job result, not a job document: only jobs are submitted" in said
    assert "--type" not in said
