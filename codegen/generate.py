"""Regenerate what is derived from the schemas, or check that it is up to date.

    python codegen/generate.py           rewrite typed/models/, bundles/, docs/reference/ and the prover's C
    python codegen/generate.py --check   exit 1 and show the difference if they drift

- typed/models/: Python dataclasses, by datamodel-code-generator;
- bundles/: one self-contained schema per document type (protocol.bundling), and its
  closed variant that also rejects unknown fields (protocol.closed_bundles);
- docs/reference/: the field-by-field reference (tools.reference_docs);
- the prover's schema functions in C, validation/fast/c/generated/schemas.h (codegen/c_prover.py).

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
PACKAGE = ROOT / "python" / "guestkit_job_spec"
MODELS = PACKAGE / "typed" / "models"
BUNDLES = ROOT / "bundles"
REFERENCE = ROOT / "docs" / "reference"
PROVER_SCHEMAS = PACKAGE / "validation" / "fast" / "c" / "generated" / "schemas.h"
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


def write_bundles(destination: Path) -> None:
    sys.path.insert(0, str(ROOT / "python"))
    from guestkit_job_spec.protocol import bundling, closed_bundles, resources

    destination.mkdir(parents=True)
    for doc_type, entry in resources.index()["documents"].items():
        for suffix, schema in (
            (".bundle.json", bundling.bundle(doc_type)),
            (".closed.bundle.json", closed_bundles.closed_bundle(doc_type)),
        ):
            text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
            (destination / entry["file"].replace(".json", suffix)).write_text(text, encoding="utf-8")


def write_reference(destination: Path) -> None:
    sys.path.insert(0, str(ROOT / "python"))
    from guestkit_job_spec.tools import reference_docs

    destination.mkdir(parents=True)
    for name, text in reference_docs.pages().items():
        (destination / name).write_text(text, encoding="utf-8")


def prover_schemas() -> str:
    sys.path.insert(0, str(ROOT / "python"))
    from c_prover import render

    from guestkit_job_spec.protocol import closed_bundles, resources

    return render(
        list(resources.document_types()),
        closed_bundles.closed_bundle,
        closed_bundles.closed_resources,
        sorted(resources.payload_types()),
        resources.schemas_digest(),
    )


def files_below(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def report_drift(expected: dict[str, str], actual: dict[str, str], label: str) -> bool:
    """Print a diff of what differs; True when anything does."""
    if expected == actual:
        return False
    for name in sorted(expected.keys() | actual.keys()):
        sys.stdout.writelines(
            difflib.unified_diff(
                actual.get(name, "").splitlines(keepends=True),
                expected.get(name, "").splitlines(keepends=True),
                f"committed/{label}/{name}",
                f"generated/{label}/{name}",
            )
        )
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of rewriting")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        fresh_models, fresh_bundles, fresh_reference = (
            Path(work) / name for name in ("models", "bundles", "reference")
        )
        generate(fresh_models)
        write_bundles(fresh_bundles)
        write_reference(fresh_reference)
        outputs = ((fresh_models, MODELS), (fresh_bundles, BUNDLES), (fresh_reference, REFERENCE))
        fresh_prover = prover_schemas()
        if args.check:
            drifted = report_drift(
                {PROVER_SCHEMAS.name: fresh_prover},
                {PROVER_SCHEMAS.name: PROVER_SCHEMAS.read_text(encoding="utf-8")} if PROVER_SCHEMAS.exists() else {},
                "prover",
            )
            for fresh, target in outputs:
                drifted |= report_drift(files_below(fresh), files_below(target), target.name)
            if drifted:
                print("generated files drifted from schemas/: run `make gen` and commit the result", file=sys.stderr)
                return 1
            return 0
        for fresh, target in outputs:
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(fresh, target)
        PROVER_SCHEMAS.write_text(fresh_prover, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
