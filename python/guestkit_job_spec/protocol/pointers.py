"""RFC 6901 JSON Pointers."""

from __future__ import annotations

from collections.abc import Iterable


def to_pointer(path: Iterable[str | int]) -> str:
    """``["payload", "data", 0]`` -> ``/payload/data/0``; ``~`` and ``/`` are escaped."""
    return "".join(["/" + escape(str(part)) for part in path])  # a list joins faster


def escape(key: str) -> str:
    """One reference token: ``~`` -> ``~0`` and ``/`` -> ``~1`` (in that order, per RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def child(pointer: str, key: str | int) -> str:
    return pointer + to_pointer([key])


def parts(pointer: str) -> list[str]:
    """``/a~1b/0`` -> ``["a/b", "0"]``; the empty pointer has no parts."""
    return [unescape(part) for part in pointer.split("/")[1:]]


def unescape(token: str) -> str:
    """One reference token, ``~1`` -> ``/`` and ``~0`` -> ``~`` (in that order, per RFC 6901)."""
    return token.replace("~1", "/").replace("~0", "~")
