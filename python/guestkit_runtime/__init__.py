"""guestkit-runtime: the reference runtime of the guestkit job protocol (section 15 of
docs/job-protocol-v1.md): a scheduler over a store (SQLite by default, PostgreSQL across
machines), a worker daemon with a handler registry, and the ``guestkit-job`` commands that
submit jobs, follow them and run workers.

The protocol is the spec package's (guestkit_job_spec): every status change goes through its
``check_transition``, every placement through ``match_worker``, every idempotency key through
``fingerprint``; results and progress events are validated against its schemas before they
are stored.

>>> from guestkit_runtime import open_store, Scheduler
>>> scheduler = Scheduler(open_store(":memory:"))
>>> scheduler.submit({"version": "1.0", "job_id": "job-doctest-1", "created_at": "2026-01-01T00:00:00Z",
...     "kind": "VMOperation", "operation": "system.echo",
...     "payload": {"type": "system.echo.v1", "data": {"message": "hi"}}}).status
'queued'
"""

from .errors import Fenced, NotFound, Refused
from .scheduler import Claim, Scheduler, SubmitAnswer
from .store import open_store

__all__ = ["Claim", "Fenced", "NotFound", "Refused", "Scheduler", "SubmitAnswer", "open_store"]
