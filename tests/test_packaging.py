"""What the sdist and the wheel hold, and that the installed package works without the repository.

The sdist is built as a PEP 517 frontend builds it (pyproject.toml's backend, in the repository),
offline, with the build tools of this virtualenv.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # mypy and hatchling bring it on 3.10
    import tomli as tomllib

from conftest import ROOT, SCHEMAS

PACKAGE = ROOT / "python" / "guestkit_job_spec"
PROVER_C = "guestkit_job_spec/validation/fast/c/"


def package_files() -> set[str]:
    """The files of python/guestkit_job_spec as a build takes them, relative to python/: its
    schemas (a symlink to schemas/) followed, without what .gitignore keeps out (byte code, the
    compiled prover)."""
    found = set()
    for folder, subfolders, names in os.walk(PACKAGE, followlinks=True):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        for name in names:
            if not name.endswith((".pyc", ".so")):
                found.add(Path(folder, name).relative_to(ROOT / "python").as_posix())
    return found


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    system = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    build = (
        "import importlib, sys; sys.path[:0] = sys.argv[3:];"
        "print(importlib.import_module(sys.argv[1]).build_sdist(sys.argv[2]))"
    )
    folder = tmp_path_factory.mktemp("sdist")
    paths = [str(ROOT / path) for path in system.get("backend-path", [])]
    process = subprocess.run(
        [sys.executable, "-c", build, system["build-backend"], str(folder), *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return folder / process.stdout.splitlines()[-1]


def test_the_sdist_holds_what_builds_the_wheel_and_nothing_else(sdist: Path) -> None:
    """It once took every README.md and every folder named schemas/ anywhere in the repository (the
    frozen test schemas; npm/'s staged copy where `make conformance` had run)."""
    top = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.removeprefix(f"{top}/") for name in archive.getnames() if archive.getmember(name).isfile()}
    build_files = {"PKG-INFO", "pyproject.toml", "README.md", ".gitignore", "hatch_build.py"}
    assert names == build_files | {f"python/{name}" for name in package_files()}
    # What the wheel is built from: every schema and the prover's C.
    assert {
        f"python/guestkit_job_spec/schemas/{p.relative_to(SCHEMAS).as_posix()}" for p in SCHEMAS.rglob("*.json")
    } <= names
    assert {"module.c", "generated/schemas.h"} <= {n.removeprefix(f"python/{PROVER_C}") for n in names}


def test_wheel_ships_every_schema_and_reads_them_from_site_packages(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("guestkit_job_spec-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"guestkit_job_spec/schemas/{p.relative_to(SCHEMAS)}" for p in SCHEMAS.rglob("*.json")}
    assert expected <= names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    # Isolated mode, with the installed copy ahead of the editable install on sys.path.
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import guestkit_job_spec as g;"
        "assert g.__file__.startswith(sys.argv[1]), g.__file__;"
        "print(g.validate(open(sys.argv[2], 'rb').read()).valid)"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(target), str(ROOT / "examples" / "inspect-full.json")],
        check=True,
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == "True"


def test_every_top_level_requirement_is_pinned_in_the_lock() -> None:
    """dev.in once gained a package without `make lock`: fresh virtualenvs then lacked it."""

    def pins(path: Path) -> dict[str, str]:
        found = {}
        for line in path.read_text().splitlines():
            if "==" in line and not line.startswith("#"):
                name, version = line.split("==")
                found[name.strip().lower().replace("_", "-")] = version.strip()
        return found

    wanted, locked = pins(ROOT / "requirements" / "dev.in"), pins(ROOT / "requirements" / "dev.txt")
    assert {name: locked.get(name) for name in wanted} == wanted
