"""The wheel ships the schemas, and the installed package finds them without the repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT, SCHEMAS


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
