"""The guestkit-job command line: inputs, outputs, exit status, and no traceback on any input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import test_upstream_corpus
from conftest import CORPUS, EXAMPLES, ROOT
from guestkit_job_spec import all_rules, validate
from guestkit_job_spec.cli.main import main

VALID_JOB = (EXAMPLES / "inspect-minimal.json").read_bytes()
INVALID_JOB = (CORPUS / "profile-security.json").read_bytes()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_valid_file_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "validate", str(EXAMPLES / "inspect-full.json"))
    assert status == 0
    assert out.splitlines() == [
        f"{EXAMPLES / 'inspect-full.json'}: valid (job)",
        "1 document: 1 valid, 0 invalid, 0 warnings",
    ]


def test_invalid_file_exits_one_and_names_rule_and_pointer(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "validate", str(CORPUS / "profile-security.json"))
    lines = out.splitlines()
    assert status == 1
    assert lines[1].startswith("  error /payload/data/image/checksum: ") and lines[1].endswith("[checksum.format]")
    assert lines[-1] == "1 document: 0 valid, 1 invalid, 0 warnings"


def test_folder_is_searched_for_json_files_in_name_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.json").write_bytes(VALID_JOB)
    (tmp_path / "a.json").write_bytes(VALID_JOB)
    (tmp_path / "notes.txt").write_text("not a document")
    status, out, _ = run(capsys, "validate", "--format", "json", str(tmp_path))
    result = json.loads(out)
    assert status == 0
    assert [d["source"] for d in result["documents"]] == [str(tmp_path / "a.json"), str(tmp_path / "b" / "z.json")]


def test_json_output_is_exactly_one_object_of_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "validate", "--format", "json", str(CORPUS))
    result = json.loads(out)
    assert status == 1
    assert set(result) == {"documents", "summary"}
    documents = result["documents"]
    valid = sum(document["valid"] for document in documents)
    warnings = sum(len(document["warnings"]) for document in documents)
    assert result["summary"] == {
        "documents": 14,
        "valid": valid,
        "invalid": 14 - valid,
        "warnings": warnings,
        "skipped": 0,
    }
    assert (valid, warnings) == (
        9,
        len([p for p in CORPUS.glob("*.json") if test_upstream_corpus.unregistered(p.name)]),
    )
    for document in result["documents"]:
        assert set(document) == {"source", "line", "type", "valid", "errors", "warnings"}
        for issue in document["errors"] + document["warnings"]:
            assert set(issue) == {"rule", "pointer", "message"}


def test_strict_turns_warnings_into_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unregistered = json.loads((CORPUS / "worker-echo-test.json").read_bytes())
    unregistered["payload"]["type"] = "system.echo.v9"  # a version no schema is registered for: a warning
    path = str(tmp_path / "echo-v9.json")
    Path(path).write_text(json.dumps(unregistered), encoding="utf-8")
    assert run(capsys, "validate", path)[0] == 0
    assert run(capsys, "validate", "--strict", path)[0] == 1


def test_json_lines_report_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = tmp_path / "jobs.jsonl"
    compact = json.dumps(json.loads(VALID_JOB)).encode()
    lines.write_bytes(compact + b"\n\n" + compact[:-1] + b"\n" + compact + b"\n")
    status, out, _ = run(capsys, "validate", "--format", "json", str(lines))
    documents = json.loads(out)["documents"]
    assert status == 1
    assert [(d["source"], d["line"], d["valid"]) for d in documents] == [
        (str(lines), 1, True),
        (str(lines), 3, False),
        (str(lines), 4, True),
    ]
    status, out, _ = run(capsys, "validate", "--format", "json", "-q", str(lines))
    assert [(d["line"], d["valid"]) for d in json.loads(out)["documents"]] == [(3, False)]
    assert json.loads(out)["summary"]["documents"] == 3


def test_valid_json_lines_are_counted_not_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run of 100,000 lines printed 99,000 'valid (job)' lines around the few that matter."""
    lines = tmp_path / "jobs.jsonl"
    compact = json.dumps(json.loads(VALID_JOB)).encode()
    lines.write_bytes(b"\n".join([compact] * 5 + [compact[:-1]] + [compact] * 4) + b"\n")
    status, out, _ = run(capsys, "validate", str(lines))
    assert status == 1
    assert out.splitlines()[0] == f"{lines}:6: invalid, 1 error"
    assert f"{lines}: 9 lines valid, nothing to report" in out
    assert "valid (job)" not in out


