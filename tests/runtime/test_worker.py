"""The worker daemon and its handlers, on each store, in real time (waits have generous limits;
no assertion is about how long something took)."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from guestkit_runtime import Scheduler
from guestkit_runtime.handlers import CommandHandler, Context, ConvertHandler, EchoHandler, HandlerError
from guestkit_runtime.worker import StoreOutage, Worker, WorkerConfig

from .conftest import assert_traces_valid, job

CLI = [sys.executable, "-c", "import sys; from guestkit_job_spec.cli.main import main; sys.exit(main())"]
needs_qemu_img = pytest.mark.skipif(
    shutil.which("qemu-img") is None and os.environ.get("GUESTKIT_REQUIRE_QEMU_IMG") != "1",
    reason="qemu-img is not installed (apt-get install qemu-utils; GUESTKIT_REQUIRE_QEMU_IMG=1 makes this an error)",
)


def wait_for(condition: Callable[[], Any], what: str, limit: float = 60.0) -> Any:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"still waiting after {limit} s for {what}")


def script(tmp_path: Path, name: str, body: str) -> list[str]:
    path = tmp_path / name
    path.write_text("import json, os, sys, time\njob = json.load(sys.stdin)\n" + textwrap.dedent(body))
    return [sys.executable, str(path)]


def run_worker(scheduler: Scheduler, handlers: dict[str, Any], **config: Any) -> tuple[Worker, threading.Thread]:
    defaults: dict[str, Any] = {"lease_seconds": 2.0, "poll_seconds": 0.05, "sweep_seconds": 0.1, "drain_seconds": 5}
    worker = Worker(scheduler, handlers, WorkerConfig(**{**defaults, **config}))
    thread = threading.Thread(target=worker.run)
    thread.start()
    return worker, thread


@needs_qemu_img
def test_echo_and_convert_run_and_an_unrunnable_job_waits(live: Scheduler, tmp_path: Path) -> None:
    source = tmp_path / "disk.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(source), "16M"], check=True)
    live.submit(job("job-w-echo-1", data={"message": "hello", "nested": {"n": [1, 2]}}))
    convert = {
        "source": {"path": str(source), "format": "qcow2"},
        "target": {"path": str(tmp_path / "out" / "disk.raw"), "format": "raw"},
        "options": {"verify_after_convert": True},
    }
    live.submit(job("job-w-convert-1", operation="guestkit.convert", data=convert))
    live.submit(
        job("job-w-inspect-1", operation="guestkit.inspect", data={"image": {"path": "/x.raw", "format": "raw"}})
    )
    handlers = {"system.echo": EchoHandler(), "guestkit.convert": ConvertHandler()}
    worker, thread = run_worker(live, handlers, exit_when_idle=True)
    thread.join(120)
    assert not thread.is_alive()
    assert live.result("job-w-echo-1")["data"] == {
        "echo": {"message": "hello", "nested": {"n": [1, 2]}},
        "message": "Echo handler executed successfully",
    }
    converted = live.result("job-w-convert-1")
    assert converted["status"] == "completed" and converted["data"]["verified"] is True
    info = json.loads(
        subprocess.run(
            ["qemu-img", "info", "--output=json", str(tmp_path / "out" / "disk.raw")], capture_output=True, check=True
        ).stdout
    )
    assert (info["format"], info["virtual-size"]) == ("raw", 16 * 1024 * 1024)
    assert live.status("job-w-inspect-1")["status"] == "queued"  # no handler here runs guestkit.inspect
    assert "guestkit.inspect" not in worker.capabilities["operations"]
    assert [w["status"]["state"] for w in live.workers()] == ["offline"]
    assert_traces_valid(live)


def test_convert_is_not_advertised_without_qemu_img() -> None:
    assert ConvertHandler(program="no-such-qemu-img").capabilities() is None
    assert CommandHandler("x.y", ["no-such-program-here"]).capabilities() is None
    assert "no-such-qemu-img not found on PATH (Debian: apt install qemu-utils" in str(
        ConvertHandler(program="no-such-qemu-img").unavailable()
    )
    assert CommandHandler("x.y", ["no-such-program-here"]).unavailable() == (
        "no-such-program-here not found on PATH, or not executable"
    )
    assert CommandHandler("x.y", [sys.executable]).unavailable() is None


def test_worker_says_at_start_what_it_does_not_advertise_and_why(store_url: str) -> None:
    """Only make run said that qemu-img was missing; the worker logged it below its log level."""
    environment = {**os.environ, "PATH": "/no-such-dir"}  # no qemu-img, whatever this machine has
    process = subprocess.run(
        [*CLI, "worker", "--store", store_url, "--exit-when-idle"], capture_output=True, text=True, env=environment
    )
    assert process.returncode == 0
    assert "not advertising guestkit.convert: qemu-img not found on PATH (Debian: apt install qemu-utils" in (
        process.stderr
    )
    assert "runs system.echo (disk formats: none)" in process.stdout
    assert "drain" not in process.stderr  # said when asked to stop, not at the end of --exit-when-idle


def test_a_worker_with_less_than_1_gb_free_still_registers(live: Scheduler, monkeypatch: pytest.MonkeyPatch) -> None:
    """max_disk_size_gb is at least 1 in the schema: under 1 GB free made the registration invalid."""
    usage = shutil.disk_usage("/")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=10**9 - 1))
    worker = Worker(live, {"system.echo": EchoHandler()})
    assert worker.registration()["resources"]["max_disk_size_gb"] == 1
    live.register(worker.registration())


def test_convert_reports_the_progress_qemu_img_prints(tmp_path: Path) -> None:
    """It reported 0% and nothing more: what qemu-img printed between two looks, and after its
    last look, was never reported."""
    fake = tmp_path / "qemu-img"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys, time\n"
        "for percent in ('0.00', '25.00', '50.00', '100.00'):\n"
        "    print(f'    ({percent}/100%)', end='\\r', flush=True)\n"
        "    time.sleep(0.3)\n"
        "open(sys.argv[-1], 'w').write('image')\n"
    )
    fake.chmod(0o755)
    (tmp_path / "in.raw").write_bytes(b"\0" * 512)
    assert convert_progress(ConvertHandler(program=str(fake)), tmp_path, "raw", "qcow2") == [0.0, 25.0, 50.0, 100.0]


@needs_qemu_img
def test_convert_progress_of_qemu_img_ends_at_100(tmp_path: Path) -> None:
    (tmp_path / "in.raw").write_bytes(os.urandom(8 << 20))  # data, not holes: qemu-img steps through it
    percents = convert_progress(ConvertHandler(), tmp_path, "raw", "qcow2")
    assert percents[0] == 0.0 and percents[-1] == 100.0 and percents == sorted(percents)


def convert_progress(handler: ConvertHandler, folder: Path, source: str, target: str) -> list[float]:
    """The percentages the handler reports converting folder/in.<source> to out.<target>."""
    handler.progress_seconds = 0.0
    percents: list[float] = []
    data = {
        "source": {"path": str(folder / f"in.{source}"), "format": source},
        "target": {"path": str(folder / f"out.{target}"), "format": target},
    }
    context = Context(
        job={"job_id": "job-w-progress", "payload": {"data": data}},
        lease={"lease_id": "lease-1"},
        report=lambda phase, message, percent, details: percents.append(percent) if percent is not None else None,
    )
    assert handler.run(context)["target"]["path"] == str(folder / f"out.{target}")
    return percents


def test_command_handler_keeps_the_end_of_the_programs_standard_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """It was dropped when the program reported an error line, and lost in the message otherwise."""
    failing = script(
        tmp_path,
        "failing.py",
        """
        sys.stderr.write("x" * 10000 + "\\nopening /dev/sdz\\nno such disk\\n")
        if job["job_id"] == "job-w-reported":
            print(json.dumps({"type": "error", "code": "tool.no-disk", "message": "the disk is missing"}))
        sys.exit(3)
    """,
    )
    for job_id in ("job-w-exited", "job-w-reported"):
        context = Context(job={"job_id": job_id, "payload": {}}, lease={"lease_id": "l", "attempt": 1}, report=print)
        with pytest.raises(HandlerError) as failed:
            CommandHandler("example.tool", failing).run(context)
        stderr = failed.value.document()["details"]["stderr"]
        assert stderr.endswith("x\nopening /dev/sdz\nno such disk") and len(stderr.encode()) <= 4096
        assert f"example.tool (job {job_id}): " in caplog.text
    assert failed.value.code == "tool.no-disk"  # the program's own error, with its standard error
    assert caplog.text.count("opening /dev/sdz\nno such disk") == 2


def test_command_handler_progress_result_and_a_retried_failure(live: Scheduler, tmp_path: Path) -> None:
    program = script(
        tmp_path,
        "tool.py",
        """
        attempt = int(os.environ["GUESTKIT_ATTEMPT"])
        event = {"type": "progress", "phase": "disk_inspection", "message": "looking", "progress_percent": 50}
        print(json.dumps(event))
        print("a log line", flush=True)
        if attempt == 1:
            sys.exit(75)  # EX_TEMPFAIL: recoverable, worth another attempt
        print(json.dumps({"type": "result", "data": {"seen": job["payload"]["data"], "attempt": attempt}}))
    """,
    )
    live.submit(job("job-w-cmd-1", operation="example.tool", data={"image": "a"}, max_attempts=2))
    _, thread = run_worker(live, {"example.tool": CommandHandler("example.tool", program)}, exit_when_idle=True)
    thread.join(120)  # it leaves only once no job it can run is queued, backoff or not
    assert not thread.is_alive()
    assert live.result("job-w-cmd-1")["data"] == {"seen": {"image": "a"}, "attempt": 2}
    events = [event for _, event in live.events("job-w-cmd-1")]
    assert [(e["attempt"], e["sequence"], e["phase"]) for e in events] == [
        (1, 0, "validation"),
        (1, 1, "disk_inspection"),
        (2, 0, "validation"),
        (2, 1, "disk_inspection"),
    ]
    assert_traces_valid(live)


def test_running_job_is_cancelled_and_a_slow_one_times_out(live: Scheduler, tmp_path: Path) -> None:
    slow = script(
        tmp_path,
        "slow.py",
        """
        for _ in range(600):
            time.sleep(0.1)
    """,
    )
    live.submit(job("job-w-cancel-1", operation="example.slow", max_attempts=3))
    live.submit(job("job-w-timeout-1", operation="example.slow", timeout_seconds=1))
    worker, thread = run_worker(live, {"example.slow": CommandHandler("example.slow", slow)}, lease_seconds=0.6)
    wait_for(lambda: live.status("job-w-cancel-1")["status"] == "running", "the job to run")
    assert live.cancel("job-w-cancel-1") == "running"
    wait_for(lambda: live.status("job-w-cancel-1")["status"] == "cancelled", "the cancellation")
    wait_for(lambda: live.status("job-w-timeout-1")["status"] == "timeout", "the attempt timeout")
    worker.stop()
    thread.join(30)
    assert live.result("job-w-cancel-1")["status"] == "cancelled"
    assert live.result("job-w-timeout-1")["status"] == "timeout"  # the worker reported it
    assert_traces_valid(live)


def test_stopped_again_while_draining_the_worker_releases_at_once(
    live: Scheduler, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A new user's second Ctrl-C during a drain did nothing: the worker waited out --drain-seconds."""
    slow = script(tmp_path, "slow.py", "time.sleep(60)\n")
    live.submit(job("job-w-hurry-1", operation="example.slow", max_attempts=2))
    worker, thread = run_worker(live, {"example.slow": CommandHandler("example.slow", slow)}, drain_seconds=120)
    wait_for(lambda: live.status("job-w-hurry-1")["status"] == "running", "the job to run")
    caplog.set_level(logging.INFO, logger="guestkit_runtime.worker")
    worker.stop()
    wait_for(lambda: "draining" in caplog.text, "the drain to begin")
    started = time.monotonic()
    worker.stop()
    thread.join(30)
    assert not thread.is_alive() and time.monotonic() - started < 30
    assert "asked again: releasing 1 job(s) now" in caplog.text
    assert live.status("job-w-hurry-1")["status"] == "queued"  # released: attempts remain
    assert_traces_valid(live)


