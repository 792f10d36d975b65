"""The interface every store gives the scheduler: short transactions over a handful of tables,
in one SQL dialect written with ``?`` placeholders. The protocol (what a message does, what
it is refused for) lives in the scheduler, once; a store gives durable rows, row locks and
wake-ups. ``tables`` is the schema both stores create, written once with the few words the
dialects spell differently."""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from functools import cache
from typing import Any, Protocol

Row = tuple[Any, ...]

# {id}: the job's order of acceptance; {big}: a 64-bit integer; {blob}: text documents.
TABLES = """
CREATE TABLE IF NOT EXISTS jobs (
    seq {id},
    job_id TEXT NOT NULL UNIQUE,
    document TEXT NOT NULL,
    operation TEXT NOT NULL,
    priority INTEGER NOT NULL,
    status TEXT NOT NULL,
    next_attempt INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    timeout_seconds {big} NOT NULL,
    deadline_us {big},
    cancellable INTEGER NOT NULL,
    cancel_requested_us {big},
    not_before_us {big} NOT NULL,
    lease_id TEXT,
    last_sequence INTEGER,
    result TEXT,
    submitted_us {big} NOT NULL,
    last_us {big} NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_queued ON jobs (priority DESC, seq) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS jobs_leased ON jobs (status) WHERE status IN ('assigned', 'running');
CREATE INDEX IF NOT EXISTS jobs_deadline ON jobs (deadline_us)
    WHERE deadline_us IS NOT NULL AND status IN ('pending', 'queued', 'assigned', 'running');
CREATE TABLE IF NOT EXISTS leases (
    lease_id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    leased_us {big} NOT NULL,
    expires_us {big} NOT NULL,
    timeout_us {big} NOT NULL,
    document TEXT NOT NULL,
    ended_us {big},
    end_message TEXT,
    end_document TEXT,
    end_status TEXT
);
CREATE INDEX IF NOT EXISTS leases_job ON leases (job_id);
CREATE TABLE IF NOT EXISTS events (
    id {id},
    job_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    lease_id TEXT NOT NULL,
    at_us {big} NOT NULL,
    document TEXT NOT NULL,
    UNIQUE (job_id, attempt, sequence)
);
CREATE TABLE IF NOT EXISTS steps (
    id {id},
    job_id TEXT NOT NULL,
    at_us {big} NOT NULL,
    message TEXT NOT NULL,
    lease_id TEXT,
    document TEXT,
    refused TEXT,
    status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS steps_job ON steps (job_id, id);
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    job_id TEXT NOT NULL,
    created_us {big} NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE TABLE IF NOT EXISTS workers (
    worker_id TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    state TEXT NOT NULL,
    heartbeat_us {big} NOT NULL
);
CREATE TABLE IF NOT EXISTS store_format (
    version INTEGER NOT NULL
);
"""
STORE_FORMAT = 2
"""The tables' layout. 2: a job's trace is read from the rows its messages write anyway (the job,
its leases, their documents and ends, its events); ``steps`` keeps only the other messages (1
wrote every message to ``steps`` too, a second copy of each document)."""


class StoreFormatError(ValueError):
    """The store was made by a runtime with another layout of the tables."""


class Tx(Protocol):
    """One open transaction."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute; the number of rows changed."""
        ...

    def rows_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        """Run the statements in order, each seeing what those before it did (and, on PostgreSQL,
        the rows they locked as they are once locked); one round trip on PostgreSQL."""
        ...

    def send(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Execute a change whose answer is not needed now (PostgreSQL pipelines it: it goes with
        the next statement whose answer is needed, or the commit; an error surfaces there and
        rolls the transaction back)."""
        ...

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` (each a column's name to its value; every row the same columns),
        sent as ``send`` sends: one statement whatever their number."""
        ...

    def update_rows(self, table: str, key: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Set the columns of each row (the ``key`` column's value among them; every row the same
        columns) on the table's row with that key; sent as ``send`` sends."""
        ...

    def notify(self, channel: str) -> None:
        """Wake the processes waiting on ``channel`` once this transaction commits."""
        ...


class Store(abc.ABC):
    """Durable rows for the scheduler; one per process, safe to use from several threads (each
    thread gets its own connection)."""

    dialect: str
    url: str
    #: appended to a SELECT that locks the rows it reads until the transaction ends
    lock_rows: str = ""
    #: appended to the claim's SELECT: lock the rows read, skipping those another claim holds
    skip_locked: str = ""
    #: sent in a claim's transaction before its SELECT
    before_claim: tuple[str, ...] = ()

    @abc.abstractmethod
    def transaction(self) -> AbstractContextManager[Tx]:
        """A transaction that commits when the block ends and rolls back if it raises. On SQLite
        it holds the database's write lock from its start (BEGIN IMMEDIATE)."""

    @abc.abstractmethod
    def wait(self, timeout: float) -> None:
        """Return when another process may have changed something (a new job, a cancellation),
        or after ``timeout`` seconds."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@cache
def column_types() -> dict[str, dict[str, str]]:
    """Each table's columns and their SQL types, read from the schema both stores create.

    >>> column_types()["jobs"]["last_sequence"], column_types()["jobs"]["deadline_us"]
    ('INTEGER', 'BIGINT')
    """
    script = TABLES.format(id="BIGINT", big="BIGINT")
    tables: dict[str, dict[str, str]] = {}
    for name, body in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", script, re.S):
        tables[name] = dict(re.findall(r"^\s+(\w+) (TEXT|INTEGER|BIGINT)\b", body, re.M))
    return tables


def statements(script: str) -> Iterator[str]:
    for statement in script.split(";"):
        if statement.strip():
            yield statement.strip()


def prepare_tables(tx: Tx, script: str, has_table: Callable[[str], bool], where: str) -> None:
    """Create the tables of a new store (``script``: TABLES in the store's dialect), or check that an
    existing store's layout is this runtime's. ``has_table``: whether the store has a table of that
    name; ``where``: the store, as a person would name it."""
    if has_table("store_format"):
        found = tx.one("SELECT version FROM store_format")
        version = None if found is None else int(found[0])
    else:
        version = 1 if has_table("jobs") else None  # a store made before the layout had a number
    if version is None:
        for statement in statements(script):
            tx.run(statement)
        tx.run(
            "INSERT INTO store_format (version) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM store_format)", (STORE_FORMAT,)
        )
    elif version != STORE_FORMAT:
        raise StoreFormatError(
            f"{where} was made by another version of the runtime (store format {version}; this one reads "
            f"{STORE_FORMAT}): finish its jobs with that version, or move it away to start a new store"
        )