def test_standard_input_as_json_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    compact = json.dumps(json.loads(VALID_JOB)).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(compact + b"\n{}\n" + compact + b"\n")))
    status, out, _ = run(capsys, "validate", "--jsonl", "--format", "json", "-")
    assert status == 1
    assert [(d["source"], d["line"], d["valid"]) for d in json.loads(out)["documents"]] == [
        ("<stdin>", 1, True),
        ("<stdin>", 2, False),
        ("<stdin>", 3, True),
    ]


def test_several_documents_on_standard_input_get_a_hint_to_use_jsonl(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    compact = json.dumps(json.loads(VALID_JOB)).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(compact + b"\n" + compact + b"\n")))
    status, out, err = run(capsys, "validate", "-")
    assert status == 1 and "[json.trailing-data]" in out
    assert "give --jsonl to read it as JSON Lines" in err


def test_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(VALID_JOB)))
    status, out, _ = run(capsys, "validate", "-")
    assert status == 0 and out.startswith("<stdin>: valid (job)")


def test_type_can_be_forced(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "validate", "--type", "result", str(EXAMPLES / "inspect-minimal.json"))
    assert status == 1 and "(result)" in out


# What --skip-unknown (the pre-commit hook's) skips: files that are surely no protocol documents.
SKIPPED = {
    "package.json": b'{"name": "my-app", "version": "1.0.0", "scripts": {"test": "jest"}}',
    "tsconfig.json": b'{\n  // a comment\n  "compilerOptions": {"strict": true}\n}\n',
    "list.json": b'["a", "b"]',
    "empty.json": b"",
}
# ... and what it still reports: each names a job_id or worker_id member.
REPORTED = {
    "a-job-with-a-trailing-comma.json": VALID_JOB.rstrip().removesuffix(b"}") + b",}",
    "too-few-members.json": b'{"job_id": "job-12345678", "worker_id": "w-1"}',
    "an-array-of-jobs.json": b"[" + VALID_JOB + b"]",
    "a-typo.json": VALID_JOB.replace(b'"job_id"', b'"execution": {"priorty": 8}, "job_id"'),
}


def test_skip_unknown_skips_what_is_surely_no_protocol_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, data in {**SKIPPED, **REPORTED, "good.json": VALID_JOB}.items():
        (tmp_path / name).write_bytes(data)
    status, out, _ = run(capsys, "validate", "--strict", "--skip-unknown", str(tmp_path))
    listed = dict(line.split(": ", 1) for line in out.splitlines() if line.startswith(str(tmp_path)))
    assert status == 1
    assert {Path(source).name for source, said in listed.items() if said.startswith("skipped, ")} == set(SKIPPED)
    assert {Path(source).name for source, said in listed.items() if said.startswith("invalid")} == set(REPORTED)
    assert listed[str(tmp_path / "package.json")] == (
        "skipped, no protocol document (no type can be told, and it names no job_id or lease_id or worker_id)"
    )
    assert out.splitlines()[-1] == "5 documents: 1 valid, 4 invalid, 0 warnings; 4 files skipped, no protocol document"
    assert "unknown field 'priorty': did you mean 'priority'?" in out

    status, out, _ = run(capsys, "validate", "--strict", "--skip-unknown", "-q", "--format", "json", str(tmp_path))
    result = json.loads(out)
    assert status == 1
    assert result["summary"] == {"documents": 5, "valid": 1, "invalid": 4, "warnings": 0, "skipped": 4}
    assert {Path(d["source"]).name for d in result["documents"]} == set(REPORTED)

    status, out, _ = run(capsys, "validate", "--format", "json", "--skip-unknown", str(tmp_path / "package.json"))
    assert json.loads(out)["documents"] == [{"source": str(tmp_path / "package.json"), "line": None, "skipped": True}]
    assert status == 0  # nothing but files that are no protocol documents: nothing invalid

    status, out, _ = run(capsys, "validate", str(tmp_path / "package.json"))
    assert status == 1 and "[document.type-unknown]" in out  # without the option, as before


