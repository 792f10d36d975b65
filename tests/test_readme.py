"""The README's Python examples run as written, on a job as small as the protocol allows
(its metadata absent: the rename example raised on exactly such a job), and pass a
consumer's ``mypy --strict`` (the typed example once did not)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from mypy import api as mypy

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


def test_the_readme_python_examples_pass_mypy_strict(tmp_path: Path) -> None:
    script = tmp_path / "readme_examples.py"
    script.write_text("\n".join(python_examples()), encoding="utf-8")
    out, err, status = mypy.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(script)])
    assert status == 0, out + err
