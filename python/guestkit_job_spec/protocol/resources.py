"""The schema files shipped inside the package, loaded once through importlib.resources.

Everything the package knows about the protocol (document types, payload types, rules,
the state machine) comes from these files; nothing here is hard-coded.
"""

from __future__ import annotations

import json
import zlib
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing import Registry

SCHEMA_DIR = files("guestkit_job_spec") / "schemas"


def read_json(relative_path: str) -> Any:
    """Read one file below ``schemas/``, e.g. ``index.json``."""
    return json.loads((SCHEMA_DIR / relative_path).read_text(encoding="utf-8"))


@cache
def index() -> dict[str, Any]:
    """The schema index: document types and payload types, each with its schema file and ``$id``."""
    data: dict[str, Any] = read_json("index.json")
    return data


@cache
def document_types() -> tuple[str, ...]:
    return tuple(index()["documents"])


def payload_types() -> dict[str, dict[str, Any]]:
    """Registered payload types, e.g. ``guestkit.inspect.v1``, with their index entries."""
    payloads: dict[str, dict[str, Any]] = index()["payloads"]
    return payloads


@cache
def schemas_digest() -> str:
    """CRC-32 and size of the index and every schema file it lists, in index order: what the
    prover's C and the models were generated from (``make gen`` writes it into both; at import
    each is compared with this). A check against forgetting ``make gen``, not against an
    adversary, so zlib's CRC: hashlib would load OpenSSL, 4 MB of the CLI's 30."""
    checksum, size = 0, 0
    for name in ("index.json", *(entry["file"] for entry in _schema_entries())):
        data = (SCHEMA_DIR / name).read_bytes()
        checksum = zlib.crc32(data, zlib.crc32(f"{name}\0{len(data)}\0".encode(), checksum))
        size += len(data)
    return f"crc32:{checksum:08x}:{size}"


def _schema_entries() -> list[dict[str, Any]]:
    idx = index()
    return [
        *idx["definitions"].values(),
        *idx["documents"].values(),
        *idx["payloads"].values(),
        *idx.get("results", {}).values(),
    ]


def result_data_schema(payload_type: str) -> dict[str, Any] | None:
    """The schema of a completed result's ``data`` for a job of ``payload_type`` (protocol 1.1),
    or None when its data is free (no schema registered)."""
    schema_id = result_data_schema_id(payload_type)
    return None if schema_id is None else schemas_by_id()[schema_id]


def result_data_schema_id(payload_type: str) -> str | None:
    """The ``$id`` of ``result_data_schema(payload_type)``, or None."""
    entry = index().get("results", {}).get(payload_type)
    return None if entry is None else str(entry["id"])


@cache
def schemas_by_id() -> dict[str, dict[str, Any]]:
    """Every protocol schema, keyed by its ``$id``."""
    return {entry["id"]: read_json(entry["file"]) for entry in _schema_entries()}


@cache
def registry() -> Registry[Any]:
    """A referencing registry holding every schema. It has no retriever: an unknown
    ``$ref`` fails instead of going to the network."""
    # Imported here: the fast engine and the CLI's start-up do not need it.
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = [
        (schema_id, Resource.from_contents(schema, default_specification=DRAFT202012))
        for schema_id, schema in schemas_by_id().items()
    ]
    return Registry().with_resources(resources).crawl()


def document_schema(doc_type: str) -> dict[str, Any]:
    """The root schema of a document type (``job``, ``result``, ``progress``, ``worker``)."""
    return schemas_by_id()[index()["documents"][doc_type]["id"]]


def common_def(name: str) -> dict[str, Any]:
    """A definition of ``common-v1.json``, e.g. ``PayloadType``."""
    common = schemas_by_id()[index()["definitions"]["common"]["id"]]
    definition: dict[str, Any] = common["$defs"][name]
    return definition


@cache
def state_machine() -> dict[str, Any]:
    data: dict[str, Any] = read_json(index()["state_machine"])
    return data
