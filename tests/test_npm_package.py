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
from guestkit_job_spec import fingerprint, match_worker, validate
from test_conformance import CASES, DOCUMENT_CASES
from test_scheduling import SEMVER_ORDER

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


def _pairs() -> list[tuple[str, Any, Any, int | None]]:
    """Every conformance match case, and pairs beyond them: the scheduler's count of running jobs,
    integers written 5.0, several reasons at once, a version with pre-releases."""
    job, worker = example("inspect-full.json"), example("worker-registration.json")
    pairs = [(case["id"], case["job"], case["worker"], None) for case in CASES if case["kind"] == "match"]
    pairs += [
        ("current_jobs at capacity", job, worker, 4),
        ("current_jobs below a full status", job, mutate(worker, {"/status/current_jobs": 4}), 3),
        ("current_jobs without status", job, mutate(worker, {"/status": None}), 7),
        ("integers written 5.0", mutate(job, {"/constraints/maximum_disk_size_gb": 3000.0}), worker, None),
        (
            "everything wrong",
            mutate(job, {"/payload/type": "guestkit.inspect.v3", "/routing/worker_id": "elsewhere"}),
            mutate(
                worker,
                {
                    "/capabilities/features": [],
                    "/capabilities/disk_formats": [],
                    "/configuration": None,
                    "/version": "0.4.0-rc.1",
                    "/resources/max_disk_size_gb": 1,
                    "/status/state": "offline",
                },
            ),
            0,
        ),
        (
            "pre-release at the minimum",
            mutate(job, {"/constraints/minimum_worker_version": "1.0.0-beta.2"}),
            mutate(worker, {"/version": "1.0.0-beta.11"}),
            None,
        ),
    ]
    return pairs


def test_match_worker_agrees_with_the_python_package_message_for_message() -> None:
    pairs = _pairs()
    lines = "\n".join(
        json.dumps({"job": job, "worker": worker, "currentJobs": current}) for _, job, worker, current in pairs
    )
    answers = json.loads(run("node", TESTS_NPM / "matches.mjs", stdin=lines))
    disagreements = []
    for (name, job, worker, current), javascript in zip(pairs, answers, strict=True):
        python = sorted([i.rule, i.pointer, i.message] for i in match_worker(job, worker, current_jobs=current))
        if sorted(javascript) != python:
            disagreements.append(f"{name}: Python {python}, JavaScript {javascript}")
    assert disagreements == [], "\n".join(disagreements)
    assert len({len(answer) for answer in answers}) > 3, "the pairs give none, one and several reasons"


def test_match_worker_refuses_a_count_that_is_none_and_orders_versions_as_python() -> None:
    job, worker = example("inspect-full.json"), example("worker-registration.json")
    lines = "\n".join(json.dumps({"job": job, "worker": worker, "currentJobs": c}) for c in (-1, 1.5, "2", True))
    for answer in json.loads(run("node", TESTS_NPM / "matches.mjs", stdin=lines)):
        assert answer["error"].startswith("TypeError: currentJobs is a count of jobs"), answer
    script = (
        "import { compareVersions } from './npm/src/scheduling.js';"
        f"const versions = {json.dumps(SEMVER_ORDER[::-1])};"
        "process.stdout.write(JSON.stringify(versions.sort(compareVersions)));"
    )
    assert json.loads(run("node", "--input-type=module", "-e", script)) == SEMVER_ORDER


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
