"""Shared helpers: paths of the repository and small document builders."""

from __future__ import annotations

import copy
import json
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

import prover_under_test  # noqa: F401  (first: the sanitizer build, when GUESTKIT_PROVER names one)
from guestkit_job_spec.protocol.pointers import parts

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
EXAMPLES = ROOT / "examples"
CORPUS = ROOT / "tests" / "corpus" / "upstream"

DELETE = object()
"""Marker for ``mutate``: remove the member at that pointer."""


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = load(EXAMPLES / name)
    return document


def mutate(document: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``document`` with ``{json-pointer: new value or DELETE}`` applied.

    Missing intermediate objects are created, so ``/execution/attempt`` works on a job
    without an ``execution`` section.
    """
    result = copy.deepcopy(document)
    for pointer, value in changes.items():
        *parents, last = parts(pointer)
        node: Any = result
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        key: Any = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value
    return result


def paths_in(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path in a JSON value, outermost first (the value's own, ``()``, included)."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_in(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_in(item, (*path, index))
    return found


def same_values(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 and 0.0 == -0.0 are not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_values(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_values(x, y) for x, y in zip(a, b, strict=True))
    return repr(a) == repr(b)


@pytest.fixture
def minimal_job() -> dict[str, Any]:
    return example("inspect-minimal.json")


class NetworkAccessError(OSError):
    """Raised by any attempt to open a network connection during the tests."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with outgoing connections and name lookups refused."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkAccessError("a test tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def npm_package_answers(imported: str, body: str, value: Any) -> Any:
    """What a Node.js script answers about ``value``: it imports ``imported`` from the npm
    package (staged, as a consumer installs it), reads ``value`` as ``input`` from standard
    input, and writes the JSON that ``body`` computes into ``out``."""
    subprocess.run(["node", str(ROOT / "npm" / "scripts" / "stage.mjs")], check=True)
    script = (
        'import { readFileSync } from "node:fs";'
        f"import {{ {imported} }} from {json.dumps((ROOT / 'npm' / 'src' / 'index.js').as_uri())};"
        "const input = JSON.parse(readFileSync(0, 'utf8'));"
        f"{body};"
        "process.stdout.write(JSON.stringify(out));"
    )
    process = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(value),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(process.stdout)
