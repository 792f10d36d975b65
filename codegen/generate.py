"""Regenerate the Python models from the schemas, or check that they are up to date.

    python codegen/generate.py           rewrite python/guestkit_job_spec/models/
    python codegen/generate.py --check   exit 1 and show the difference if they drift

Only the protocol schemas listed in schemas/index.json are given to the generator (as a
folder, so cross-file references become imports between modules); the index, the rules
registry and the meta-schemas are data, not models.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
MODELS = ROOT / "python" / "guestkit_job_spec" / "models"
CONFIG_DIR = Path(__file__).resolve().parent


def protocol_schema_files() -> list[str]:
    index = json.loads((SCHEMAS / "index.json").read_text(encoding="utf-8"))
    entries = [*index["definitions"].values(), *index["documents"].values(), *index["payloads"].values()]
    return sorted(entry["file"] for entry in entries)


def generate(destination: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        inputs = Path(work) / "schemas"
        for name in protocol_schema_files():
            (inputs / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SCHEMAS / name, inputs / name)
        generator = Path(sys.executable).parent / "datamodel-codegen"
        subprocess.run(
            [str(generator), "--input", str(inputs), "--output", str(destination)],
            cwd=CONFIG_DIR,
            check=True,
        )


def files_below(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.py"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of rewriting")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        fresh = Path(work) / "models"
        generate(fresh)
        if args.check:
            expected, actual = files_below(fresh), files_below(MODELS) if MODELS.exists() else {}
            if expected == actual:
                return 0
            for name in sorted(expected.keys() | actual.keys()):
                sys.stdout.writelines(
                    difflib.unified_diff(
                        actual.get(name, "").splitlines(keepends=True),
                        expected.get(name, "").splitlines(keepends=True),
                        f"committed/{name}",
                        f"generated/{name}",
                    )
                )
            print("models drifted from schemas/: run `make gen` and commit the result", file=sys.stderr)
            return 1
        if MODELS.exists():
            shutil.rmtree(MODELS)
        shutil.copytree(fresh, MODELS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
