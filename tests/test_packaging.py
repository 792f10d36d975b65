"""What the sdist and the wheel hold, and that the installed package works without the repository.

The sdist is built as a PEP 517 frontend builds it (pyproject.toml's backend, in the repository),
offline, with the build tools of this virtualenv.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # mypy and hatchling bring it on 3.10
    import tomli as tomllib

from conftest import EXAMPLES, ROOT, SCHEMAS

PACKAGE = ROOT / "python" / "guestkit_job_spec"
RUNTIME = ROOT / "python" / "guestkit_runtime"  # the runtime (#20), shipped in the same distribution
PROVER_C = "guestkit_job_spec/validation/fast/c/"
PROVER = f"guestkit_job_spec/validation/fast/_prover{sysconfig.get_config_var('EXT_SUFFIX')}"


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def package_files() -> set[str]:
    """The files of python/guestkit_job_spec and python/guestkit_runtime as a build takes them,
    relative to python/: the schemas (a symlink to schemas/) followed, without what .gitignore
    keeps out (byte code, the compiled prover)."""
    found = set()
    for package in (PACKAGE, RUNTIME):
        for folder, subfolders, names in os.walk(package, followlinks=True):
            subfolders[:] = [name for name in subfolders if name != "__pycache__"]
            for name in names:
                if not name.endswith((".pyc", ".so")):
                    found.add(Path(folder, name).relative_to(ROOT / "python").as_posix())
    return found


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    system = pyproject()["build-system"]
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
    frozen test schemas; npm/'s staged copy where `make conformance` had run). The wheel tests
    below build the wheel from it."""
    top = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.removeprefix(f"{top}/") for name in archive.getnames() if archive.getmember(name).isfile()}
    build_files = {
        "PKG-INFO",
        "pyproject.toml",
        "README.md",
        "LICENSE",
        ".gitignore",
        "hatch_build.py",
        "build_backend.py",
    }
    assert names == build_files | {f"python/{name}" for name in package_files()}
    # What the wheel is built from: every schema and the prover's C.
    assert {
        f"python/guestkit_job_spec/schemas/{p.relative_to(SCHEMAS).as_posix()}" for p in SCHEMAS.rglob("*.json")
    } <= names
    assert {"module.c", "generated/schemas.h"} <= {n.removeprefix(f"python/{PROVER_C}") for n in names}


def pip(*arguments: str, cc: str | None = None) -> str:
    """This virtualenv's pip, offline: no index, and no cache (a cached wheel would stand in for a
    build); ``cc`` the value of $CC. What it printed, with the build's output (-v)."""
    command = [sys.executable, "-m", "pip", *arguments, "-v", "--no-index", "--no-cache-dir"]
    env = {**os.environ, "CC": cc} if cc is not None else None
    process = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert process.returncode == 0, process.stderr
    return process.stdout + process.stderr


def build_wheel(sdist: Path, folder: Path, cc: str) -> tuple[Path, str]:
    """The wheel as pip builds it for whoever installs the sdist: unpacked where the repository is
    not; with what pip printed."""
    output = pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(folder), str(sdist), cc=cc)
    (wheel,) = folder.glob("guestkit_job_spec-*.whl")
    return wheel, output


def wheel_files(wheel: Path) -> set[str]:
    return set(zipfile.ZipFile(wheel).namelist())


def dist_info() -> set[str]:
    version = pyproject()["project"]["version"]
    return {
        f"guestkit_job_spec-{version}.dist-info/{name}"
        for name in ("METADATA", "WHEEL", "entry_points.txt", "RECORD", "licenses/LICENSE")
    }


