"""Telling the document type (``type="auto"``, the CLI's default): the rule of docs/decisions.md.

A type is told only from its identifier(s) and more than half of its required members;
anything less is ``document.type-unknown``, never a guess (issue #17: a package.json, with
``name`` and ``version``, was told to be a worker registration missing its capabilities).
"""

from __future__ import annotations

import json
import re
from itertools import chain, combinations
from typing import Any

import pytest

from conftest import CORPUS, EXAMPLES, ROOT, load, npm_package_answers
from guestkit_job_spec import validate
from guestkit_job_spec.protocol import resources
from guestkit_job_spec.protocol.doctype import detect, signatures
from guestkit_job_spec.validation.pipeline import ENGINES
from test_upstream_corpus import EXPECTED, unregistered

# Ordinary JSON files a repository holds beside its job files: none is a protocol document.
ORDINARY: dict[str, Any] = {
    "package.json": {
        "name": "my-app",
        "version": "1.0.0",
        "description": "an app",
        "main": "index.js",
        "scripts": {"test": "jest"},
        "dependencies": {"ajv": "^8.20.0"},
        "license": "MIT",
    },
    "package.json (name and version only)": {"name": "x", "version": "0.0.0"},
    "package-lock.json": {
        "name": "my-app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": "my-app", "version": "1.0.0"}},
    },
    "tsconfig.json": {
        "compilerOptions": {"target": "ES2022", "module": "NodeNext", "strict": True},
        "include": ["src"],
    },
    "composer.json": {
        "name": "acme/app",
        "description": "an app",
        "type": "project",
        "version": "2.1.0",
        "require": {"php": ">=8.2"},
        "autoload": {"psr-4": {"Acme\\": "src/"}},
    },
    ".eslintrc.json": {"root": True, "env": {"node": True}, "extends": ["eslint:recommended"], "rules": {}},
    "lerna.json": {"version": "4.0.0", "packages": ["packages/*"]},
    "a Kubernetes manifest": {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "pi"},
        "spec": {"template": {"spec": {"containers": []}}},
    },
    "a webhook fixture": {
        "version": "2",
        "kind": "event",
        "created_at": "2026-01-30T10:00:00Z",
        "operation": "push",
        "payload": {"ref": "main"},
    },
    "a log line": {"timestamp": "2026-01-30T10:00:00Z", "level": "info", "message": "started", "phase": "boot"},
    "a build agent": {"version": "3.1.0", "hostname": "ci-07", "capabilities": ["docker"], "labels": {}},
    "a CloudEvent": {
        "specversion": "1.0",
        "id": "A234-1234-1234",
        "source": "/mycontext",
        "type": "com.example.someevent",
        "time": "2026-01-30T10:00:00Z",
        "data": {},
    },
    "a JSON Schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {}},
    "an empty object": {},
}


def as_bytes(document: Any) -> bytes:
    return json.dumps(document).encode()


def test_the_signatures_are_read_from_the_schemas() -> None:
    """The table of docs/decisions.md: change a schema's required members and this names the change."""
    table = {
        doc_type: (sorted(signature.required), sorted(signature.identifiers), signature.enough)
        for doc_type, signature in signatures().items()
    }
    assert table == {
        "job": (["created_at", "job_id", "kind", "operation", "payload", "version"], ["job_id"], 4),
        "result": (["execution_summary", "job_id", "status", "worker_id"], ["job_id", "worker_id"], 3),
        "progress": (["job_id", "message", "phase", "sequence", "timestamp"], ["job_id"], 3),
        "worker": (["capabilities", "hostname", "registered_at", "version", "worker_id"], ["worker_id"], 3),
        "lease": (
            ["attempt", "expires_at", "job_id", "lease_id", "leased_at", "worker_id"],
            ["job_id", "lease_id", "worker_id"],
            4,
        ),
        "cancel": (["job_id", "requested_at"], ["job_id"], 2),
    }


def test_the_table_in_the_decisions_is_the_schemas() -> None:
    text = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    for doc_type, signature in signatures().items():
        ((required, identifiers, enough, size),) = re.findall(
            rf"^\| {doc_type} \| (.*) \| (.*) \| (\d+) of (\d+) \|$", text, flags=re.M
        )
        assert set(re.findall(r"`(\w+)`", required)) == signature.required
        assert set(re.findall(r"`(\w+)`", identifiers)) == signature.identifiers
        assert (int(enough), int(size)) == (signature.enough, len(signature.required))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ORDINARY)
