"""Stores behind one interface (base.Store): SQLite, the embedded default, and PostgreSQL.

``open_store`` takes what a user gives: a file path (or ``sqlite:///PATH``) for SQLite, a
``postgresql://`` URL for PostgreSQL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from .base import Store, Tx


def open_store(url: str) -> Store:
    """The store at ``url``: ``postgresql://...`` (or ``postgres://``), ``sqlite:///PATH``,
    ``:memory:``, or a plain file path (SQLite).

    >>> open_store(":memory:").dialect
    'sqlite'
    """
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(url)
    from .sqlite import SqliteStore

    if url.startswith("sqlite://"):
        parts = urlsplit(url)
        options = parse_qs(parts.query)
        path = parts.path if parts.netloc == "" else parts.netloc + parts.path
        synchronous = options.get("synchronous", ["NORMAL"])[0]
        return SqliteStore(path, synchronous=synchronous)
    return SqliteStore(url)


__all__ = ["Store", "Tx", "open_store"]
