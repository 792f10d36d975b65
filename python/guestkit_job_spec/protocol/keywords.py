"""The keyword table (``schemas/keywords-v1.json``): all the package knows of each JSON Schema keyword.

One entry per keyword: its kind, the generic rule id of a failure where no ``x-rule``
annotation names another, what a message says is expected, how a change of its value is
judged between versions, whether the prover compiles it, what the conformance suite must
show of it, and where it holds subschemas. The C compiler (codegen/c_prover.py), the
wording of schema errors, the compatibility checker, the bundlers, the coverage tests and
the npm package all read this table; none restates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from . import resources
from .pointers import escape

Kind = Literal["identifier", "annotation", "assertion", "applicator"]


@dataclass(frozen=True)
class Keyword:
    name: str
    kind: Kind
    prover: Literal["checks", "ignores", "unsupported"]
    rule: str | None = None
    expected: str | tuple[str, ...] | None = None
    compat: str | None = None
    coverage: str | None = None
    subschemas: Literal["one", "list", "map"] | None = None


@cache
def table() -> Mapping[str, Keyword]:
    """Every keyword a schema may use, by name."""
    entries: dict[str, Any] = resources.read_json(resources.index()["keywords"])["keywords"]
    return {name: _keyword(name, entry) for name, entry in entries.items()}


def _keyword(name: str, entry: dict[str, Any]) -> Keyword:
    expected = entry.get("expected")
    return Keyword(name, **{**entry, "expected": tuple(expected) if isinstance(expected, list) else expected})


def get(name: str) -> Keyword | None:
    return table().get(name)


@cache
def holding(shape: Literal["one", "list", "map"]) -> frozenset[str]:
    """The applicators whose value is one subschema, a list of them, or an object of them."""
    return frozenset(name for name, keyword in table().items() if keyword.subschemas == shape)


def subschemas(node: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(relative JSON Pointer, subschema) for every subschema ``node`` holds directly."""
    found: list[tuple[str, Any]] = []
    for name, value in node.items():
        keyword = table().get(name)
        shape = keyword.subschemas if keyword is not None else None
        if shape == "one":
            found.append((name, value))
        elif shape == "list" and isinstance(value, list):
            found += [(f"{name}/{index}", item) for index, item in enumerate(value)]
        elif shape == "map" and isinstance(value, dict):
            found += [(f"{name}/{escape(key)}", item) for key, item in value.items()]
    return found
