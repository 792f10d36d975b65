"""The implementation matrix: the conformance suite through JSON Schema implementations nobody
here wrote, on the canonical schemas alone, format assertion off, written to docs/implementations.md.

    python tests/conformance/implementations.py           run them all, rewrite the page
    python tests/conformance/implementations.py --check   run them all, fail on any disagreement
                                                          or if the page is not what the run gives

Each judges every fair case (a document case whose type is given: decoding, type detection
and code-only rules are not JSON Schema matters), every example and the upstream corpus
(among the cases); it must say valid exactly when the suite expects the schemas alone to
(`valid`, or `layer: code`). For each invalid case the rule ids are recovered from its errors
as tests/conformance/README.md, "Writing a runner", says, and must include the case's
expected schema-layer {rule, pointer} pairs.

- jsonschema-rs (Python), here;
- @hyperjump/json-schema and @cfworker/json-schema (Node.js), node/implementations.mjs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema_rs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "python"))

from guestkit_job_spec.protocol import resources, rules  # noqa: E402
from guestkit_job_spec.protocol.closed_bundles import resolve  # noqa: E402
from guestkit_job_spec.protocol.pointers import child, parts, to_pointer  # noqa: E402

PAGE = ROOT / "docs" / "implementations.md"


def fair_cases() -> list[dict[str, Any]]:
    cases = [
        case
        for path in sorted((HERE / "cases").glob("*.json"))
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]
        if case["kind"] == "document" and case["type"] != "auto"
    ]
    types = {entry["id"]: name for name, entry in resources.index()["documents"].items()}
    for path in sorted((ROOT / "examples").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        cases.append({"id": f"examples/{path.name}", "type": types[document["$schema"]], "document": document,
                      "valid": True, "layer": "schema", "errors": []})  # fmt: skip
    return cases


def issues_of(holder: Any, keyword: str, pointer: str, document: Any) -> list[tuple[str, str]]:
    """(rule, pointer) for one failing keyword of a schema object: x-rule, else the keyword table's rule."""
    rule = rules.rule_of(keyword, holder)
    if rule is None:
        return []
    if keyword != "required":
        return [(rule.id, pointer)]
    value = document
    for part in parts(pointer):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return [(rule.id, child(pointer, name)) for name in holder["required"] if name not in value]


def jsonschema_rs_report() -> dict[str, Any]:
    registry = jsonschema_rs.Registry(list(resources.schemas_by_id().items()))
    validators = {
        doc_type: jsonschema_rs.Draft202012Validator(resources.document_schema(doc_type), registry=registry)
        for doc_type in resources.document_types()
    }  # validate_formats is off by default: format is an annotation

    def issues(error: Any, document: Any) -> list[tuple[str, str]]:
        """An error's issues, and those of the branches of an anyOf it reports (in kind.context)."""
        holder_uri, _, keyword = error.absolute_keyword_location.rpartition("/")
        holder = resolve(holder_uri, resources.schemas_by_id())
        found = issues_of(holder, keyword, to_pointer(error.instance_path), document)
        for branch in getattr(error.kind, "context", None) or () if keyword == "anyOf" else ():
            found += [issue for sub in branch for issue in issues(sub, document)]
        return found

    def judge(case: dict[str, Any]) -> tuple[bool, list[tuple[str, str]]]:
        errors = list(validators[case["type"]].iter_errors(case["document"]))
        return not errors, [issue for error in errors for issue in issues(error, case["document"])]

    version = jsonschema_rs.__version__ if hasattr(jsonschema_rs, "__version__") else _version("jsonschema-rs")
    return run("jsonschema-rs", version, "validate_formats=True", judge)


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


def run(name: str, version: str, formats: str, judge: Any) -> dict[str, Any]:
    report: dict[str, Any] = {"name": name, "version": version, "formats": formats, "judged": 0, "agreed": 0,
                              "disagreements": [], "invalid": 0, "recovered": 0, "unrecovered": []}  # fmt: skip
    for case in fair_cases():
        expected = case["valid"] or case["layer"] == "code"
        valid, found = judge(case)
        report["judged"] += 1
        if valid is expected:
            report["agreed"] += 1
        else:
            report["disagreements"].append(case["id"])
        if expected or valid:
            continue
        report["invalid"] += 1
        wanted = {(e["rule"], e["pointer"]) for e in case["errors"] if rules.get(e["rule"]).layer == "schema"}
        if wanted <= set(found):
            report["recovered"] += 1
        else:
            report["unrecovered"].append(case["id"])
    return report


def node_reports() -> list[dict[str, Any]]:
    out = subprocess.run(
        ["node", str(HERE / "node" / "implementations.mjs")], check=True, capture_output=True, text=True
    ).stdout
    reports: list[dict[str, Any]] = json.loads(out)
    return reports


def page(reports: list[dict[str, Any]]) -> str:
    rows = [
        f"| {r['name']} | {r['version']} | {r['agreed']:,} of {r['judged']:,} | "
        f"{r['recovered']:,} of {r['invalid']:,} | {r['formats']} |"
        for r in reports
    ]
    return "\n".join(
        [
            "# Implementations",
            "",
            "Generated by `make conformance` (`tests/conformance/implementations.py`): the conformance suite run",
            "through JSON Schema implementations nobody here wrote, on the canonical schemas alone, with format",
            "assertion **off**, so that the schemas alone decide. Each judges every fair case (a document case",
            "whose type is given), every example and the upstream corpus; *agreed* counts the verdicts that are",
            "the suite's, *rule ids recovered* the invalid cases whose expected schema-layer `{rule, pointer}`",
            "pairs were all recovered from the implementation's errors, as `tests/conformance/README.md`",
            '("Writing a runner") says. CI fails on any disagreement.',
            "",
            "| implementation | version | agreed | rule ids recovered | format assertion on |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "The package's own engines, ajv and the npm package are checked on every case by `make conformance`",
            "too, with their formats asserted as the package asserts them.",
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when the page is not what the run gives")
    args = parser.parse_args()
    reports = [jsonschema_rs_report(), *node_reports()]
    failed = [r for r in reports if r["disagreements"] or r["unrecovered"]]
    for report in failed:
        print(f"{report['name']}: disagrees on {report['disagreements']}")
        print(f"{report['name']}: rule ids not recovered on {report['unrecovered']}")
    text = page(reports)
    if args.check and PAGE.read_text(encoding="utf-8") != text:
        print(
            "docs/implementations.md is not what the run gives: "
            "run `python tests/conformance/implementations.py` and commit the page",
            file=sys.stderr,
        )
        return 1
    if not args.check:
        PAGE.write_text(text, encoding="utf-8")
    for report in reports:
        print(f"{report['name']} {report['version']}: {report['agreed']} of {report['judged']} agreed, rule ids "
              f"recovered on {report['recovered']} of {report['invalid']} invalid")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
