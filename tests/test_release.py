"""The release procedure (``make release-tag``, README.md "Releasing"): it tags only a committed
tree whose versions agree, once. The hook's test (test_pre_commit_hook.py) runs it on the
work tree and installs the hook from the tag it makes."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import ROOT


def git_environment() -> dict[str, str]:
    """This environment for git with no user or system configuration and no GIT_* of the caller's."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def ok(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    process = run(command, cwd, env)
    assert process.returncode == 0, f"{command}: {process.stdout}{process.stderr}"
    return process.stdout


def the_version() -> str:
    match = re.search(r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert match
    return match.group(1)


def test_the_release_procedure_refuses_a_dirty_tree_and_versions_that_differ(tmp_path: Path) -> None:
    env = git_environment()
    spec = tmp_path / "spec"
    for name in ("release.py", "pyproject.toml", "CHANGELOG.md", "npm/package.json", "npm/package-lock.json"):
        (spec / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, spec / name)
    ok(["git", "init", "--quiet"], spec, env)
    ok(["git", "add", "--all"], spec, env)
    ok(["git", "commit", "--quiet", "--message", "release"], spec, env)
    tag = [sys.executable, "release.py", "tag"]

    (spec / "notes.txt").write_text("not committed")
    dirty = run(tag, spec, env)
    assert dirty.returncode == 1 and "not committed" in dirty.stderr and "notes.txt" in dirty.stderr
    (spec / "notes.txt").unlink()

    package = json.loads((spec / "npm" / "package.json").read_text())
    (spec / "npm" / "package.json").write_text(json.dumps({**package, "version": "9.9.9"}))
    ok(["git", "commit", "--quiet", "--all", "--message", "npm ahead"], spec, env)
    differ = run(tag, spec, env)
    assert differ.returncode == 1 and "npm/package.json: 9.9.9" in differ.stderr
    assert ok(["git", "tag"], spec, env) == ""

    ok(["git", "revert", "--no-edit", "HEAD"], spec, env)
    ok(tag, spec, env)
    again = run(tag, spec, env)
    assert again.returncode == 1 and f"v{the_version()} exists already" in again.stderr
    assert ok(["git", "tag"], spec, env).split() == [f"v{the_version()}"]
    annotated = ok(["git", "cat-file", "-t", f"v{the_version()}"], spec, env).strip()
    assert annotated == "tag"


def release_module() -> ModuleType:
    """release.py, which is no package module (it runs before any set-up)."""
    spec = importlib.util.spec_from_file_location("release", ROOT / "release.py")
    assert spec and spec.loader
    release = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(release)
    return release


def test_every_file_states_the_same_version_now() -> None:
    """What the release procedure checks of the versions, checked on every change, not only at release time."""
    release = release_module()
    assert set(release.versions().values()) == {the_version()}


def test_changes_not_released_yet_do_not_change_the_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An "Unreleased" section at the top of CHANGELOG.md is what comes after the newest version."""
    release = release_module()
    for name in ("pyproject.toml", "npm/package.json", "npm/package-lock.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    (tmp_path / "CHANGELOG.md").write_text(changelog.replace("\n## ", "\n## Unreleased: protocol 1.1\n\n- x\n\n## ", 1))
    monkeypatch.setattr(release, "ROOT", tmp_path)
    assert set(release.versions().values()) == {the_version()}
