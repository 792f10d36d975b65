"""The runtime's benchmark (bench/runtime.py, make bench-runtime) runs end to end on a few jobs:
every contender, its table, the ratio to pgqueuer, and the CPU a job where it can be measured."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import PostgresServer

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_runs_every_contender_and_writes_its_table(postgres: PostgresServer, tmp_path: Path) -> None:
    out = tmp_path / "benchmarks-runtime.md"
    environment = {**os.environ, "GUESTKIT_TEST_POSTGRES_DIR": str(postgres.directory)}
    command = [sys.executable, str(ROOT / "bench" / "runtime.py"), "--postgres", postgres.url]
    subprocess.run([*command, "--jobs", "60", "--workers", "1", "--out", str(out)], check=True, env=environment)
    rows = {row.split(" | ")[0].lstrip("| "): row for row in out.read_text().splitlines() if row.startswith("| ")}
    # A few jobs: figures within the clock's 10 ms ticks, even below zero once the start-up is taken off.
    cpu = r"\| -?\d+ us \| {} \|$"
    assert re.search(cpu.format("-"), rows["runtime, SQLite"]), rows  # its store's work is the workers'
    assert re.search(cpu.format(r"-?\d+ us"), rows["runtime, PostgreSQL"]), rows
    assert re.search(cpu.format(r"-?\d+ us"), next(row for name, row in rows.items() if name.startswith("pgqueuer")))
    assert re.search(r"^- 1 workers: \d+\.\d\dx$", out.read_text(), re.M)
