"""Long runs of guestkit-job validate: worker processes, input order, and the progress line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conftest import CORPUS, EXAMPLES
from guestkit_job_spec import validate
from guestkit_job_spec.cli.main import main
from guestkit_job_spec.cli.parallel import checked
from guestkit_job_spec.cli.progress import Progress, input_bytes
from guestkit_job_spec.cli.sources import BATCH_BYTES, BATCH_DOCUMENTS, Ready, Source, batches
from guestkit_job_spec.protocol.limits import DEFAULT_LIMITS, Limits
from guestkit_job_spec.protocol.report import Issue

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
    given = sources(7 * 50 + 3)
    batches = [Ready(tuple(given[start : start + 50])) for start in range(0, len(given), 50)]
    found = list(checked(batches, validate, workers))
    assert [document.name for document in found] == [source.name for source in given]
    for source, document in zip(given, found, strict=True):
        expected = validate(source.data) if source.data is not None else None
        assert document.report.valid is (expected.valid if expected else False)
        assert document.report.errors == (expected.errors if expected else (Issue("input.unreadable", "", "gone"),))
        assert document.report.document is None, "decoded documents stay in the workers"
        assert document.size == len(source.data or b"")


def test_a_folder_and_its_problems_keep_listing_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "jobs"
    folder.mkdir()
    for number in range(BATCH_DOCUMENTS + 10):
        (folder / f"{number:04d}.json").write_bytes(VALID if number % 3 else INVALID)
    (folder / "0100.json").unlink()
    (folder / "0100.json").symlink_to(folder / "0100.json")  # a loop: unreadable, reported in place
    outputs = []
    for workers in ("1", "2"):
        assert main(["validate", "--format", "json", "-j", workers, str(folder)]) == 1
        outputs.append(json.loads(capsys.readouterr().out)["documents"])
    assert outputs[0] == outputs[1]
    names = [Path(document["source"]).name for document in outputs[0]]
    assert names == sorted(names) and len(names) == BATCH_DOCUMENTS + 10
    assert outputs[0][100]["errors"][0]["rule"] == "input.unreadable"


def test_a_long_json_lines_file_gives_the_same_report_with_one_or_two_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = tmp_path / "jobs.jsonl"
    documents = [source.data for source in sources(3 * BATCH_DOCUMENTS) if source.data is not None]
    lines.write_bytes(b"\n".join(documents) + b"\n")
    outputs = []
    for workers in ("1", "2"):
        status = main(["validate", "--format", "json", "-j", workers, str(lines)])
        out, err = capsys.readouterr()
        assert status == 1 and err == ""
        outputs.append(out)
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[0])["documents"]) == len(documents) > 2 * BATCH_DOCUMENTS


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


def test_json_lines_batches_keep_every_line_and_its_number(tmp_path: Path) -> None:
    lines = [b'{"n": %d}' % n if n % 5 else b"" for n in range(1, 3001)]
    lines[1000] = b'{"long": "' + b"x" * (2 * BATCH_BYTES) + b'"}'  # longer than a block
    path = tmp_path / "many.jsonl"
    path.write_bytes(b"\n".join(lines))  # no final newline
    found = [(s.name, s.line, s.data) for batch in batches([str(path)], DEFAULT_LIMITS) for s in batch.sources()]
    expected = [(str(path), n, line) for n, line in enumerate(lines, 1) if line]
    assert found == expected


def test_an_endless_line_is_reported_too_large_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "endless.jsonl"
    path.write_bytes(VALID + b"\n" + b"x" * (3 * BATCH_BYTES) + b"\n" + VALID + b"\n" + b"y" * (2 * BATCH_BYTES))
    limits = Limits(max_document_bytes=BATCH_BYTES // 2)
    found = [s for batch in batches([str(path)], limits) for s in batch.sources()]
    assert [(s.name, s.line) for s in found] == [(str(path), n) for n in (1, 2, 3, 4)]
    assert [s.data for s in found[::2]] == [VALID, VALID]
    assert [s.problem.rule if s.problem else None for s in found] == [None, "json.size", None, "json.size"]