@pytest.fixture(scope="module")
def logging_compiler(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A C compiler that writes each command line it is given to ``cc.log`` beside it, then compiles
    with the usual compiler."""
    wrapper = tmp_path_factory.mktemp("cc") / "cc"
    usual = shlex.split(sysconfig.get_config_var("CC") or "cc")
    log = shlex.quote(str(wrapper.with_name("cc.log")))
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {shlex.join(usual)} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


@pytest.fixture(scope="module")
def wheel(sdist: Path, logging_compiler: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built with $CC naming the logging compiler and a flag of its own (CC is a command line)."""
    return build_wheel(sdist, tmp_path_factory.mktemp("wheel"), cc=f"{logging_compiler} -DGUESTKIT_CC_FLAG")[0]


def test_the_build_compiles_the_prover_with_cc_when_it_is_set(wheel: Path, logging_compiler: Path) -> None:
    """$CC chooses the compiler, as with setuptools (a new user reported it ignored: it was not, and
    this says so)."""
    (command,) = logging_compiler.with_name("cc.log").read_text().splitlines()
    assert command.startswith("-DGUESTKIT_CC_FLAG ") and "/validation/fast/c/module.c" in command
    assert PROVER in wheel_files(wheel)


def test_without_a_c_compiler_the_wheel_is_pure_python_and_says_why(sdist: Path, tmp_path: Path) -> None:
    wheel, output = build_wheel(sdist, tmp_path, cc=str(tmp_path / "no-such-compiler"))
    assert wheel.name.endswith("-py3-none-any.whl")
    assert wheel_files(wheel) == {name for name in package_files() if not name.startswith(PROVER_C)} | dist_info()
    assert "the prover was not compiled" in output and "no-such-compiler" in output


def test_the_wheel_holds_the_compiled_prover_and_not_its_c(wheel: Path) -> None:
    """It once carried the prover's C too (1 MB, generated/schemas.h most of it), which nothing reads at run time."""
    runtime = {name for name in package_files() if not name.startswith(PROVER_C)}
    assert wheel_files(wheel) == runtime | {PROVER} | dist_info()
    assert {"guestkit_job_spec/py.typed", "guestkit_job_spec/validation/fast/_prover.pyi"} <= runtime
    assert {
        f"guestkit_job_spec/schemas/{p.relative_to(SCHEMAS).as_posix()}" for p in SCHEMAS.rglob("*.json")
    } <= runtime
    assert not wheel.name.endswith("-py3-none-any.whl")  # tagged for the interpreter the prover was built for


def test_the_installed_wheel_uses_its_prover_and_turns_it_off_when_its_schemas_change(
    wheel: Path, tmp_path: Path
) -> None:
    """Installed where the repository is not, the package reads its schemas from site-packages, and
    the check against a stale prover (a digest of those schemas, none of the C) works there too."""
    target = tmp_path / "site"
    pip("install", "--no-deps", "--target", str(target), str(wheel))
    assert not (target / PROVER_C).exists()
    # Isolated mode, with the installed copy ahead of the editable install on sys.path; every warning shown.
    probe = (
        "import json, pathlib, sys; sys.path.insert(0, sys.argv[1]);"
        "import guestkit_job_spec as g;"
        "from guestkit_job_spec.validation.fast import prover;"
        "assert g.__file__.startswith(sys.argv[1]), g.__file__;"
        "assert prover._prover is None or prover._prover.__file__.startswith(sys.argv[1]);"
        "print(json.dumps([g.prover_loaded(), g.validate(pathlib.Path(sys.argv[2]).read_bytes()).valid]))"
    )

    def run() -> tuple[list[bool], str]:
        command = [sys.executable, "-I", "-W", "always", "-c", probe, str(target), str(EXAMPLES / "inspect-full.json")]
        process = subprocess.run(command, capture_output=True, text=True, check=False)
        assert process.returncode == 0, process.stderr
        return json.loads(process.stdout), process.stderr

    assert run() == ([True, True], "")
    schema = target / "guestkit_job_spec" / "schemas" / "common-v1.json"
    schema.write_text(
        schema.read_text(encoding="utf-8").replace('"description"', '"$comment": "edited", "description"', 1)
    )
    loaded_and_valid, warnings = run()
    assert loaded_and_valid == [False, True]
    assert "ProverOutOfDate" in warnings


def test_below_requires_python_the_build_installs_nothing_and_above_it_the_locked_hatchling() -> None:
    """pip installs the build requirements before it reads Requires-Python: hatchling 1.33.0 (which
    requires 3.10) once made Python 3.9 fail with "No matching distribution found for hatchling".
    Where this package is not for, nothing is to install, so pip reaches build_backend.py."""
    supported = SpecifierSet(pyproject()["project"]["requires-python"])
    requirements = [Requirement(line) for line in pyproject()["build-system"]["requires"]]
    locked = {
        line.partition("==")[0]: line.strip() for line in (ROOT / "requirements" / "dev.txt").read_text().splitlines()
    }
    for minor in range(6, 16):
        environment = {"python_version": f"3.{minor}", "python_full_version": f"3.{minor}.0"}
        wanted = {str(r) for r in requirements if r.marker is None or r.marker.evaluate(environment)}
        if supported.contains(f"3.{minor}.0"):
            # Every one of them: hatchling, pinned as `make` builds with it (dev.txt, --no-build-isolation).
            assert wanted == {str(r) for r in requirements}
            assert {f"{r.name}{r.specifier}" for r in requirements} == {locked["hatchling"]}
        else:
            assert wanted == set(), f"Python 3.{minor} would have to install {wanted} to hear it is too old"


def test_the_backend_checks_the_python_version_requires_python_names() -> None:
    sys.path.insert(0, str(ROOT))
    try:
        import build_backend
    finally:
        sys.path.remove(str(ROOT))
    minimum = ".".join(map(str, build_backend.REQUIRES_PYTHON))
    assert SpecifierSet(pyproject()["project"]["requires-python"]) == SpecifierSet(f">={minimum}")
    assert pyproject()["build-system"]["build-backend"] == "build_backend"


def older_python() -> str | None:
    """A Python older than requires-python on this machine, if any: python3.9 on PATH (not a pyenv
    shim that refuses), or one that pyenv installed."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for candidate in [shutil.which("python3.9"), *sorted(map(str, pyenv.glob("versions/3.9*/bin/python3.9")))]:
        if candidate and subprocess.run([candidate, "-c", ""], capture_output=True, check=False).returncode == 0:
            return candidate
    return None


def test_pip_on_python_3_9_says_the_package_needs_3_10(sdist: Path, tmp_path: Path) -> None:
    """What a user of Python 3.9 sees, offline: its own pip (23.0.1 with 3.9.18) building the sdist."""
    python = older_python()
    if python is None:
        pytest.skip("no Python 3.9 on this machine (pyenv install 3.9, or python3.9 on PATH)")
    command = [
        python,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-index",
        "--no-cache-dir",
        "-w",
        str(tmp_path),
        str(sdist),
    ]
    process = subprocess.run(command, capture_output=True, text=True, check=False)
    output = process.stdout + process.stderr
    assert process.returncode != 0
    assert "guestkit-job-spec requires Python >= 3.10; this is Python 3.9." in output, output
    assert "hatchling" not in output, output


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


def make_dry_run(target: str) -> list[str]:
    """The commands ``make TARGET`` runs in a fresh clone: every prerequisite remade, none run (-n -B)."""
    env = {name: value for name, value in os.environ.items() if name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    process = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return process.stdout.splitlines()


def test_make_run_installs_the_package_and_its_runtime_dependencies_only() -> None:
    """It installed the whole development set (requirements/dev.txt: 70 packages, 237 MB, mypy,
    hypothesis and datamodel-code-generator among them) to validate the examples. Now the package
    alone in .venv-run, with dev.txt as a constraint (its versions, nothing else of it)."""
    commands = make_dry_run("run")
    installs = [shlex.split(command) for command in commands if " -m pip install " in command]
    assert installs, commands
    for install in installs:
        assert install[0].startswith(".venv-run/"), install
        assert "-r" not in install and "--requirement" not in install, install
        assert install[install.index("--constraint") + 1] == "requirements/dev.txt"
        assert install[-1] == ".[postgres]"  # the package, and the runtime's PostgreSQL driver (#20)
    assert not [command for command in commands if ".venv/" in command], "make run sets up the development venv"
    assert any(command.startswith(".venv-run/bin/guestkit-job validate examples/") for command in commands)


def test_every_runtime_dependency_is_pinned_in_the_lock() -> None:
    """What make run installs is constrained by requirements/dev.txt: every package of it is at the
    version the tests ran with only if the lock pins each runtime dependency, those of the
    dependencies included."""
    found, todo = set(), ["guestkit-job-spec"]
    while todo:
        for line in importlib.metadata.distribution(todo.pop()).requires or []:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            if (requirement.marker is None or requirement.marker.evaluate({"extra": ""})) and name not in found:
                found.add(name)
                todo.append(name)
    lines = (ROOT / "requirements" / "dev.txt").read_text().splitlines()
    locked = {canonicalize_name(line.partition("==")[0]) for line in lines if "==" in line and not line.startswith("#")}
    assert {"jsonschema", "orjson", "jsonschema-rs", "rpds-py"} <= found
    assert found - locked == set()
