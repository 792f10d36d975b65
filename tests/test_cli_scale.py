"""Long runs of guestkit-job validate: worker processes, input order, and the progress line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conftest import CORPUS, EXAMPLES
from guestkit_job_spec import validate
from guestkit_job_spec.cli.main import main
from guestkit_job_spec.cli.parallel import BATCH, reports
from guestkit_job_spec.cli.progress import Progress, input_bytes
from guestkit_job_spec.cli.sources import Source
from guestkit_job_spec.report import Issue

VALID = json.dumps(json.loads((EXAMPLES / "inspect-full.json").read_bytes())).encode()
INVALID = json.dumps(json.loads((CORPUS / "profile-security.json").read_bytes())).encode()


def sources(count: int) -> list[Source]:
    """Valid, invalid, undecodable and unreadable documents, mixed so order mistakes show."""
    kinds = [
        lambda i: Source(f"doc-{i}", VALID),
        lambda i: Source(f"doc-{i}", INVALID),
        lambda i: Source(f"doc-{i}", b"{"),
        lambda i: Source(f"doc-{i}", problem=Issue("input.unreadable", "", "gone")),
    ]
    return [kinds[(i * 7) % 5 % 4](i) for i in range(count)]


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_report_every_document_in_input_order(workers: int) -> None:
    given = sources(3 * BATCH + 5)  # more than the in-process first batch, with a partial last batch
    found = list(reports(given, validate, workers))
    assert [source.name for source, _ in found] == [source.name for source in given]
    for source, report in found:
        expected = validate(source.data) if source.data is not None else None
        assert report.valid is (expected.valid if expected else False)
        assert report.errors == (expected.errors if expected else (Issue("input.unreadable", "", "gone"),))
        assert report.document is None, "decoded documents stay in the workers"


def test_a_long_json_lines_file_gives_the_same_report_with_one_or_two_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = tmp_path / "jobs.jsonl"
    documents = [source.data for source in sources(3 * BATCH) if source.data is not None]
    lines.write_bytes(b"\n".join(documents) + b"\n")
    outputs = []
    for workers in ("1", "2"):
        status = main(["validate", "--format", "json", "-j", workers, str(lines)])
        out, err = capsys.readouterr()
        assert status == 1 and err == ""
        outputs.append(out)
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[0])["documents"]) == len(documents) > 2 * BATCH


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_appears_only_after_the_delay_and_is_erased() -> None:
    terminal, clock = FakeTerminal(), Clock()
    progress = Progress(terminal, total_bytes=1000, delay=2.0, clock=clock)
    progress.advance(100, valid=True)
    clock.now += 1.9
    progress.advance(100, valid=False)
    assert terminal.getvalue() == "", "short runs show nothing"
    clock.now += 0.2
    progress.advance(300, valid=True)
    shown = terminal.getvalue()
    assert "50%" in shown and "3 documents, 1 invalid" in shown and "#" * 12 in shown
    progress.clear()
    assert terminal.getvalue().endswith("\r\x1b[K")


def test_no_progress_when_standard_error_is_not_a_terminal() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, total_bytes=None, delay=0.0, clock=clock)
    clock.now += 10
    progress.advance(1, valid=True)
    progress.clear()
    assert stream.getvalue() == ""


def test_input_size_counts_json_files_and_json_lines(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"{}")
    (tmp_path / "notes.txt").write_bytes(b"ignored")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_bytes(b"[1]")
    lines = tmp_path / "more.jsonl"
    lines.write_bytes(b"{}\n{}\n")
    assert input_bytes([str(tmp_path / "sub"), str(lines)]) == 3 + 6
    assert input_bytes([str(tmp_path)]) == 2 + 3
    assert input_bytes(["-"]) is None