def test_failing_handler_fails_the_attempt_and_the_worker_goes_on(live: Scheduler) -> None:
    class Broken:
        def capabilities(self) -> Any:
            return EchoHandler().capabilities()

        def run(self, context: Any) -> dict[str, Any]:
            raise RuntimeError("bug")

    live.submit(job("job-w-broken-1"))
    live.submit(job("job-w-broken-2"))
    _, thread = run_worker(live, {"system.echo": Broken()}, exit_when_idle=True)
    thread.join(60)
    # The worker's own threads end with it (left behind, one holding a lock when the process
    # forks deadlocks the child: a later test's multiprocessing hung CI).
    assert not [t for t in threading.enumerate() if t.name in ("heartbeat", "results")]
    for job_id in ("job-w-broken-1", "job-w-broken-2"):
        failed = live.result(job_id)
        assert failed["status"] == "failed" and failed["error"]["code"] == "worker.handler-crashed"
    assert_traces_valid(live)


# --- worker processes: SIGKILL, SIGSTOP, SIGTERM ---------------------------------------------------


def start_worker_process(
    store_url: str, tmp_path: Path, *extra: str, name: str = "w", crash: str | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    slow = script(
        tmp_path,
        "steps.py",
        """
        for step in range(int(job["payload"]["data"].get("steps", 10))):
            print(json.dumps({"type": "progress", "phase": "disk_inspection", "message": f"step {step}"}), flush=True)
            time.sleep(0.1)
        print(json.dumps({"type": "result", "data": {"pid": os.getppid()}}))
    """,
    )
    command = [
        *CLI,
        "worker",
        "--store",
        store_url,
        "--id",
        name,
        "--lease-seconds",
        "1",
        "--retry-backoff",
        "0.01",
        "--command",
        "example.steps=" + " ".join(slow),
        "--only",
        "example.steps",
        *(() if log else ("-q",)),
        *extra,
    ]
    environment = {key: value for key, value in os.environ.items() if key != "GUESTKIT_RUNTIME_CRASH"}
    if crash:
        environment["GUESTKIT_RUNTIME_CRASH"] = crash
    with open(log or os.devnull, "w") as stderr:  # the child writes to its own copy
        return subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True, env=environment
        )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def test_worker_killed_mid_job_its_job_comes_back_once(store_url: str, live: Scheduler, tmp_path: Path) -> None:
    live.submit(job("job-w-kill-1", operation="example.steps", data={"steps": 10}, max_attempts=3))
    first = start_worker_process(store_url, tmp_path, name="doomed")
    try:
        wait_for(lambda: live.status("job-w-kill-1")["status"] == "running", "the job to start")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(30)
        second = start_worker_process(store_url, tmp_path, "--exit-when-idle", name="heir")
        assert second.wait(120) == 0
    finally:
        stop_process(first)
    final = live.result("job-w-kill-1")
    assert final["status"] == "completed" and final["worker_id"] == "heir"
    assert final["execution_summary"]["attempt"] == 2
    assert_traces_valid(live)


