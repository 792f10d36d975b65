"""Every registered payload type is complete: each place a payload type needs, named when it
is missing (CONTRIBUTING.md, "Adding a payload type"; `make payload-type` writes the first
five), and no place that would need editing for each new type.
"""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest

from conftest import EXAMPLES, ROOT, load
from guestkit_job_spec import validate
from guestkit_job_spec.cli.main import main
from guestkit_job_spec.protocol import resources
from guestkit_job_spec.typed.helpers import FORMS, HELPERS

PAYLOAD_TYPES = sorted(resources.payload_types())
SPEC = ROOT / "docs" / "job-protocol-v1.md"


def payload_type_of(document: Any) -> Any:
    payload = document.get("payload") if isinstance(document, dict) else None
    return payload.get("type") if isinstance(payload, dict) else None


def operation_of(payload_type: str) -> str:
    operation: str = resources.payload_types()[payload_type]["operation"]
    return operation


@pytest.mark.parametrize("payload_type", PAYLOAD_TYPES)
def test_its_schema_file_is_there_and_described(payload_type: str) -> None:
    entry = resources.payload_types()[payload_type]
    path = ROOT / "schemas" / entry["file"]
    assert path.exists(), f"schemas/{entry['file']} is missing: write the schema of {payload_type}"
    schema = load(path)
    assert schema["$id"] == entry["id"] == f"https://guestkit.dev/schemas/payloads/{payload_type}.json"
    assert schema.get("title") and schema.get("description"), f"schemas/{entry['file']} needs a title and description"


@pytest.mark.parametrize("payload_type", PAYLOAD_TYPES)
def test_the_envelope_dispatches_to_it(payload_type: str) -> None:
    branches = load(ROOT / "schemas" / "job-v1.json")["$defs"]["Payload"]["allOf"]
    dispatched = {
        branch["if"]["properties"]["type"]["const"]: branch["then"]["properties"]["data"]["$ref"] for branch in branches
    }
    assert dispatched.get(payload_type) == f"payloads/{payload_type}.json", (
        f"schemas/job-v1.json: the allOf of Payload has no branch for {payload_type}"
    )


@pytest.mark.parametrize("payload_type", PAYLOAD_TYPES)
def test_an_example_shows_it(payload_type: str) -> None:
    examples = [
        path
        for path in sorted(EXAMPLES.glob("*.json"))
        if (load(path).get("payload") or {}).get("type") == payload_type
    ]
    assert examples, f"examples/ has no job of {payload_type}: add one that sets every field"
    for path in examples:
        report = validate(path.read_bytes(), strict=True)
        assert report.valid and not report.warnings, (path.name, report)


@pytest.mark.parametrize("payload_type", PAYLOAD_TYPES)
def test_it_has_a_helper_and_a_new_form(payload_type: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert payload_type in HELPERS, f"python/guestkit_job_spec/typed/helpers.py has no helper for {payload_type}"
    import guestkit_job_spec

    assert getattr(guestkit_job_spec, HELPERS[payload_type].__name__) is HELPERS[payload_type], "not exported"
    operation = operation_of(payload_type)
    assert operation in FORMS, f"typed/helpers.py: {payload_type}'s helper has no form for guestkit-job new"
    assert main(["new", operation, *FORMS[operation].sample]) == 0
    job = json.loads(capsys.readouterr().out)
    assert job["payload"]["type"] == payload_type and validate(job, strict=True).valid


@pytest.mark.parametrize("payload_type", PAYLOAD_TYPES)
def test_the_specification_describes_it(payload_type: str) -> None:
    section = SPEC.read_text(encoding="utf-8").split("## 5. Payload types", 1)[1].split("\n## ", 1)[0]
    assert f"| `{payload_type}` |" in section, (
        f"docs/job-protocol-v1.md, section 5: no table row for {payload_type} (one beginning | `{payload_type}` |)"
    )
    assert f'"type": "{payload_type}"' in section, (
        f"docs/job-protocol-v1.md, section 5: no payload block for {payload_type}"
    )


@pytest.mark.parametrize("payload_type", PAYLOAD_TYPES)
def test_the_conformance_suite_covers_it(payload_type: str) -> None:
    cases = [
        case
        for path in sorted((ROOT / "tests" / "conformance" / "cases").glob("structure-job.json"))
        for case in json.loads(path.read_text())["cases"]
        if payload_type_of(case.get("document")) == payload_type
    ]
    assert cases, f"no generated conformance case has a {payload_type} job: run make cases"


def test_no_list_of_operations_or_count_of_cases_goes_stale_in_the_readme() -> None:
    """A line naming three operations or more names them all; a count of cases is the count."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    operations = {operation_of(payload_type) for payload_type in PAYLOAD_TYPES}
    for line in text.splitlines():
        named = {
            operation for operation in operations if operation in line or operation.split(".")[-1] + "_job" in line
        }
        assert len(named) < 3 or named == operations, f"README.md lists some operations, not all: {line}"
    for count in re.findall(r"([\d,]+) (?:language-neutral |conformance )?cases", text):
        total = sum(
            len(json.loads(p.read_text())["cases"]) for p in (ROOT / "tests" / "conformance" / "cases").glob("*.json")
        )
        assert int(count.replace(",", "")) == total, f"README.md says {count} cases; there are {total}"


def test_the_makefile_names_no_payload_type() -> None:
    """Its lists come from schemas/index.json (tests/lint_schemas.py), so a new type changes nothing there."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    shell_words = {"echo"}  # an operation named like a shell command: `system.echo` is not `@echo`

    def name_of(payload_type: str) -> str:
        operation = operation_of(payload_type)
        return operation if operation.split(".")[-1] in shell_words else operation.split(".")[-1]

    named = [t for t in PAYLOAD_TYPES if re.search(rf"\b{re.escape(name_of(t))}\b", text)]
    assert named == []


def test_the_new_command_help_lists_every_form() -> None:
    out = StringIO()
    with pytest.raises(SystemExit), pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", out)
        main(["new", "--help"])
    for operation in FORMS:
        assert f"guestkit-job new {operation} " in out.getvalue()


def test_make_gen_refuses_a_registered_type_without_its_dispatch_branch(tmp_path: Any, monkeypatch: Any) -> None:
    """Without the branch a registered type's data went unchecked, and drew no warning either."""
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location("generate", ROOT / "codegen" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    job = json.loads((schemas / "job-v1.json").read_text())
    job["$defs"]["Payload"]["allOf"].pop(0)
    (schemas / "job-v1.json").write_text(json.dumps(job))
    monkeypatch.setattr(generate, "SCHEMAS", schemas)
    with pytest.raises(SystemExit, match=r"guestkit\.inspect\.v1: schemas/job-v1\.json has no dispatch branch"):
        generate.check_dispatch()


@pytest.mark.parametrize("payload_type", PAYLOAD_TYPES)
def test_the_scaffold_imports_its_models_from_where_make_gen_writes_them(payload_type: str) -> None:
    """The scaffold once wrote ``guestkit_system_echo_v1`` for system.echo.v1's models."""
    import importlib.util
    import sys

    sys.path.insert(0, str(ROOT / "codegen"))
    try:
        from scaffold_payload_type import model_module
    finally:
        sys.path.remove(str(ROOT / "codegen"))
    module = f"guestkit_job_spec.typed.models.payloads.{model_module(payload_type)}"
    assert importlib.util.find_spec(module) is not None, module