def test_skip_unknown_is_the_same_on_every_core(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The skip is decided where the document is checked (the bytes stay in the worker)."""
    kinds = [VALID_JOB, SKIPPED["package.json"], REPORTED["too-few-members.json"], SKIPPED["tsconfig.json"]]
    for number in range(600):
        (tmp_path / f"{number:04d}.json").write_bytes(kinds[number % 7 % 4])
    outputs = []
    for workers in ("1", "2"):
        status, out, _ = run(capsys, "validate", "--skip-unknown", "--format", "json", "-j", workers, str(tmp_path))
        assert status == 1
        outputs.append(json.loads(out))
    assert outputs[0] == outputs[1]
    assert outputs[0]["summary"]["skipped"] == sum(number % 7 % 4 in (1, 3) for number in range(600))


def test_skip_unknown_needs_the_type_told(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "validate", "--type", "job", "--skip-unknown", str(EXAMPLES / "inspect-full.json"))
    assert (status, out) == (2, "")
    assert "--skip-unknown applies only with --type auto" in err


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It was '1 invalid' with exit 1, as if a document had been read and refused."""
    status, out, err = run(capsys, "validate", str(EXAMPLES / "inspect-minimal.json"), str(tmp_path / "nope.json"))
    assert status == 2
    assert out == "" and f"no such file or folder: {tmp_path / 'nope.json'}" in err


@pytest.mark.parametrize("folder_name", ["empty", "looks-like.json"])
def test_nothing_to_validate_is_a_usage_error(
    folder_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty folder, or a folder named x.json, gave '0 documents' and exit 0: a CI step
    pointed at the wrong place passed."""
    (tmp_path / folder_name).mkdir()
    status, out, err = run(capsys, "validate", str(tmp_path / folder_name))
    assert status == 2
    assert "0 documents" in out and "no documents found" in err


@pytest.mark.parametrize(("invalid_first", "status"), [(True, 1), (False, 141)])
def test_a_reader_that_goes_away_leaves_no_false_success(invalid_first: bool, status: int, tmp_path: Path) -> None:
    """`validate -q big.jsonl | head -1` exited 0 after printing an invalid document."""
    compact = json.dumps(json.loads(VALID_JOB)).encode()
    bad = compact[:-1]
    lines = [bad, *([compact] * 50_000)] if invalid_first else [*([compact] * 50_000), bad]
    path = tmp_path / "jobs.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    script = 'set -o pipefail; guestkit-job validate -j 1 --format json "$1" | head -c 100 > /dev/null'
    bin_folder = Path(sys.executable).parent
    environment = {**os.environ, "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.run(["bash", "-c", script, "bash", str(path)], env=environment, capture_output=True, text=True)
    assert process.returncode == status, process.stderr
    assert "Traceback" not in process.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["validate"],
        ["validate", "--type", "jobs", "x.json"],
        ["validate", "--max-depth", "500", "x"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_two(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["validate"], ["rules"]])
def test_help_teaches_with_an_example(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "examples:\n  guestkit-job " in capsys.readouterr().out


def test_colour_only_when_asked_or_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CORPUS / "profile-security.json")
    assert "\033[31m" in run(capsys, "validate", "--color", "always", path)[1]
    assert "\033[" not in run(capsys, "validate", path)[1]  # captured output is not a terminal


def test_quiet_lists_only_documents_with_problems(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "validate", "--quiet", str(CORPUS))
    assert "inspect-minimal.json" not in out
    assert "profile-security.json: invalid" in out and "worker-echo-test.json" not in out


def test_rules_lists_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "rules", "checksum.format")
    header, row = out.splitlines()
    assert status == 0 and header.split() == ["RULE", "SEVERITY", "LAYER", "SUMMARY"]
    assert row.startswith("checksum.format ") and "64 lower-case hex" in row
    assert run(capsys, "rules", "no.such-rule")[0] == 2


def test_rules_takes_the_start_of_ids_and_keeps_columns_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    """`rules checksum` found nothing, and a strict severity pushed its row's columns out of line."""
    status, out, _ = run(capsys, "rules", "checksum", "document.unknown-field")
    lines = out.splitlines()
    assert status == 0 and [line.split()[0] for line in lines[1:]] == ["checksum.format", "document.unknown-field"]
    rules = all_rules()
    layer_starts = {line.index(f"  {rules[line.split()[0]].layer}  ") for line in lines[1:]}
    assert layer_starts == {lines[0].index("  LAYER  ")}, out
    status, _, err = run(capsys, "rules", "checksm")
    assert status == 2 and "did you mean checksum.format?" in err


def test_hostile_inputs_never_print_a_traceback(tmp_path: Path) -> None:
    """Run the installed console script over a folder of everything that could go wrong."""
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "binary.json").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "truncated.json").write_bytes(VALID_JOB[: len(VALID_JOB) // 2])
    (tmp_path / "nested.json").write_bytes(b"[" * 200_000 + b"]" * 200_000)
    (tmp_path / "array.json").write_bytes(b"[1, 2, 3]")
    (tmp_path / "huge.json").write_bytes(b'{"a": "' + b"x" * (50 * 1024 * 1024) + b'"}')
    os.symlink(tmp_path / "gone.json", tmp_path / "dangling.json")
    os.symlink(tmp_path, tmp_path / "loop")  # a link to a folder is not followed
    (tmp_path / "ok.json").write_bytes(VALID_JOB)
    process = subprocess.run(
        [str(Path(sys.executable).parent / "guestkit-job"), "validate", "--format", "json", str(tmp_path)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 1
    assert process.stderr == b""
    verdicts = {
        Path(d["source"]).name: [e["rule"] for e in d["errors"]] for d in json.loads(process.stdout)["documents"]
    }
    assert verdicts == {
        "array.json": ["schema.type"],
        "binary.json": ["json.syntax"],
        "dangling.json": ["input.unreadable"],
        "empty.json": ["json.syntax"],
        "huge.json": ["json.size"],
        "nested.json": ["json.depth"],
        "ok.json": [],
        "truncated.json": ["json.syntax"],
    }


def test_module_entry_point() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "guestkit_job_spec.cli", "validate", str(EXAMPLES)],
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    assert process.returncode == 0, process.stderr


def test_validate_loads_neither_the_typed_layer_nor_openssl() -> None:
    """Start-up and memory are benchmarked goals: only ``new`` needs the typed layer's payload
    forms (~50 ms), and hashlib loads OpenSSL (4 MB of the CLI's 30)."""
    script = (
        "import sys; from guestkit_job_spec.cli.main import main; status = main(['validate', '-q', sys.argv[1]]); "
        "print(sorted(name for name in sys.modules if name.startswith(('guestkit_job_spec.typed', '_hashlib'))));"
        " sys.exit(status)"
    )
    process = subprocess.run(
        [sys.executable, "-c", script, str(EXAMPLES)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip().splitlines()[-1] == "[]"


def test_permission_denied_is_an_invalid_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Root reads every file, so the refusal is simulated where the CLI opens files."""
    (tmp_path / "a.json").write_bytes(VALID_JOB)
    (tmp_path / "secret.json").write_bytes(VALID_JOB)
    real_open = open

    def refusing_open(path: str, *args: object, **kwargs: object) -> object:
        if str(path).endswith("secret.json"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", refusing_open)
    status, out, _ = run(capsys, "validate", str(tmp_path))
    assert status == 1
    assert f"{tmp_path / 'a.json'}: valid" in out
    assert f"cannot read {tmp_path / 'secret.json'}: Permission denied [input.unreadable]" in out


def test_new_prints_a_valid_job(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "new",
        "guestkit.profile",
        "--image",
        "/vms/db.qcow2",
        "--profile",
        "security",
        "--priority",
        "8",
        "--label",
        "env=prod",
    )
    document = json.loads(out)
    assert status == 0
    assert document["payload"] == {
        "type": "guestkit.profile.v1",
        "data": {"image": {"path": "/vms/db.qcow2", "format": "qcow2"}, "profiles": ["security"]},
    }
    assert document["execution"] == {"priority": 8} and document["metadata"] == {"labels": {"env": "prod"}}


@pytest.mark.parametrize(
    "args",
    [
        ["guestkit.inspect", "--image", "/vms/a.vmdk"],
        ["guestkit.fix", "--image", "/vms/a.raw", "--fix", "fsck", "--fix", "initramfs_regenerate"],
        ["guestkit.convert", "--image", "/in/a.vmdk", "--target", "/out/a.qcow2"],
        ["guestkit.compare", "--baseline", "/g/base.qcow2", "--target", "/vms/a.qcow2"],
        ["system.echo", "--message", "hi"],
        ["acme.backup", "--data", '{"volume": "data"}'],
    ],
)
def test_new_makes_every_operation(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "new", *args)
    assert status == 0
    assert validate(out).valid


def test_new_help_says_what_every_constraint_flag_sets(capsys: pytest.CaptureFixture[str]) -> None:
    """--require-capability and --require-feature had no help text."""
    with pytest.raises(SystemExit):
        main(["new", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "constraints.required_capabilities" in help_text and "constraints.required_features" in help_text


def test_new_compare_takes_the_image_formats(capsys: pytest.CaptureFixture[str]) -> None:
    """--format was accepted and ignored for compare, and paths without an extension had no way in."""
    base = ["new", "guestkit.compare", "--baseline", "/vms/a", "--target", "/vms/b"]
    status, out, _ = run(capsys, *base, "--format", "raw")
    assert status == 0
    data = json.loads(out)["payload"]["data"]
    assert (data["baseline"]["format"], data["target"]["format"]) == ("raw", "raw")
    status, out, _ = run(capsys, *base, "--format", "raw", "--target-format", "qcow2")
    data = json.loads(out)["payload"]["data"]
    assert status == 0 and (data["baseline"]["format"], data["target"]["format"]) == ("raw", "qcow2")


def test_new_writes_atomically_and_leaves_no_temporary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "job.json"
    target.write_text("old")
    status, out, err = run(capsys, "new", "guestkit.inspect", "--image", "/a.qcow2", "-o", str(target))
    assert status == 0 and out == "" and "wrote" in err
    assert json.loads(target.read_text())["operation"] == "guestkit.inspect"
    assert [p.name for p in tmp_path.iterdir()] == ["job.json"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["guestkit.inspect"], "guestkit.inspect needs --image"),
        (["guestkit.inspect", "--image", "/a.qcow2", "--priority", "11"], "rejected, not clamped"),
        (["guestkit.inspect", "--image", "/a/disk"], "cannot tell the image format"),
        (["guestkit.profile", "--image", "/a.qcow2"], "at least one --profile"),
        (["acme.backup"], "give its data with --data JSON"),
        (["acme.backup", "--data", "{oops"], "--data is not JSON"),
        (["guestkit.inspect", "--image", "/a.qcow2", "--label", "novalue"], "KEY=VALUE"),
        (["guestkit.inspect", "--image", "/a.qcow2", "--fix", "fsck"], "--fix does not apply to guestkit.inspect"),
        (["guestkit.inspect", "--image", "/a.qcow2", "--data", "{}"], "--data does not apply to guestkit.inspect"),
        (["acme.backup", "--data", "{}", "--image", "/a.qcow2"], "--image applies only to guestkit.inspect"),
        # The flag named is the one that gives the format asked for (it said --format for a target).
        (["guestkit.convert", "--image", "/in/a.img", "--target", "/vms/a", "--format", "raw"], "--target-format"),
        (["guestkit.compare", "--baseline", "/g/base.qcow2", "--target", "/vms/a"], "--target-format"),
    ],
)
def test_new_usage_errors_explain_themselves(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["new", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_new_reports_an_invalid_result_with_its_rules(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "new", "guestkit.inspect", "--image", "/vms/../x.qcow2")
    assert status == 1 and out == ""
    assert "[path.safe]" in err


def test_a_file_that_vanishes_mid_run_is_an_invalid_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.json").write_bytes(VALID_JOB)
    (tmp_path / "b.json").write_bytes(VALID_JOB)
    real_open = open

    def open_after_deleting(path: str, *args: object, **kwargs: object) -> object:
        if str(path).endswith("b.json"):
            os.unlink(path)  # listed by the folder walk, gone by the time it is read
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", open_after_deleting)
    status, out, _ = run(capsys, "validate", str(tmp_path))
    assert status == 1
    assert f"cannot read {tmp_path / 'b.json'}: No such file or directory [input.unreadable]" in out


def test_symlink_loop_file_is_an_invalid_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.symlink(tmp_path / "loop-b.json", tmp_path / "loop-a.json")
    os.symlink(tmp_path / "loop-a.json", tmp_path / "loop-b.json")
    status, out, _ = run(capsys, "validate", str(tmp_path))
    assert status == 1
    assert out.count("[input.unreadable]") == 2 and "Too many levels of symbolic links" in out


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "job.json"
    target.write_text("old")

    def refuse(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    status, _, err = run(capsys, "new", "guestkit.inspect", "--image", "/a.qcow2", "-o", str(target))
    assert status == 1 and f"cannot write {target}: No space left on device" in err
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["job.json"]


def test_a_form_may_take_a_boolean_flag(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from guestkit_job_spec.typed.helpers import FORMS, IMAGE, Flag, Form, inspect_job
    from guestkit_job_spec.typed.models.payloads.guestkit_inspect_v1 import InspectOptions

    def make(given: Any) -> Any:
        return inspect_job(given["image"], options=InspectOptions(deep_scan=given["deep_scan"]))

    deep = Flag("deep_scan", "", "scan deeply", required=False, boolean=True)
    monkeypatch.setitem(FORMS, "guestkit.inspect", Form("guestkit.inspect.v1", (IMAGE, deep), make, ()))
    for flag, value in (("--deep-scan", True), ("--no-deep-scan", False)):
        assert main(["new", "guestkit.inspect", "--image", "/a.qcow2", flag]) == 0
        assert json.loads(capsys.readouterr().out)["payload"]["data"]["options"]["deep_scan"] is value


def test_forms_that_take_a_flag_differently_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from guestkit_job_spec.typed.helpers import FORMS, Flag, Form

    twice = Form("guestkit.compare.v1", (Flag("image", "PATH", "images", repeated=True),), lambda given: None, ())
    monkeypatch.setitem(FORMS, "guestkit.compare", twice)
    with pytest.raises(ValueError, match="take --image differently"):
        main(["new", "--help"])


def test_job_checks_each_result_against_the_job(capsys: pytest.CaptureFixture[str]) -> None:
    job, answered, other = (
        str(EXAMPLES / name) for name in ("doctor-basic.json", "result-doctor.json", "result-completed.json")
    )
    status, out, _ = run(capsys, "validate", "--job", job, answered, other, job)
    assert status == 1
    assert "result-doctor.json: valid (result)" in out and "doctor-basic.json: valid (job)" in out
    assert "[result.job.mismatch]" in out and "/data/bootability: required field" in out


@pytest.mark.parametrize(("given", "said"), [("nope.json", "No such file"), ("result-doctor.json", "is not a job")])
def test_job_must_be_a_job_file(capsys: pytest.CaptureFixture[str], given: str, said: str) -> None:
    status, _, err = run(capsys, "validate", "--job", str(EXAMPLES / given), str(EXAMPLES / "result-doctor.json"))
    assert status == 2 and said in err
