"""The npm package (npm/): its validate() agrees with the Python package, and its
`npm pack` output installs into an empty project and works there, types included.

Needs Node.js and the package's dependencies (make installs them from npm/package-lock.json;
the install from the tarball below then runs offline, from npm's cache).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, ROOT, example, mutate
from guestkit_job_spec import fingerprint, validate
from test_conformance import DOCUMENT_CASES

# Date-times where format checkers differ (the year 0 and 23:59:60 pass ajv-formats).
EDGE_CASES = [
    {
        "id": f"date-time {moment}",
        "type": "job",
        "strict": False,
        "document": mutate(example("inspect-full.json"), {"/created_at": moment}),
    }
    for moment in ("0000-01-30T10:00:00Z", "2026-01-30T23:59:60Z", "2024-02-29T10:00:00Z", "2026-02-29T10:00:00Z")
]

NPM = ROOT / "npm"
TESTS_NPM = ROOT / "tests" / "npm"


def run(*command: str | Path, cwd: Path = ROOT, stdin: str | None = None) -> str:
    result = subprocess.run([str(part) for part in command], cwd=cwd, input=stdin, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module", autouse=True)
def staged() -> None:
    """The package reads schemas/ and bundles/ from copies in its folder: refresh them."""
    run("node", NPM / "scripts" / "stage.mjs")


def test_validate_agrees_with_the_python_package_on_every_document_case() -> None:
    cases = [*DOCUMENT_CASES, *EDGE_CASES]
    lines = "\n".join(json.dumps({k: case[k] for k in ("document", "type", "strict")}) for case in cases)
    reports = json.loads(run("node", TESTS_NPM / "reports.mjs", stdin=lines))
    disagreements = []
    for case, javascript in zip(cases, reports, strict=True):
        python = validate(case["document"], type=case["type"], strict=case["strict"])
        expected = {
            "valid": python.valid,
            "type": python.doc_type,
            "errors": sorted((issue.rule, issue.pointer) for issue in python.errors),
            "warnings": sorted((issue.rule, issue.pointer) for issue in python.warnings),
        }
        found = {key: sorted(map(tuple, v)) if isinstance(v, list) else v for key, v in javascript.items()}
        if found != expected:
            disagreements.append(f"{case['id']}: Python {expected}, JavaScript {found}")
    assert disagreements == [], f"{len(disagreements)} of {len(cases)} cases:\n" + "\n".join(disagreements)


def test_fingerprint_agrees_with_the_python_package_on_every_job_case() -> None:
    """Digests and refusals alike, on every job of the document cases and a few a double cannot hold."""
    jobs = [case["document"] for case in DOCUMENT_CASES if case["type"] == "job"]
    jobs += [mutate(jobs[0], {"/payload/data/n": number}) for number in (2**53 - 1, 2**53, -(2**53), 2**63 - 1, 1e21)]
    lines = "\n".join(json.dumps(job) for job in jobs)
    javascript = json.loads(run("node", TESTS_NPM / "fingerprints.mjs", stdin=lines))

    def python(job: Any) -> Any:
        try:
            return fingerprint(job)
        except ValueError:
            return "refused"

    found = [digest if isinstance(digest, str) else "refused" for digest in javascript]
    disagreements = [
        (job, mine, theirs) for job, mine, theirs in zip(jobs, map(python, jobs), found, strict=True) if mine != theirs
    ]
    assert disagreements == [], f"{len(disagreements)} of {len(jobs)} jobs"
    assert found.count("refused") >= 4


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    destination = tmp_path_factory.mktemp("pack")
    name = run("npm", "pack", "--pack-destination", destination, "--loglevel=error", cwd=NPM).strip().splitlines()[-1]
    return destination / name


def test_the_tarball_holds_the_package_and_nothing_else(tarball: Path) -> None:
    with tarfile.open(tarball) as archive:
        names = {member.name.removeprefix("package/") for member in archive.getmembers()}
    shipped_schemas = {str(path.relative_to(ROOT)) for path in (ROOT / "schemas").rglob("*.json")}
    shipped_bundles = {str(path.relative_to(ROOT)) for path in (ROOT / "bundles").glob("*.json")}
    sources = {str(path.relative_to(NPM)) for path in (NPM / "src").glob("*.js")}
    expected = {"package.json", "README.md", "index.d.ts", "types/index.d.ts"}
    assert names == expected | shipped_schemas | shipped_bundles | sources


def consumer_project(folder: Path, tarball: Path) -> None:
    """An empty project depending on the tarball, locked to the versions npm/package-lock.json pins.

    The lockfile lets `npm ci --offline` install from npm's cache alone: resolving the
    dependencies' version ranges would need the registry.
    """
    lock = json.loads((NPM / "package-lock.json").read_text(encoding="utf-8"))
    ours = lock["packages"][""]
    spec = f"file:{tarball}"
    packages: dict[str, Any] = {
        "": {"name": "consumer", "dependencies": {"guestkit-job-spec": spec}},
        "node_modules/guestkit-job-spec": {
            "version": ours["version"],
            "resolved": spec,
            "dependencies": ours["dependencies"],
        },
    }
    packages |= {path: entry for path, entry in lock["packages"].items() if path and not entry.get("dev")}
    manifest = {"name": "consumer", "private": True, "type": "module", "dependencies": {"guestkit-job-spec": spec}}
    (folder / "package.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    consumer_lock = {"name": "consumer", "lockfileVersion": 3, "requires": True, "packages": packages}
    (folder / "package-lock.json").write_text(json.dumps(consumer_lock, indent=2), encoding="utf-8")
    for name in ("check.mjs", "check.ts", "tsconfig.json"):
        shutil.copy(TESTS_NPM / "consumer" / name, folder / name)


def test_the_packed_package_installs_into_an_empty_project_and_works(tarball: Path, tmp_path: Path) -> None:
    consumer_project(tmp_path, tarball)
    run("npm", "ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error", cwd=tmp_path)
    assert not (tmp_path / "node_modules" / "typescript").exists(), "development tools are not installed"
    assert "examples valid" in run("node", "check.mjs", EXAMPLES, cwd=tmp_path)
    run(NPM / "node_modules" / ".bin" / "tsc", "-p", "tsconfig.json", cwd=tmp_path)
