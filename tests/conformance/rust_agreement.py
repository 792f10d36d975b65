"""The Rust crate's reports against the Python package's, case by case: `make conformance`.

The crate's runner (rust/tests/conformance.rs) holds it to each case's verdict and expected
pairs, which a case lists "at least"; this holds it to the reference report itself: the same
type, verdict and (rule, pointer) pairs, errors and warnings apart, on every document and text
case. Messages are compared too and their differences counted (they are for people; a
difference is reported, not failed). Exits 1 on any difference of pairs.

    python tests/conformance/rust_agreement.py REPORTS.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from test_conformance import CASES, validate_case


def pairs(report: dict[str, Any], key: str) -> list[tuple[str, str]]:
    return sorted((issue["rule"], issue["pointer"]) for issue in report[key])


def main() -> int:
    rust = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    failed = worded_apart = compared = 0
    for case in CASES:
        if case["kind"] not in ("document", "text"):
            continue
        compared += 1
        python = validate_case(case, "reference").to_dict()
        mine = rust.get(case["id"])
        if mine is None:
            failed += 1
            print(f"FAIL {case['id']}: no Rust report")
            continue
        problems = [f"type {mine['type']!r}, Python {python['type']!r}"] if mine["type"] != python["type"] else []
        if mine["valid"] != python["valid"]:
            problems.append(f"valid {mine['valid']}, Python {python['valid']}")
        for key in ("errors", "warnings"):
            if pairs(mine, key) != pairs(python, key):
                problems.append(f"{key} {pairs(mine, key)}, Python {pairs(python, key)}")
        if problems:
            failed += 1
            print(f"FAIL {case['id']}: {'; '.join(problems)}")
        elif mine["errors"] + mine["warnings"] != python["errors"] + python["warnings"]:
            worded_apart += 1
    print(f"Rust and Python reports: {compared - failed} of {compared} cases agree to the pair; ")
    print(f"{compared - failed - worded_apart} of them word every issue alike, in the same order")
    print(f"{compared - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
