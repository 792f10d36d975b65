"""The embedded default: one SQLite file in WAL mode, shared by every worker process on the
machine. A transaction takes the write lock at its start (``BEGIN IMMEDIATE``), so the
scheduler's read-decide-write steps never interleave; readers are never blocked.

``synchronous=NORMAL``: a commit survives any crash of a process (the fault suite kills them);
the last commits before a power loss may be lost. ``?synchronous=FULL`` in the URL trades
speed for that."""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .base import TABLES, Row, Store, prepare_tables

_POLL = 0.02  # seconds between two looks at the file's change counter, while waiting


class _SqliteTx:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._connection.execute(sql, tuple(params)).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row: Row | None = self._connection.execute(sql, tuple(params)).fetchone()
        return row

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._connection.execute(sql, tuple(params)).rowcount

    def rows_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        return [self.rows(sql, params) for sql, params in statements]

    def send(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._connection.execute(sql, tuple(params))

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        columns = list(rows[0])
        values = ", ".join(f":{column}" for column in columns)
        self._connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})", rows)

    def update_rows(self, table: str, key: str, rows: Sequence[Mapping[str, Any]]) -> None:
        sets = ", ".join(f"{column} = :{column}" for column in rows[0] if column != key)
        self._connection.executemany(f"UPDATE {table} SET {sets} WHERE {key} = :{key}", rows)

    def notify(self, channel: str) -> None:
        """Nothing to send: waiters see the file's change counter move (PRAGMA data_version)."""


class SqliteStore(Store):
    dialect = "sqlite"

    def __init__(self, path: str, *, synchronous: str = "NORMAL", create: bool = True) -> None:
        if not create and path != ":memory:" and not Path(path).exists():
            raise FileNotFoundError(errno.ENOENT, "no store there yet (guestkit-job submit or worker makes one)", path)
        self.path = path
        self.url = path if path == ":memory:" else f"sqlite:///{Path(path).resolve()}"
        self._synchronous = synchronous.upper()
        if self._synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
        self._local = threading.local()
        self._shared: sqlite3.Connection | None = None  # ":memory:": one connection for every thread
        self._shared_lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = self._connection()
        with self._locked():
            connection.execute("BEGIN IMMEDIATE")
            try:
                tx = _SqliteTx(connection)
                script = TABLES.format(id="INTEGER PRIMARY KEY AUTOINCREMENT", big="INTEGER")
                exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
                prepare_tables(tx, script, lambda name: tx.one(exists, (name,)) is not None, f"the SQLite store {path}")
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def _connection(self) -> sqlite3.Connection:
        if self.path == ":memory:":
            if self._shared is None:
                self._shared = self._open()
            return self._shared
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._open()
        return connection

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=60, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={self._synchronous}")
        connection.execute("PRAGMA busy_timeout=60000")
        self._connections.append(connection)
        return connection

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if self.path == ":memory:":
            with self._shared_lock:
                yield
        else:
            yield

    @contextmanager
    def transaction(self) -> Iterator[_SqliteTx]:
        connection = self._connection()
        with self._locked(), self._writer_lock():
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """Writers queue on a lock file (flock) before BEGIN IMMEDIATE: the kernel wakes the next
        one the moment the lock is free, where SQLite's busy handler would sleep and poll (1 to
        100 ms a try), which under many small transactions from several processes costs most of
        the time. Each thread has its own descriptor, so threads queue too."""
        if self.path == ":memory:":
            yield
            return
        descriptor: int | None = getattr(self._local, "lock", None)
        if descriptor is None:
            descriptor = self._local.lock = os.open(self.path + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)

    def wait(self, timeout: float) -> None:
        connection = self._connection()
        with self._locked():
            start = connection.execute("PRAGMA data_version").fetchone()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            time.sleep(min(_POLL, max(0.0, end - time.monotonic())))
            with self._locked():
                if connection.execute("PRAGMA data_version").fetchone() != start:
                    return

    def close(self) -> None:
        for connection in self._connections:
            connection.close()
        self._connections.clear()
        self._local = threading.local()
        self._shared = None
