"""Stores behind one interface (base.Store): SQLite, the embedded default, and PostgreSQL.

``open_store`` takes what a user gives: a file path (or ``sqlite:///PATH``) for SQLite, a
``postgresql://`` URL for PostgreSQL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from .base import Store, Tx


def open_store(url: str, *, create: bool = True) -> Store:
    """The store at ``url``: ``postgresql://...`` (or ``postgres://``), ``sqlite:///PATH``,
    ``:memory:``, or a plain file path (SQLite). ``create``: make an SQLite file that is not
    there yet (else FileNotFoundError). Any other ``scheme://`` is refused: taken for a file path,
    a mistyped ``postgresq://`` made a folder of that name and a local store no worker read.

    >>> open_store(":memory:").dialect
    'sqlite'
    >>> open_store("mysql://db/jobs")
    Traceback (most recent call last):
    ValueError: unknown store scheme 'mysql://': give a file path, sqlite:///PATH or postgresql://...
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
        return SqliteStore(path, synchronous=synchronous, create=create)
    if (scheme := re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", url)) is not None:
        raise ValueError(f"unknown store scheme {scheme[0]!r}: give a file path, sqlite:///PATH or postgresql://...")
    return SqliteStore(url, create=create)


__all__ = ["Store", "Tx", "open_store"]
