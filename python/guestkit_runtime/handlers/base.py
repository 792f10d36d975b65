"""What a handler is: the code that runs one operation. The worker gives it a Context (the
job, the lease, a way to report progress, and a stop signal) and takes back the result's
``data`` (or a HandlerError for a failed attempt)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

#: the image formats of the protocol that a worker may advertise (section 5, ImageFormat)
IMAGE_FORMATS = ("qcow2", "raw", "vmdk", "vdi", "vhdx")


@dataclass(frozen=True)
class Capabilities:
    """What a handler can do here, as a worker registration states it."""

    operations: tuple[str, ...]
    features: tuple[str, ...] = ()
    disk_formats: tuple[str, ...] = ()
    payload_types: tuple[str, ...] = ()


class HandlerError(Exception):
    """The attempt failed: the result's ``error``. ``recoverable`` says the attempt left nothing
    half done; ``retry_recommended`` that another attempt may succeed (section 15.6)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        recoverable: bool = False,
        retry_recommended: bool = False,
        phase: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.recoverable = recoverable
        self.retry_recommended = retry_recommended
        self.phase = phase
        self.details = dict(details or {})

    def document(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "recoverable": self.recoverable,
            "retry_recommended": self.retry_recommended,
        }
        if self.phase:
            error["phase"] = self.phase
        if self.details:
            error["details"] = self.details
        return error


class Stopped(Exception):
    """Raised by Context.check() (and by handlers that see ``stop``) when the attempt must end:
    ``reason`` is ``cancelled``, ``timeout``, ``shutdown`` or ``lost`` (the lease is gone)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Context:
    """One attempt, as a handler sees it."""

    job: Mapping[str, Any]
    lease: Mapping[str, Any]
    report: Callable[[str, str, float | None, Mapping[str, Any] | None], None]
    stop: threading.Event = field(default_factory=threading.Event)
    stop_reason: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> Mapping[str, Any]:
        payload = self.job.get("payload")
        data = payload.get("data") if isinstance(payload, Mapping) else None
        return data if isinstance(data, Mapping) else {}

    def progress(
        self, phase: str, message: str, percent: float | None = None, details: Mapping[str, Any] | None = None
    ) -> None:
        """Report a progress event (the worker numbers it); raises Stopped if the attempt must end."""
        self.check()
        self.report(phase, message, percent, details)

    def request_stop(self, reason: str) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
        self.stop.set()

    def check(self) -> None:
        """Raise Stopped when the attempt must end (cancelled, timed out, shutting down, lease lost)."""
        if self.stop.is_set():
            raise Stopped(self.stop_reason or "shutdown")


class Handler(Protocol):
    """Runs one operation. ``capabilities()`` is None when it cannot run on this machine (a
    program missing): the worker then does not advertise it, and says why with what the
    handler's ``unavailable()`` answers, if it has that method (``why_unavailable``)."""

    def capabilities(self) -> Capabilities | None: ...

    def run(self, context: Context) -> dict[str, Any]:
        """The result's ``data``; raise HandlerError for a failed attempt, Stopped when stopped."""
        ...


def why_unavailable(handler: Handler) -> str:
    """Why ``handler`` cannot run here: its ``unavailable()`` answer (optional: handlers of other
    packages may lack it), else a generic reason."""
    explain = getattr(handler, "unavailable", None)
    reason = explain() if callable(explain) else None
    return str(reason) if reason else "its handler cannot run on this machine"
