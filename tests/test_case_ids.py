"""Conformance case ids never change meaning once published (issue #15).

Naming a new example `a-doctor.json` once changed 72 existing cases under their old ids:
the structural cases took their base document from the first example in file order.
tests/conformance/published.json now records what every published id means, and the
builder holds each id to it.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, ROOT

CONFORMANCE = ROOT / "tests" / "conformance"


def builder() -> Any:
    spec = importlib.util.spec_from_file_location("conformance_build", CONFORMANCE / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = builder()


def cases_in(folder: Path) -> dict[str, dict[str, Any]]:
    return {
        case["id"]: case for path in sorted(folder.glob("*.json")) for case in json.loads(path.read_text())["cases"]
    }


CURRENT = cases_in(CONFORMANCE / "cases")
PUBLISHED = json.loads((CONFORMANCE / "published.json").read_text())["cases"]
FROZEN = cases_in(CONFORMANCE / "frozen" / "v1.0" / "cases")


def test_every_published_id_keeps_its_meaning() -> None:
    changed = [case_id for case_id, digest in PUBLISHED.items() if BUILD.meaning(CURRENT.get(case_id, {})) != digest]
    assert changed == [], "published ids missing from cases/ or changed in meaning"
    assert sorted(CURRENT.keys() - PUBLISHED.keys()) == [], "unpublished cases: run make cases"


@pytest.mark.parametrize("case_id", sorted(FROZEN), ids=str)
def test_every_frozen_v1_0_id_has_its_document_and_verdict(case_id: str) -> None:
    assert case_id in CURRENT, "a frozen v1.0 id is gone"
    assert BUILD.meaning(CURRENT[case_id]) == BUILD.meaning(BUILD.as_registered_now(FROZEN[case_id]))


def test_a_new_example_that_sorts_first_changes_no_published_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(EXAMPLES, examples)
    first = json.loads((EXAMPLES / "inspect-full.json").read_text())
    first["metadata"]["labels"] = {"team": "first"}
    first["payload"]["data"]["image"]["path"] = "/vms/first.qcow2"
    first["execution"]["priority"] = 1
    (examples / "a-first.json").write_text(json.dumps(first))
    monkeypatch.setattr(BUILD, "EXAMPLES", examples)
    built = {
        case["id"]: case
        for name, text in BUILD.build().items()
        if name != BUILD.PUBLISHED.name
        for case in json.loads(text)["cases"]
    }
    assert [case_id for case_id in PUBLISHED if BUILD.meaning(built[case_id]) != PUBLISHED[case_id]] == []


def test_a_published_hand_written_case_cannot_be_edited_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(CONFORMANCE / "sources", sources)
    path = sources / "execution.json"
    source = json.loads(path.read_text())
    source["cases"][0]["description"] += " (reworded: allowed)"
    path.write_text(json.dumps(source))
    monkeypatch.setattr(BUILD, "HERE", CONFORMANCE)
    original = BUILD.expand_source
    monkeypatch.setattr(BUILD, "expand_source", lambda p: original(sources / p.name))
    BUILD.build()  # wording is not meaning
    source["cases"][0].setdefault("set", {})["/metadata/name"] = "changed"
    path.write_text(json.dumps(source))
    with pytest.raises(SystemExit, match="is published and would change meaning"):
        BUILD.build()


def test_every_fingerprint_vector_is_published_and_keeps_its_meaning() -> None:
    published = json.loads((CONFORMANCE / "published.json").read_text())["fingerprints"]
    vectors = {vector["id"]: vector for vector in json.loads(BUILD.FINGERPRINTS.read_text())["vectors"]}
    assert len(vectors) == len(json.loads(BUILD.FINGERPRINTS.read_text())["vectors"]), "a vector id twice"
    assert {vector_id: BUILD.vector_meaning(vector) for vector_id, vector in vectors.items()} == published


def test_a_published_fingerprint_vector_cannot_be_edited_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = json.loads(BUILD.FINGERPRINTS.read_text())
    content["vectors"][0]["description"] += " (reworded: allowed)"
    edited = tmp_path / "fingerprints.json"
    edited.write_text(json.dumps(content))
    monkeypatch.setattr(BUILD, "FINGERPRINTS", edited)
    BUILD.published_vectors()  # wording is not meaning
    content["vectors"][0]["text"] = content["vectors"][0]["text"].replace("qcow2", "raw")
    edited.write_text(json.dumps(content))
    with pytest.raises(SystemExit, match="is published and is gone or would change meaning"):
        BUILD.published_vectors()
    del content["vectors"][0]
    edited.write_text(json.dumps(content))
    with pytest.raises(SystemExit, match="is published and is gone or would change meaning"):
        BUILD.published_vectors()
