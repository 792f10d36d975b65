"""make lint-schemas: every schema, data file and example checked with check-jsonschema, the
lists read from schemas/index.json (adding a payload type or a document type adds nothing here).

- every protocol schema and meta-schema against the JSON Schema metaschema;
- each data file (the index, the rules registry, the keyword table, the state machine)
  against the meta-schema its `$schema` names;
- each example against the bundle of the document type its `$schema` names.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
CHECK = Path(sys.executable).parent / "check-jsonschema"


def check(*arguments: str | Path) -> None:
    subprocess.run([str(CHECK), *map(str, arguments)], check=True)


def main() -> int:
    index = json.loads((SCHEMAS / "index.json").read_text(encoding="utf-8"))
    kinds = ("definitions", "documents", "payloads")
    schema_files = [SCHEMAS / entry["file"] for kind in kinds for entry in index[kind].values()]
    metas = {
        json.loads(path.read_text(encoding="utf-8"))["$id"]: path for path in sorted((SCHEMAS / "meta").glob("*.json"))
    }
    check("--check-metaschema", *schema_files, *metas.values())
    for data_file in ("index.json", *(index[kind] for kind in ("rules", "keywords", "errata", "state_machine"))):
        declared = json.loads((SCHEMAS / data_file).read_text(encoding="utf-8"))["$schema"]
        meta = metas.get(declared)
        if meta is None:
            raise SystemExit(
                f"schemas/{data_file}: its $schema {declared!r} is the $id of no meta-schema in schemas/meta/"
            )
        check("--schemafile", meta, SCHEMAS / data_file)
    bundles = {
        entry["id"]: ROOT / "bundles" / entry["file"].replace(".json", ".bundle.json")
        for entry in index["documents"].values()
    }
    examples = defaultdict(list)
    for path in sorted((ROOT / "examples").glob("*.json")):
        declared = json.loads(path.read_text(encoding="utf-8")).get("$schema")
        if declared not in bundles:
            raise SystemExit(
                f"{path.relative_to(ROOT)}: $schema {declared!r} is no document type of schemas/index.json"
            )
        examples[declared].append(path)
    for schema_id, paths in examples.items():
        check("--schemafile", bundles[schema_id], *paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
