"""PostgreSQL, for workers on many machines (the ``postgres`` extra: psycopg 3).

Claims lock queued job rows with ``FOR UPDATE SKIP LOCKED`` for the length of the claim's own
short transaction only; the attempt is then a lease row, and no transaction stays open while a
job runs (a partitioned worker holding a transaction would keep its rows locked for hours).
Fencing is the scheduler's: every renew, progress event and result names its lease, checked
against the job's current lease under the job row's lock. ``LISTEN/NOTIFY`` wakes waiting
workers when a job is queued or a cancellation requested. Idempotency records sit under the
(scope, key) primary key: of two concurrent submissions one inserts, the other waits on the
key's index entry and then sees the first's record."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson

from .base import TABLES, Row, Store, column_types, prepare_tables

CHANNEL = "guestkit_jobs"


def _driver() -> Any:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - depends on what is installed
        raise SystemExit("the PostgreSQL store needs psycopg: pip install 'guestkit-job-spec[postgres]'") from None
    return psycopg


class _PgTx:
    """A transaction in pipeline mode: statements go out without waiting for their answers until
    one is needed (a read, a row count) or the commit, so a message costs a few round trips to
    the server rather than one per statement. Rows go in and are changed many at a time as
    arrays, one per column (``unnest``): a statement's text does not depend on how many rows it
    carries, so the driver prepares it once and the server plans it once."""

    def __init__(self, cursor: Any, pipeline: Any) -> None:
        self._cursor = cursor
        self._pipeline = pipeline
        self.channels: set[str] = set()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self._cursor.execute(sql.replace("?", "%s"), tuple(params))
        return list(self._cursor.fetchall())

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        self._cursor.execute(sql.replace("?", "%s"), tuple(params))
        row: Row | None = self._cursor.fetchone()
        return row

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._cursor.execute(sql.replace("?", "%s"), tuple(params))
        self._pipeline.sync()
        return int(self._cursor.rowcount)

    def rows_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        connection = self._cursor.connection
        cursors = [connection.cursor() for _ in statements]
        try:
            for cursor, (sql, params) in zip(cursors, statements, strict=True):
                cursor.execute(sql.replace("?", "%s"), tuple(params))
            self._pipeline.sync()
            return [list(cursor.fetchall()) for cursor in cursors]
        finally:
            for cursor in cursors:
                cursor.close()

    def send(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(sql.replace("?", "%s"), tuple(params))

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self._cursor.execute(_insert_sql(table, tuple(rows[0])), (_json(rows),))

    def update_rows(self, table: str, key: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self._cursor.execute(_update_sql(table, key, tuple(rows[0])), (_json(rows), len(rows)))

    def notify(self, channel: str) -> None:
        self.channels.add(channel)


def _json(rows: Sequence[Mapping[str, Any]]) -> str:
    return orjson.dumps(rows).decode()


def _record(table: str, columns: Sequence[str]) -> str:
    """The rows' JSON as a record set of the columns' types."""
    types = column_types()[table]
    return f"json_to_recordset(%s::json) AS v ({', '.join(f'{column} {types[column]}' for column in columns)})"


@functools.cache
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    r"""
    >>> print(_insert_sql("events", ("job_id", "sequence")).replace(" SELECT", "\nSELECT"))
    INSERT INTO events (job_id, sequence)
    SELECT * FROM json_to_recordset(%s::json) AS v (job_id TEXT, sequence INTEGER)
    """
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM {_record(table, columns)}"


@functools.cache
def _update_sql(table: str, key: str, columns: tuple[str, ...]) -> str:
    r"""The rows' count is given as a LIMIT: the planner takes any function for a set of 100 rows
    and would rather hash-join them with a sequential scan of the table (5 ms at 4,000 jobs, for
    8 rows) than look each up by its key; planned for each execution, it sees the count.

    >>> sql = _update_sql("leases", "lease_id", ("lease_id", "expires_us"))
    >>> print(sql.replace(" FROM", "\nFROM").replace(" WHERE", "\nWHERE"))
    UPDATE leases SET expires_us = v.expires_us
    FROM (SELECT *
    FROM json_to_recordset(%s::json) AS v (lease_id TEXT, expires_us BIGINT) LIMIT %s) AS v
    WHERE leases.lease_id = v.lease_id
    """
    sets = ", ".join(f"{column} = v.{column}" for column in columns if column != key)
    rows = f"(SELECT * FROM {_record(table, columns)} LIMIT %s) AS v"
    return f"UPDATE {table} SET {sets} FROM {rows} WHERE {table}.{key} = v.{key}"


class PostgresStore(Store):
    dialect = "postgresql"
    lock_rows = " FOR UPDATE"
    skip_locked = " FOR UPDATE SKIP LOCKED"
    # The claim walks the queue's index (priority, then order of acceptance) and stops at the
    # page's end. On a table filled faster than autovacuum analyses it (a burst of submissions)
    # the planner, estimating a handful of rows, would rather read and sort every queued job, on
    # every claim: 4.7 ms instead of 0.1 with 5,000 queued. Sorting is made its last resort.
    before_claim = ("SET LOCAL enable_sort = off",)

    def __init__(self, url: str) -> None:
        self.url = url
        self._psycopg = _driver()
        self._local = threading.local()
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        with self.transaction() as tx:

            def has_table(name: str) -> bool:
                return tx.one("SELECT to_regclass(?) IS NOT NULL", (name,)) == (True,)

            # The tables are created once (DDL is transactional: the layout's number is there only
            # with every table). Even with IF NOT EXISTS, CREATE INDEX locks its table and would
            # deadlock with the transactions of the processes already running: look first.
            if not has_table("store_format"):
                # One creator at a time: CREATE ... IF NOT EXISTS races with itself on a new database.
                tx.run("SELECT pg_advisory_xact_lock(7210120)")
            script = TABLES.format(id="BIGSERIAL PRIMARY KEY", big="BIGINT")
            prepare_tables(tx, script, has_table, "the PostgreSQL store (the tables on its search_path)")

    def _connect(self) -> Any:
        connection = self._psycopg.connect(self.url, autocommit=True)
        # The driver prepares a statement used often, and the server would then keep one plan
        # for it, made when the tables were small: a sequential scan of the leases, kept as they
        # grow to thousands of rows (1 ms a lookup instead of 0.05). Each execution is planned
        # for the tables as they are.
        connection.execute("SET plan_cache_mode = force_custom_plan")
        with self._lock:
            self._connections.append(connection)
        return connection

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None or connection.closed:
            connection = self._local.connection = self._connect()
        return connection

    @contextmanager
    def transaction(self) -> Iterator[_PgTx]:
        # BEGIN and COMMIT are sent as statements of the pipeline, on a connection in autocommit
        # mode: psycopg's own transaction block costs a round trip and more of the driver's time
        # than the claim it wraps.
        connection = self._connection()
        try:
            with connection.pipeline() as pipeline, connection.cursor() as cursor:
                cursor.execute("BEGIN")
                tx = _PgTx(cursor, pipeline)
                yield tx
                for channel in sorted(tx.channels):
                    cursor.execute("SELECT pg_notify(%s, '')", (channel,))
                cursor.execute("COMMIT")
        except self._psycopg.OperationalError:
            # The server went away (a restart): the next transaction reconnects.
            self._local.connection = None
            connection.close()
            raise
        except BaseException:
            if connection.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE:
                connection.execute("ROLLBACK")
            raise

    def wait(self, timeout: float) -> None:
        listener = getattr(self._local, "listener", None)
        if listener is None or listener.closed:
            listener = self._psycopg.connect(self.url, autocommit=True)
            listener.execute(f"LISTEN {CHANNEL}")
            with self._lock:
                self._connections.append(listener)
            self._local.listener = listener
        try:
            for _ in listener.notifies(timeout=timeout, stop_after=1):
                pass
        except self._psycopg.OperationalError:
            self._local.listener = None
            raise

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()
