"""Tag a release: ``make release-tag`` (README.md, "Releasing").

Checks that the work tree is committed, that the version is the same in every place that
states it (pyproject.toml, npm/package.json, npm/package-lock.json and the newest version heading of
CHANGELOG.md, below any "Unreleased" one) and that its tag does not exist yet, then creates the annotated tag
``v<version>`` on HEAD. Pushing the tag is left to the maintainer. Only the standard library
and git: it runs before any set-up. ``python3 release.py check`` checks without tagging.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def versions() -> dict[str, str | None]:
    """The version each file states, None where it states none."""
    project = re.search(r"^\[project\]$(.*?)(?=^\[|\Z)", (ROOT / "pyproject.toml").read_text(), re.M | re.S)
    pyproject = project and re.search(r'^version = "([^"]+)"$', project.group(1), re.M)
    # Changes not released yet sit under "## Unreleased" at the top; releasing names them a version.
    changelog = re.search(r"^## (?!Unreleased)(\S+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    lock = json.loads((ROOT / "npm" / "package-lock.json").read_text())
    return {
        "pyproject.toml": pyproject and pyproject.group(1),
        "npm/package.json": json.loads((ROOT / "npm" / "package.json").read_text()).get("version"),
        "npm/package-lock.json": lock.get("version"),
        "npm/package-lock.json (packages[''])": lock.get("packages", {}).get("", {}).get("version"),
        "CHANGELOG.md (newest version heading)": changelog and changelog.group(1),
    }


def problems() -> tuple[str | None, list[str]]:
    """The version to tag, and every reason not to tag it."""
    found = []
    changes = git("status", "--porcelain", "--untracked-files=normal")
    if changes:
        found.append("the work tree has changes that are not committed:\n" + changes.rstrip())
    stated = versions()
    distinct = set(stated.values())
    version = next(iter(distinct)) if len(distinct) == 1 else None
    if version is None:
        found.append("the versions differ: " + ", ".join(f"{name}: {value}" for name, value in stated.items()))
    elif not re.fullmatch(r"\d+\.\d+\.\d+", version):
        found.append(f"the version {version!r} is not MAJOR.MINOR.PATCH")
    elif git("tag", "--list", f"v{version}").strip():
        found.append(f"the tag v{version} exists already: raise the version (all of {', '.join(stated)})")
    return version, found


def main(argv: list[str]) -> int:
    if argv not in (["check"], ["tag"]):
        print("usage: python3 release.py check|tag", file=sys.stderr)
        return 2
    version, found = problems()
    if found:
        for problem in found:
            print(f"release: {problem}", file=sys.stderr)
        return 1
    tag = f"v{version}"
    if argv == ["check"]:
        print(f"release: {tag} can be tagged on {git('rev-parse', '--short', 'HEAD').strip()}")
        return 0
    git("tag", "--annotate", tag, "--message", f"guestkit-job-spec {version}")
    commit = git("rev-parse", "--short", "HEAD").strip()
    print(f"release: tagged {tag} on {commit}; publish it with: git push origin {tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
