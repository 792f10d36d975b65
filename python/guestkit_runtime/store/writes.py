"""What one transaction writes, gathered while the scheduler decides and sent together: the new
rows of a table in one statement, the changed rows of a table in one statement per set of
columns changed (``Tx.insert_rows``, ``Tx.update_rows``: each store writes them its own best
way). A claim of eight jobs, with their leases, start events and trace steps, is then a handful
of statements rather than fifty: on PostgreSQL the cost of a message is mostly the driver's and
the server's per statement, not the rows'.

Every read flushes what is gathered first, so a transaction sees its own writes exactly as if
each had been sent when it was made; a row changed twice is written once, with its last values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .base import Row, Tx


class Writes:
    """A transaction (``Tx``) that gathers inserts and updates until the next read or the end."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx
        self._inserts: dict[tuple[str, tuple[str, ...]], list[Mapping[str, Any]]] = {}
        self._updates: dict[tuple[str, str], dict[Any, dict[str, Any]]] = {}

    def insert(self, table: str, values: Mapping[str, Any]) -> None:
        """A new row, sent with the table's other new rows of the same columns, in order."""
        self._inserts.setdefault((table, tuple(values)), []).append(values)

    def update(self, table: str, key: str, value: Any, changes: Mapping[str, Any]) -> None:
        """Set ``changes`` on the row whose ``key`` column is ``value``; merged with the row's
        earlier changes in this transaction (the later value of a column wins)."""
        self._updates.setdefault((table, key), {}).setdefault(value, {key: value}).update(changes)

    def flush(self) -> None:
        """Send what is gathered (on PostgreSQL pipelined: answered with the next read or commit)."""
        inserts, updates = self._inserts, self._updates
        self._inserts, self._updates = {}, {}
        for (table, _), rows in inserts.items():
            self._tx.insert_rows(table, rows)
        for (table, key), by_key in updates.items():
            by_columns: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
            for row in by_key.values():
                by_columns.setdefault(tuple(row), []).append(row)
            for rows in by_columns.values():
                self._tx.update_rows(table, key, rows)

    # --- Tx: a read (or a statement of its own) first sends what is gathered -----------------------

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self.flush()
        return self._tx.rows(sql, params)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        self.flush()
        return self._tx.one(sql, params)

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.flush()
        return self._tx.run(sql, params)

    def rows_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        self.flush()
        return self._tx.rows_many(statements)

    def send(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.flush()
        self._tx.send(sql, params)

    def notify(self, channel: str) -> None:
        self._tx.notify(channel)
