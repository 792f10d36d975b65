"""The README's Python examples run as written, on a job as small as the protocol allows
(its metadata absent: the rename example raised on exactly such a job)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT


def python_examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_readme_python_examples_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = python_examples()
    assert len(examples) >= 3
    shutil.copyfile(EXAMPLES / "inspect-minimal.json", tmp_path / "job.json")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for code in examples:  # later examples use what earlier ones imported, as a reader would
        exec(compile(code, "README.md", "exec"), namespace)
