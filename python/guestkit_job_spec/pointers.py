"""RFC 6901 JSON Pointers."""

from __future__ import annotations

from collections.abc import Iterable


def to_pointer(path: Iterable[str | int]) -> str:
    """``["payload", "data", 0]`` -> ``/payload/data/0``; ``~`` and ``/`` are escaped."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def child(pointer: str, key: str | int) -> str:
    return pointer + to_pointer([key])