def pause_between_transactions(process: subprocess.Popen[bytes], store_url: str) -> None:
    """SIGSTOP the worker, between two of its transactions. On SQLite a worker paused inside one
    holds the only write lock (its writer lock file's too) and every other process waits for it
    (the chaos suite's pauses do that for a while); this test wants the other worker to run."""
    lock = None if store_url.startswith("postgresql://") else store_url + "-writer.lock"
    for _ in range(100):
        os.kill(process.pid, signal.SIGSTOP)
        if lock is None:
            return
        descriptor = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            return
        except BlockingIOError:
            os.kill(process.pid, signal.SIGCONT)
            time.sleep(0.01)
        finally:
            os.close(descriptor)
    raise AssertionError("the worker was inside a transaction at each of 100 pauses")


def test_paused_worker_cannot_report_after_its_lease(store_url: str, live: Scheduler, tmp_path: Path) -> None:
    live.submit(job("job-w-pause-1", operation="example.steps", data={"steps": 20}, max_attempts=3))
    paused = start_worker_process(store_url, tmp_path, name="paused")
    try:
        wait_for(lambda: live.status("job-w-pause-1")["status"] == "running", "the job to start")
        pause_between_transactions(paused, store_url)  # the worker, not its program: it finishes and writes its result
        heir = start_worker_process(store_url, tmp_path, "--exit-when-idle", name="heir")
        assert heir.wait(120) == 0
        assert live.result("job-w-pause-1")["worker_id"] == "heir"
        os.kill(paused.pid, signal.SIGCONT)
        trace = wait_for(
            lambda: [s for s in live.trace("job-w-pause-1")["steps"] if s.get("refused")], "the late messages"
        )
        paused.send_signal(signal.SIGTERM)
        assert paused.wait(60) == 0
    finally:
        stop_process(paused)
    assert {step["refused"] for step in trace} <= {"state.transition", "lifecycle.lease.fenced"}
    final = live.result("job-w-pause-1")
    assert (final["worker_id"], final["execution_summary"]["attempt"]) == ("heir", 2)
    assert_traces_valid(live)


