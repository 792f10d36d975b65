"""Tools for job authors and consumers: bundles, schema and explain commands, the pre-commit hook."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

import engines
from conftest import EXAMPLES, ROOT, load
from guestkit_job_spec import all_rules, validate
from guestkit_job_spec.cli.main import main
from guestkit_job_spec.protocol import resources
from guestkit_job_spec.validation.reference.schema_walk import walk

BUNDLES = ROOT / "bundles"


def examples_of(doc_type: str) -> list[Path]:
    schema_id = resources.index()["documents"][doc_type]["id"]
    return [path for path in sorted(EXAMPLES.glob("*.json")) if load(path)["$schema"] == schema_id]


@pytest.mark.parametrize("doc_type", resources.document_types())
def test_bundle_stands_alone_and_validates_its_examples(doc_type: str) -> None:
    """Every conformance case also runs against the bundles (test_conformance.py)."""
    for path in examples_of(doc_type):
        assert list(engines.bundle(doc_type).iter_errors(load(path))) == [], path.name
    assert not engines.bundle(doc_type).is_valid({}), "an empty object lacks every required field"


def test_schema_command_prints_the_shipped_schema_and_the_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "guestkit.fix.v1"]) == 0
    assert json.loads(capsys.readouterr().out) == load(ROOT / "schemas" / "payloads" / "guestkit.fix.v1.json")
    assert main(["schema", "job", "--bundle"]) == 0
    assert json.loads(capsys.readouterr().out) == load(BUNDLES / "job-v1.bundle.json")
    assert main(["schema", "jobs"]) == 2
    assert "unknown schema 'jobs'" in capsys.readouterr().err


def test_schema_command_lists_every_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == [*resources.document_types(), *resources.payload_types()]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["/execution/priority"],
            ["type: integer or null", "default: 5", "rules: execution.priority.range, schema.type"],
        ),
        (
            ["/payload/data/image/checksum", "--payload-type", "guestkit.inspect.v1"],
            ["type: string or null", "rules: checksum.format, schema.type"],
        ),
        (["/execution_summary/attempt", "--type", "result"], ["minimum: 1", "rules: execution.attempts.minimum"]),
        ([""], ["fields: $schema, version (required), job_id (required)"]),
    ],
)
def test_explain_names_type_default_and_rules(
    args: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", *args]) == 0
    out = capsys.readouterr().out
    for words in expected:
        assert words in out


def test_explain_reaches_fields_another_field_chooses(capsys: pytest.CaptureFixture[str]) -> None:
    """The documented /payload/data/operations/0/options/auto_repair could not be explained:
    its schema is chosen by the payload type, then by the operation's type."""
    assert main(["explain", "/payload/data/operations/0/options/auto_repair"]) == 0
    out = capsys.readouterr().out
    assert 'when /payload/type is "guestkit.fix.v1" and /payload/data/operations/0/type is "fsck"' in out
    assert "type: boolean or null" in out
    assert main(["explain", "/payload/data/image/path"]) == 0
    out = capsys.readouterr().out
    assert out.count("when /payload/type is") >= 3  # inspect, profile, fix: each explained
    assert main(["explain", "/payload/data/image/path", "--payload-type", "guestkit.fix.v1"]) == 0
    assert capsys.readouterr().out.count("when /payload/type is") == 0


def test_explain_lists_each_field_once(capsys: pytest.CaptureFixture[str]) -> None:
    """The root's fields came twice: once from its class, once more from the reference to it."""
    assert main(["explain", ""]) == 0
    fields = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("fields:"))
    names = [name.split(" ")[0] for name in fields.split(":", 1)[1].split(", ")]
    assert len(names) == len(set(names)) and "job_id" in names


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nope"], "no schema declares /nope"),
        (["/execution/priorty"], "did you mean /execution/priority?"),
        (["/payload/data/imag", "--payload-type", "guestkit.inspect.v1"], "did you mean /payload/data/image?"),
        (["execution"], "starts with '/'"),
    ],
)
def test_explain_errors_say_what_to_do(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", *args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "hook", YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text()), ids=lambda h: h["id"]
)
def test_pre_commit_hook_runs_as_pre_commit_would(hook: dict[str, Any], tmp_path: Path) -> None:
    """pre-commit runs `entry` with the staged files of the given types appended."""
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes((EXAMPLES / "inspect-minimal.json").read_bytes())
    bad.write_text(json.dumps({**load(EXAMPLES / "inspect-minimal.json"), "kind": "Other"}))
    command, *options = shlex.split(hook["entry"])
    executable = str(Path(sys.executable).parent / command)
    assert subprocess.run([executable, *options, str(good)], capture_output=True, check=False).returncode == 0
    failing = subprocess.run([executable, *options, str(good), str(bad)], capture_output=True, text=True, check=False)
    assert failing.returncode == 1 and "[job.kind]" in failing.stdout
    assert hook["language"] == "python" and hook["types"] == ["json"]


