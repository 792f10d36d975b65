"""Take the frozen snapshot of a protocol version: its schemas, its cases and their reasons.

    python tests/conformance/freeze.py 1.1

Writes tests/conformance/frozen/v<version>/: schemas/ (a copy of schemas/), cases/ (a copy of
cases/) and reasons.json (the verdict and every (rule id, pointer) of the errors and warnings
the package gives each case, in the default and the strict mode, as tests/test_frozen_v1.py
computes them). The version must be the one schemas/index.json names and the snapshot must
not exist: a snapshot is taken once, when a version is done, and never regenerated. From
then on the frozen gate holds the package to it as it holds it to v1.0's.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT / "python"), str(ROOT / "tests")]

from test_frozen_v1 import MODES, reasons  # noqa: E402


def freeze(version: str, target: Path) -> int:
    """Write the snapshot of ``version`` to ``target``; the number of cases frozen."""
    cases = [
        case
        for path in sorted((HERE / "cases").glob("*.json"))
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]
    ]
    recorded = {case["id"]: {mode: reasons(case, strict) for mode, strict in MODES.items()} for case in cases}
    shutil.copytree(ROOT / "schemas", target / "schemas")
    shutil.copytree(HERE / "cases", target / "cases")
    today = datetime.date.today().isoformat()
    reasons_file = {
        "description": f"The reasons of every v{version} case in both modes: the verdict and every (rule id, "
        f"pointer) of the errors and warnings the package gave, recorded once on {today} by freeze.py. The frozen "
        "gate (tests/test_frozen_v1.py) holds the current package to them.",
        "cases": recorded,
    }
    (target / "reasons.json").write_text(json.dumps(reasons_file, indent=1) + "\n", encoding="utf-8")
    return len(cases)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("version", help="the protocol version, as schemas/index.json names it (1.1)")
    args = parser.parse_args()
    named = json.loads((ROOT / "schemas" / "index.json").read_text(encoding="utf-8"))["protocol_version"]
    if args.version != named:
        print(f"schemas/index.json names protocol {named}, not {args.version}", file=sys.stderr)
        return 2
    target = HERE / "frozen" / f"v{args.version}"
    if target.exists():
        print(f"{target.relative_to(ROOT)} exists: a snapshot is never regenerated", file=sys.stderr)
        return 1
    count = freeze(args.version, target)
    print(f"froze {count} cases in {target.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