def test_ordinary_json_is_no_protocol_document(name: str, engine: str) -> None:
    report = validate(as_bytes(ORDINARY[name]), type="auto", engine=engine)  # type: ignore[arg-type]
    assert report.doc_type is None
    assert [(issue.rule, issue.pointer) for issue in report.errors] == [("document.type-unknown", "")]
    assert "job_id" in report.errors[0].message  # says what a type is told from


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda path: path.name)
def test_every_example_is_told_the_type_its_schema_names(path: Any, engine: str) -> None:
    document = load(path)
    named = {resources.document_schema(t)["$id"]: t for t in resources.document_types()}[document["$schema"]]
    told = validate(path.read_bytes(), type="auto", engine=engine)  # type: ignore[arg-type]
    given = validate(path.read_bytes(), type=named, engine=engine)  # type: ignore[arg-type]
    assert told.doc_type == named
    assert (told.errors, told.warnings) == (given.errors, given.warnings) == ((), ())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", EXPECTED)
def test_the_upstream_corpus_keeps_its_verdicts_when_the_type_is_told(name: str, engine: str) -> None:
    """Every upstream document is a job, the three without created_at included (5 of 6)."""
    report = validate((CORPUS / name).read_bytes(), type="auto", engine=engine)  # type: ignore[arg-type]
    assert report.doc_type == "job"
    assert [(i.rule, i.pointer) for i in report.errors] == EXPECTED[name]
    assert [(i.rule, i.pointer) for i in report.warnings] == unregistered(name)


@pytest.mark.parametrize(
    ("members", "told"),
    [
        # more than half, with the identifier
        (["job_id", "version", "kind", "operation"], "job"),
        (["job_id", "worker_id", "status"], "result"),
        (["job_id", "timestamp", "message"], "progress"),
        (["worker_id", "hostname", "capabilities"], "worker"),
        (["lease_id", "job_id", "worker_id", "expires_at"], "lease"),
        (["job_id", "requested_at"], "cancel"),
        # a lease needs its own identifier: a result's members and a lease's times are not one
        (["job_id", "worker_id", "attempt", "leased_at", "expires_at"], None),
        # a progress event of protocol 1.1 names its lease: still a progress event (5 of 5 beats 4 of 6)
        (["job_id", "timestamp", "sequence", "phase", "message", "lease_id", "worker_id", "attempt"], "progress"),
        # half is not more than half
        (["job_id", "version", "kind"], None),
        (["job_id", "worker_id"], None),
        (["worker_id", "version"], None),
        # no identifier, however many other members
        (["version", "created_at", "kind", "operation", "payload"], None),
        (["status", "worker_id", "execution_summary"], None),
        (["job_id", "status", "execution_summary"], None),  # a result has two identifiers
        (["timestamp", "sequence", "phase", "message"], None),
        (["version", "hostname", "registered_at", "capabilities"], None),
        # two types qualify: the larger share wins (a result with a worker's extra members) ...
        (["job_id", "worker_id", "status", "execution_summary", "hostname", "version"], "result"),
        # ... and a tie is unknown
        (["job_id", "timestamp", "sequence", "worker_id", "hostname", "registered_at"], None),
    ],
)
def test_the_rule(members: list[str], told: str | None) -> None:
    assert detect(dict.fromkeys([*members, "example.com/extra"])) == told


def every_combination() -> list[list[str]]:
    """Every set of the members the six types require (18 names: 262,144 sets)."""
    names = sorted(set(chain.from_iterable(s.required for s in signatures().values())))
    return [list(c) for c in chain.from_iterable(combinations(names, n) for n in range(len(names) + 1))]


def test_the_npm_package_tells_every_combination_alike() -> None:
    """npm/src/index.js detectType restates the rule in JavaScript: both must agree everywhere."""
    sets = every_combination()
    javascript = npm_package_answers(
        "detectType",
        "const out = input.map((names) => detectType(Object.fromEntries(names.map((n) => [n, null]))) ?? null)",
        sets,
    )
    python = [detect(dict.fromkeys(names)) for names in sets]
    assert [(s, j, p) for s, j, p in zip(sets, javascript, python, strict=True) if j != p] == []
    assert {told for told in python} == {None, "job", "result", "progress", "worker", "lease", "cancel"}


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_tell_every_combination_alike(engine: str) -> None:
    """From bytes, the fast engine reads the names with the prover; the reference from the decoded object."""
    for names in every_combination()[::1163]:
        document = dict.fromkeys(names, 0)
        report = validate(as_bytes(document), type="auto", engine=engine)  # type: ignore[arg-type]
        assert report.doc_type == detect(document), names