def test_reference_lists_every_field_the_examples_use() -> None:
    """Each declared field of each example has a row in docs/reference/ (maps' keys excluded)."""
    pages = {path.stem: path.read_text() for path in (ROOT / "docs" / "reference").glob("*.md")}
    for path in sorted(EXAMPLES.glob("*.json")):
        document = load(path)
        doc_type = next(t for t, e in resources.index()["documents"].items() if e["id"] == document["$schema"])
        for visit in walk(document, doc_type):
            key = visit.pointer.rsplit("/", 1)[-1]
            if not any(key in s.node.get("properties", {}) for s in visit.member_of):
                continue  # the root, array items, map entries
            pointer = re.sub(r"/[0-9]+(?=/|$)", "/0", visit.pointer)
            page, field = doc_type, pointer
            if pointer.startswith("/payload/data/"):
                page, field = document["payload"]["type"], pointer.removeprefix("/payload/data")
            assert f"| `{field}` |" in pages[page], f"{path.name}: {visit.pointer} is not in docs/reference/{page}.md"


SPEC = ROOT / "docs" / "job-protocol-v1.md"


def test_every_example_in_the_spec_is_valid_and_every_payload_type_has_one() -> None:
    """A job author needs the spec alone: each payload block, put in the smallest job as it says, is a valid job."""
    blocks = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", SPEC.read_text(), flags=re.S)]
    smallest_job = blocks[0]
    payload_types = []
    for block in blocks:
        if block.keys() == {"type", "data"}:
            payload_types.append(block["type"])
            block = {**smallest_job, "operation": block["type"].removesuffix(".v1"), "payload": block}
        report = validate(block, type="auto", strict=True)
        assert report.valid and not report.warnings, (block, report)
    assert sorted(payload_types) == sorted(resources.payload_types())


def test_the_spec_names_every_rule_and_links_existing_case_files() -> None:
    text = SPEC.read_text()
    for rule_id in all_rules():
        if rule_id.startswith(("json.", "schema.", "input.", "document.type")):
            continue  # decoding and generic rules are named by family in sections 3 and 13
        assert f"`{rule_id}`" in text, rule_id
    for name in re.findall(r"`(?:cases/)?([a-z0-9-]+\.json)`", text):
        if (ROOT / "schemas" / name).exists():
            continue  # a schema file, not a case file
        assert (ROOT / "tests" / "conformance" / "cases" / name).exists(), name


OPENAPI = ROOT / "openapi" / "job-service-v1.json"


def run_openapi_validator(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """openapi-spec-validator in a child process that cannot reach the network."""
    (tmp_path / "sitecustomize.py").write_text(
        "import socket\n"
        "def _refuse(*args, **kwargs):\n    raise OSError('network access attempted')\n"
        "socket.socket.connect = socket.create_connection = socket.getaddrinfo = _refuse\n"
    )
    validator = str(Path(sys.executable).parent / "openapi-spec-validator")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run([validator, str(path)], capture_output=True, text=True, env=env, check=False)


def test_openapi_document_is_valid_offline(tmp_path: Path) -> None:
    process = run_openapi_validator(OPENAPI, tmp_path)
    assert process.returncode == 0, process.stdout + process.stderr


def test_openapi_validator_resolves_the_schema_references(tmp_path: Path) -> None:
    """A reference to a schema file that is not there fails: the references are really read."""
    broken = ROOT / "openapi" / "broken.tmp.json"
    broken.write_text(OPENAPI.read_text().replace("../schemas/result-v1.json", "../schemas/missing-v1.json"))
    try:
        assert run_openapi_validator(broken, tmp_path).returncode != 0
    finally:
        broken.unlink()


def test_openapi_refers_to_the_canonical_schemas_instead_of_copying_them() -> None:
    document = load(OPENAPI)
    bodies = [
        content["schema"]
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict)
        for part in [operation.get("requestBody", {}), *operation.get("responses", {}).values()]
        for content in part.get("content", {}).values()
    ]
    documents = {entry["file"] for entry in resources.index()["documents"].values()}
    referenced = {body["$ref"].removeprefix("../schemas/") for body in bodies if "$ref" in body}
    assert documents <= referenced
    assert "$defs" not in json.dumps(document["components"]["schemas"]).replace("../schemas/common-v1.json#/$defs", "")
