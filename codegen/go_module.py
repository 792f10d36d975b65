"""Regenerate the Go module's generated part (go/), or check that it is up to date.

    python codegen/go_module.py           rewrite go/schemas/, go/bundles/ and go/models_gen.go
    python codegen/go_module.py --check   exit 1 and show the difference if they drift

- go/schemas/, go/bundles/: byte copies of schemas/ and bundles/ that the module embeds
  (go:embed reads only files below the module's folder);
- go/models_gen.go: one struct per class of the schemas (go_types.py), formatted by gofmt.

Run after generate.py, which writes bundles/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from generate import ROOT, folders_drifted, replace_folders, report_drift
from go_types import render

GO = ROOT / "go"
COPIED = ("schemas", "bundles")
MODELS = "models_gen.go"


def gofmt(source: str) -> str:
    """The source as gofmt prints it (the GOFMT the Makefile gives, else gofmt from PATH)."""
    tool = os.environ.get("GOFMT") or shutil.which("gofmt") or "gofmt"
    return subprocess.run([tool], input=source, capture_output=True, text=True, check=True).stdout


def write(destination: Path) -> None:
    for name in COPIED:
        shutil.copytree(ROOT / name, destination / name)
    (destination / MODELS).write_text(gofmt(render(ROOT / "schemas")), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of rewriting")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        fresh = Path(work)
        write(fresh)
        if args.check:
            drifted = folders_drifted([(fresh / name, GO / name) for name in COPIED], "go/")
            current = (GO / MODELS).read_text(encoding="utf-8") if (GO / MODELS).exists() else ""
            drifted |= report_drift({MODELS: (fresh / MODELS).read_text(encoding="utf-8")}, {MODELS: current}, "go")
            if drifted:
                print("go/ drifted from schemas/: run `make gen` and commit the result", file=sys.stderr)
                return 1
            return 0
        replace_folders([(fresh / name, GO / name) for name in COPIED])
        shutil.copyfile(fresh / MODELS, GO / MODELS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
