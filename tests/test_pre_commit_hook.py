"""The pre-commit hook as another repository uses it: a release tagged by ``make release-tag``,
pre-commit installed from that tag into a fresh virtualenv, and real commits.

Offline: pip installs the hook from the wheelhouse ``make wheelhouse`` fills at set-up
(``PIP_NO_INDEX``, ``PIP_FIND_LINKS``), and every Python process, pip's included, runs with
the network refused (test_offline's sitecustomize).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import EXAMPLES, ROOT
from test_offline import BLOCKER
from test_release import git_environment, ok, run, the_version

WHEELHOUSE = ROOT / "build" / "wheelhouse"
HOOKS = ROOT / ".pre-commit-hooks.yaml"

PACKAGE_JSON = {"name": "my-app", "version": "1.0.0", "scripts": {"test": "jest"}, "dependencies": {"ajv": "8.20.0"}}
TSCONFIG_WITH_A_COMMENT = '{\n  // as tsc --init writes it\n  "compilerOptions": {"strict": true}\n}\n'
TYPO = b'"priorty": 8'


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No network, no index, no user or system git configuration, caches inside tmp_path."""
    if not (WHEELHOUSE / ".made").exists():
        pytest.fail(f"no wheelhouse at {WHEELHOUSE}: run `make wheelhouse` (make test does) while online")
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCKER)
    environ = {k: v for k, v in git_environment().items() if not k.startswith(("PIP_", "PRE_COMMIT", "VIRTUALENV_"))}
    return {
        **environ,
        "PYTHONPATH": str(blocker),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_CACHE_DIR": str(tmp_path / "pip-cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(tmp_path / "virtualenv-app-data"),
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
    }


def readme_configuration() -> dict[str, Any]:
    """The .pre-commit-config.yaml README.md tells other repositories to write."""
    (block,) = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    config: dict[str, Any] = yaml.safe_load(block)
    return config


def released_copy(tmp_path: Path, env: dict[str, str]) -> Path:
    """The work tree as it is (changes not yet committed included) as a repository of its own,
    tagged by the release procedure."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    spec = tmp_path / "guestkit-job-spec"
    for name in filter(None, (item.decode() for item in listed)):
        source, copy = ROOT / name, spec / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():  # python/guestkit_job_spec/schemas
            copy.symlink_to(os.readlink(source))
        elif source.is_file():  # a tracked file deleted in the work tree is left out
            shutil.copy2(source, copy)
    ok(["git", "init", "--quiet"], spec, env)
    ok(["git", "add", "--all"], spec, env)
    ok(["git", "commit", "--quiet", "--message", "the work tree under test"], spec, env)
    ok(["make", "--no-print-directory", "release-tag", f"PYTHON={sys.executable}"], spec, env)
    return spec


def test_the_hook_from_a_tagged_release_fails_a_typo_and_leaves_package_json_alone(
    tmp_path: Path, env: dict[str, str]
) -> None:
    spec = released_copy(tmp_path, env)
    tag = f"v{the_version()}"
    assert ok(["git", "describe", "--exact-match", "HEAD"], spec, env).strip() == tag

    repo = tmp_path / "consumer"
    (repo / "jobs").mkdir(parents=True)
    ok(["git", "init", "--quiet"], repo, env)
    config = readme_configuration()
    assert config["repos"][0]["rev"] == tag, "README.md: the hook's rev is not the version's tag"
    config["repos"][0]["repo"] = str(spec)  # the README's one placeholder: where the release is
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    (repo / "package.json").write_text(json.dumps(PACKAGE_JSON, indent=2))
    (repo / "tsconfig.json").write_text(TSCONFIG_WITH_A_COMMENT)
    shutil.copy(EXAMPLES / "inspect-full.json", repo / "jobs" / "inspect.json")
    good = json.loads((EXAMPLES / "inspect-minimal.json").read_text())
    good["execution"] = {"priority": 8}
    (repo / "jobs" / "urgent.json").write_text(json.dumps(good, indent=2))
    pre_commit = [sys.executable, "-m", "pre_commit"]
    ok([*pre_commit, "install"], repo, env)

    # The first commit of a repository with a package.json, a commented tsconfig.json and good jobs.
    ok(["git", "add", "--all"], repo, env)
    first = run(["git", "commit", "--message", "first"], repo, env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"guestkit job documents\.+Passed", first.stdout + first.stderr)
    (installed,) = Path(env["PRE_COMMIT_HOME"]).glob("repo*/py_env-*/bin/guestkit-job")
    version = ok([str(installed), "--version"], repo, env)
    assert version == f"guestkit-job {the_version()} (protocol v1; compiled prover in use)\n"

    # A typo: valid with a warning, once invisible; now it fails the commit and says what it is.
    typo = (repo / "jobs" / "urgent.json").read_bytes().replace(b'"priority": 8', TYPO)
    assert typo != (repo / "jobs" / "urgent.json").read_bytes()
    (repo / "jobs" / "urgent.json").write_bytes(typo)
    ok(["git", "add", "--all"], repo, env)
    refused = run(["git", "commit", "--message", "a typo"], repo, env)
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0, said
    assert re.search(r"guestkit job documents\.+Failed", said), said
    assert "jobs/urgent.json: invalid (job)" in said
    assert "unknown field 'priorty': did you mean 'priority'?" in said
    assert "package.json" not in said and "tsconfig.json" not in said  # quiet: only documents with problems
    assert ok(["git", "rev-list", "--count", "HEAD"], repo, env).strip() == "1"

    # Every file, as CI runs it: the typo is the one failure.
    everything = run([*pre_commit, "run", "--all-files"], repo, env)
    said = everything.stdout + everything.stderr
    assert everything.returncode == 1, said
    assert re.findall(r"^(\S+): invalid", said, re.M) == ["jobs/urgent.json"], said
    # pre-commit may share the files out among several runs of the hook: each prints its summary.
    summary = r"^(\d+) documents?: (\d+) valid, (\d+) invalid, (\d+) warnings?(?:; (\d+) files? skipped, .*)?$"
    summaries = re.findall(summary, said, re.M)
    totals = [sum(int(count or 0) for count in column) for column in zip(*summaries, strict=True)]
    assert totals == [2, 1, 1, 0, 2], said  # documents, valid, invalid, warnings, files skipped

    # Fixed (and made more urgent), the commit goes through.
    (repo / "jobs" / "urgent.json").write_bytes(typo.replace(TYPO, b'"priority": 9'))
    ok(["git", "add", "--all"], repo, env)
    ok(["git", "commit", "--quiet", "--message", "urgent"], repo, env)


def test_both_hook_ids_run_the_same_strict_check_on_every_json_file() -> None:
    """guestkit-job-validate-strict is kept for configurations that name it; it is the same hook."""
    default, strict = yaml.safe_load(HOOKS.read_text())
    assert (default["id"], strict["id"]) == ("guestkit-job-validate", "guestkit-job-validate-strict")
    same = ("entry", "args", "language", "types")
    assert {key: default[key] for key in same} == {key: strict[key] for key in same}
    assert default["args"] == ["--strict", "--skip-unknown"]
    assert default["types"] == ["json"] and "files" not in default