def test_sigterm_drains_releasing_what_runs(store_url: str, live: Scheduler, tmp_path: Path) -> None:
    live.submit(job("job-w-drain-1", operation="example.steps", data={"steps": 600}, max_attempts=2))
    log = tmp_path / "worker.log"
    process = start_worker_process(store_url, tmp_path, "--drain-seconds", "0.2", name="drained", log=log)
    try:
        wait_for(lambda: live.status("job-w-drain-1")["status"] == "running", "the job to start")
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
    finally:
        stop_process(process)
    # The drain was silent: a user who pressed Ctrl-C saw nothing for --drain-seconds.
    assert [line for line in log.read_text().splitlines() if "drain" in line] == [
        "guestkit_runtime.worker: draining: finishing 1 job(s), releasing what is left after 200 ms "
        "(Ctrl-C or SIGTERM again releases them now)",
        "guestkit_runtime.worker: drained: 0 job(s) finished, 1 released; offline",
    ]
    status = live.status("job-w-drain-1")
    assert (status["status"], status["attempt"]) == ("queued", 1)  # released: back in the queue, attempt counted
    assert [s["message"] for s in live.trace("job-w-drain-1")["steps"]][-1] == "release"
    assert [w["status"]["state"] for w in live.workers()] == ["offline"]
    assert_traces_valid(live)


