"""Write the Python package's report of every document and text case, for runners in other languages.

    python tests/conformance/reports.py OUTPUT

A case lists the (rule, pointer) pairs a report holds at least; a runner that must give the
package's report exactly (the Go module's, with GUESTKIT_REFERENCE_REPORTS=OUTPUT) compares
with these: ``{case id: {"valid", "errors": [{rule, pointer, message}], "warnings": [...]}}``. The
bytes validated are the case's as tests/test_conformance.py gives them.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

from guestkit_job_spec import Limits, validate

CASES = Path(__file__).parent / "cases"


def case_input(case: dict[str, Any]) -> bytes:
    if case["kind"] == "text":
        return case["text"].encode("utf-8") if "text" in case else base64.b64decode(case["base64"])
    return json.dumps(case["document"], ensure_ascii=False).encode("utf-8")


def reports() -> dict[str, Any]:
    found = {}
    for path in sorted(CASES.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            if case["kind"] not in ("document", "text"):
                continue
            limits = Limits(**case.get("limits", {}))
            report = validate(case_input(case), type=case["type"], strict=case["strict"], limits=limits)
            found[case["id"]] = {
                "valid": report.valid,
                "errors": [{"rule": i.rule, "pointer": i.pointer, "message": i.message} for i in report.errors],
                "warnings": [{"rule": i.rule, "pointer": i.pointer, "message": i.message} for i in report.warnings],
            }
    return found


if __name__ == "__main__":
    Path(sys.argv[1]).parent.mkdir(parents=True, exist_ok=True)
    Path(sys.argv[1]).write_text(json.dumps(reports(), indent=1) + "\n", encoding="utf-8")
