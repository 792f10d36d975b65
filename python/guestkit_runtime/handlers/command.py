"""A handler that runs a configured program per operation, so that any executor (upstream's
``guestkit`` binary behind a small wrapper, a script) can run jobs.

The program gets the job document (JSON) on standard input and, in its environment,
``GUESTKIT_JOB_ID``, ``GUESTKIT_LEASE_ID``, ``GUESTKIT_ATTEMPT`` and ``GUESTKIT_OPERATION``.
Each line it writes to standard output that is a JSON object with a ``type`` is a message:

- ``{"type": "progress", "phase": "...", "message": "...", "progress_percent": 40}``: a
  progress event (``details`` too);
- ``{"type": "result", "data": {...}, "outputs": {"primary": "..."}}``: the result's data;
- ``{"type": "error", "code": "...", "message": "...", "recoverable": false,
  "retry_recommended": false}``: the attempt failed.

Other lines are kept as the log. Exit status 0 with no result line gives ``data``
``{"stdout": <the other lines>}``; 75 (EX_TEMPFAIL) is a recoverable failure worth retrying;
any other, a failure that is not. A failed attempt's error keeps the end of what the program
wrote to standard error (``details.stderr``, its last 4 KB), which the worker also logs. On
cancellation, timeout or shutdown the program gets SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shlex
import shutil
import signal
import subprocess
import threading
from collections.abc import Sequence
from typing import IO, Any

from .base import IMAGE_FORMATS, Capabilities, Context, HandlerError, Stopped

EX_TEMPFAIL = 75
_GRACE = 5.0
STDERR_TAIL = 4096  # bytes of the program's standard error kept for a failed attempt's error

log = logging.getLogger("guestkit_runtime.handlers.command")


class CommandHandler:
    def __init__(
        self, operation: str, command: str | Sequence[str], *, disk_formats: Sequence[str] = IMAGE_FORMATS
    ) -> None:
        self.operation = operation
        self.command = shlex.split(command) if isinstance(command, str) else list(command)
        self.disk_formats = tuple(disk_formats)

    def capabilities(self) -> Capabilities | None:
        if self.unavailable() is not None:
            return None
        return Capabilities(operations=(self.operation,), disk_formats=self.disk_formats)

    def unavailable(self) -> str | None:
        """Why this handler cannot run here (None when it can)."""
        if not self.command:
            return "no program given"
        if shutil.which(self.command[0]) is None:
            return f"{self.command[0]} not found on PATH, or not executable"
        return None

    def run(self, context: Context) -> dict[str, Any]:
        environment = dict(
            os.environ,
            GUESTKIT_JOB_ID=str(context.job["job_id"]),
            GUESTKIT_LEASE_ID=str(context.lease["lease_id"]),
            GUESTKIT_ATTEMPT=str(context.lease["attempt"]),
            GUESTKIT_OPERATION=self.operation,
        )
        process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        done = threading.Event()
        watcher = threading.Thread(target=self._stop_when_asked, args=(process, context, done), daemon=True)
        watcher.start()
        stderr = bytearray()
        reader = threading.Thread(target=_keep_tail, args=(process.stderr, stderr), daemon=True)
        reader.start()
        try:
            process.stdin.write(json.dumps(context.job).encode())
            process.stdin.close()
        except BrokenPipeError:
            pass
        result: dict[str, Any] | None = None
        failure: HandlerError | None = None
        lines: list[str] = []
        for raw in process.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            message = _message(line)
            if message is None:
                lines.append(line)
            elif message["type"] == "progress" and not context.stop.is_set():
                with contextlib.suppress(Stopped):  # the watcher ends the program
                    context.progress(
                        str(message.get("phase") or "running"),
                        str(message.get("message") or ""),
                        message.get("progress_percent"),
                        message.get("details"),
                    )
            elif message["type"] == "result":
                result = dict(message.get("data") or {})
                if isinstance(message.get("outputs"), dict):
                    context.outputs.update(message["outputs"])
            elif message["type"] == "error":
                failure = HandlerError(
                    str(message.get("code") or "command.error"),
                    str(message.get("message") or "the command reported an error"),
                    recoverable=message.get("recoverable") is True,
                    retry_recommended=message.get("retry_recommended") is True,
                    phase=message.get("phase"),
                )
        status = process.wait()
        reader.join()
        done.set()  # ends the watcher
        if context.stop_reason is not None:
            raise Stopped(context.stop_reason)
        error = stderr.decode(errors="replace").strip()
        if failure is None and status != 0:
            last = error.splitlines()[-1] if error else ""
            failure = HandlerError(
                "command.exit-status",
                f"{shlex.join(self.command)} exited with status {status}" + (f": {last}" if last else ""),
                recoverable=status == EX_TEMPFAIL,
                retry_recommended=status == EX_TEMPFAIL,
            )
        if failure is not None:
            if error:
                # The program's own words on what went wrong: kept with the result, and logged.
                failure.details["stderr"] = error
                log.warning(
                    "%s (job %s): %s; its standard error ends:\n%s",
                    self.operation,
                    context.job["job_id"],
                    failure.message,
                    error,
                )
            raise failure
        return result if result is not None else {"stdout": lines}

    def _stop_when_asked(self, process: subprocess.Popen[bytes], context: Context, done: threading.Event) -> None:
        while not context.stop.wait(0.1):
            if done.is_set():
                return
        if process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(_GRACE)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _message(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if isinstance(value, dict) and value.get("type") in ("progress", "result", "error"):
        return value
    return None


def _keep_tail(stream: IO[bytes], tail: bytearray) -> None:
    """Read ``stream`` to its end, keeping its last STDERR_TAIL bytes in ``tail`` (a chatty
    program does not fill the worker's memory)."""
    while chunk := stream.read(65536):
        tail += chunk
        del tail[:-STDERR_TAIL]