@pytest.mark.parametrize(
    ("point", "attempt"),
    [
        ("after-claim", 2),  # claimed and started, died: the lease expires, the job comes back
        ("after-effect", 2),  # the handler's effect done, died before the result's commit: run again
        ("after-commit", 1),  # the result committed, died before going on: nothing to redo
        ("before-renew", 2),  # died renewing its lease mid-job
    ],
)
def test_crash_points(store_url: str, live: Scheduler, tmp_path: Path, point: str, attempt: int) -> None:
    steps = 10 if point == "before-renew" else 1
    live.submit(job("job-w-crash-1", operation="example.steps", data={"steps": steps}, max_attempts=3))
    crashing = start_worker_process(store_url, tmp_path, name="crashing", crash=f"{point}:1")
    try:
        assert crashing.wait(120) == 137
        heir = start_worker_process(store_url, tmp_path, "--exit-when-idle", name="heir")
        assert heir.wait(120) == 0
    finally:
        stop_process(crashing)
    final = live.result("job-w-crash-1")
    assert (final["status"], final["execution_summary"]["attempt"]) == ("completed", attempt)
    assert final["worker_id"] == ("crashing" if attempt == 1 else "heir")
    assert_traces_valid(live)


def test_an_outage_is_said_once_then_seldom_and_its_end_once(caplog: pytest.LogCaptureFixture) -> None:
    """A new user's worker wrote 253 lines in 25 s of PostgreSQL being down, and nothing when it came back."""
    outage = StoreOutage(logging.getLogger("test.outage"), repeat=3600)
    with caplog.at_level(logging.WARNING, logger="test.outage"):
        outage.answered()
        for _ in range(50):
            outage.failed(OSError("connection is bad: no such file\nIs the server running locally?"))
        outage.answered()
        outage.answered()
    said = [record.getMessage() for record in caplog.records]
    assert len(said) == 2
    assert said[0] == "store unreachable (connection is bad: no such file); trying again until it answers"
    assert said[1].startswith("store reachable again after ")
