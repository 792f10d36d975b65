"""The prover's C compiler (codegen/c_prover.py): the keyword table decides what it compiles,
what it cannot compile fails `make gen` naming where, and a schema edit changes only the
functions of what it edits."""

from __future__ import annotations

import copy
import difflib
import sys
from typing import Any

import pytest

from conftest import ROOT
from guestkit_job_spec.protocol import closed_bundles, keywords, resources

sys.path.insert(0, str(ROOT / "codegen"))
from c_prover import COMPILERS, Compiler, Place, render
from regex_dfa import Unsupported

PLACE = Place("https://guestkit.dev/schemas/common-v1.json", "/$defs/Example")


def compile_schema(schema: dict[str, Any]) -> Compiler:
    compiler = Compiler(lambda _: {})
    compiler.finder(compiler.function(schema, PLACE, PLACE.resource, "job"))
    return compiler


def test_the_keyword_table_and_the_compiler_agree() -> None:
    """A keyword the table says the prover checks has a compiling function, and only those have one."""
    checked = {name for name, keyword in keywords.table().items() if keyword.prover == "checks"}
    assert set(COMPILERS) == checked


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        (
            {"type": "integer", "multipleOf": 2},
            ["common-v1.json#/$defs/Example/multipleOf", "'multipleOf'", "keywords-v1.json"],
        ),
        (
            {"properties": {"n": {"uniqueItems": True}}},
            ["common-v1.json#/$defs/Example/properties/n/uniqueItems", "'uniqueItems'"],
        ),
        (
            {"anyOf": [{"frobnicate": 1}]},
            ["common-v1.json#/$defs/Example/anyOf/0/frobnicate", "not in schemas/keywords-v1.json"],
        ),
        ({"format": "email"}, ["common-v1.json#/$defs/Example/format", "'email'"]),
    ],
    ids=["unsupported", "unsupported-nested", "unknown", "format"],
)
def test_what_the_prover_cannot_compile_fails_naming_the_schema_pointer_and_keyword(
    schema: dict[str, Any], words: list[str]
) -> None:
    with pytest.raises(Unsupported) as raised:
        compile_schema(schema)
    for word in words:
        assert word in str(raised.value)


@pytest.mark.parametrize(
    "schema",
    [
        {"properties": {"x": False}},  # the reference's error for false names no keyword to word
        {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    ],
    ids=["false-subschema", "oneOf"],
)
def test_what_the_finder_cannot_word_fails_generation(schema: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        compile_schema({"anyOf": [schema, {"type": "null"}]})


def rendered(edit: Any = None) -> list[str]:
    """schemas.h as make gen writes it, from the closed bundles with ``edit`` applied to each."""
    bundles = {
        doc_type: copy.deepcopy(closed_bundles.closed_bundle(doc_type)) for doc_type in resources.document_types()
    }
    for bundle in bundles.values():
        if edit is not None:
            edit(bundle)
    text = render(
        list(bundles),
        bundles.__getitem__,
        lambda doc_type: closed_bundles._resources_of(bundles[doc_type]),
        sorted(resources.payload_types()),
        "digest",
    )
    return text.splitlines()


def test_a_schema_edit_changes_only_the_functions_of_what_it_edits() -> None:
    """Functions were numbered by first use: adding three classes rewrote 1,754 lines (issue #15).
    They are named after their place now, and written in the order of their names."""

    def longer_job_ids(bundle: dict[str, Any]) -> None:
        bundle["$defs"]["common-v1.json"]["$defs"]["JobId"]["maxLength"] = 200

    before, after = rendered(), rendered(longer_job_ids)
    changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0) if line[:1] in "+-"]
    changed = [line for line in changed if not line.startswith(("+++", "---"))]
    assert changed, "the edit must show"
    places = set()
    for line in changed:
        text = line[1:]
        lines = before if line.startswith("-") else after
        at = lines.index(text)
        header = next(
            lines[k] for k in range(at, -1, -1) if lines[k].startswith(("/* ", "static const char *const SCHEMAS"))
        )
        places.add(header)
    assert places == {"/* common-v1.json#/$defs/JobId */", "static const char *const SCHEMAS[] = {"}, places
    assert [line for line in changed if "SCHEMA_" in line and "] = " in line] == [
        line for line in changed if "[SCHEMA_common_v1_JobId]" in line
    ]


@pytest.mark.parametrize(
    ("names", "separate_pass"),
    [({"not": {"pattern": "[\\x00-\\x1f]"}}, False), ({"maxLength": 3}, True), ({"$ref": "#/$defs/Names"}, True)],
    ids=["every-declared-name-passes", "a-declared-name-fails", "decided-by-a-reference"],
)
def test_property_names_are_checked_only_on_undeclared_names_when_every_declared_one_passes(
    names: dict[str, Any], separate_pass: bool
) -> None:
    """A proving function skips propertyNames on the names it declares when jsonschema says
    each passes (the closed bundles' guard: a tenth of proving a small job); otherwise, or
    when that cannot be told here, every name is checked in a pass of its own."""
    schema = {"properties": {"name": {}, "labels": {}}, "additionalProperties": False, "propertyNames": names}
    if "$ref" in names:
        schema["$defs"] = {"Names": {"maxLength": 100}}
    compiler = Compiler(lambda _: {"https://guestkit.dev/schemas/common-v1.json": schema})
    proving = compiler.bodies[compiler.function(schema, PLACE, PLACE.resource, "job")]
    body = proving[proving.index("{") :]
    assert ("for (uint32_t m = 0" in body.split("if (!known)")[-1]) is separate_pass
    assert "propertyNames(t, k)) return 0;" in body
