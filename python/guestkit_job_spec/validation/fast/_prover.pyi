"""The prover, compiled from c/ (see c/module.c)."""

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

T = TypeVar("T")
Found = tuple[Any, list[tuple[int, str, tuple[str | int, ...], int, int, str | None]], tuple[str, ...] | None, bool]

DOCUMENT_TYPES: tuple[str, ...]
CODE_RULES: Mapping[str, tuple[str, ...]]
SCHEMAS: tuple[str, ...]
MAX_DEPTH: int
SCHEMAS_DIGEST: str

def prove(
    report_type: type[T],
    type_index: int,
    data: bytes,
    max_bytes: int,
    max_depth: int,
    max_string: int,
    max_entries: int,
    /,
) -> T | Found | Literal[False]: ...
def find(
    type_index: int, data: bytes, max_bytes: int, max_depth: int, max_string: int, max_entries: int, /
) -> Found | None: ...
def member_names(
    data: bytes, max_bytes: int, max_depth: int, max_string: int, max_entries: int, /
) -> tuple[str, ...] | None: ...
