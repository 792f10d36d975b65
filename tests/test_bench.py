"""make bench still runs: the benchmark script on tiny inputs. It measures nothing here
(no timed assertions in the tests); it only has to produce every section of the report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_the_benchmark_runs_and_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    for heading in (
        "| goal | measured | met |",
        "## Per document",
        "## The Go module",
        "## An invalid document",
        "## Realistic documents",
        "```mermaid",
        "## The mistakes people make",
        "## The CLI over many documents",
        "## Start-up",
        "## Scale",
        "## Adversarial shapes",
    ):
        assert heading in text
