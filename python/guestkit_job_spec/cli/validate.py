"""``guestkit-job validate``: check documents and report every problem."""

from __future__ import annotations

import argparse
import os
import re
import sys
from functools import cache, partial
from pathlib import Path

from ..protocol.doctype import identifiers
from ..protocol.limits import DECODER_MAX_DEPTH, DEFAULT_LIMITS, Limits
from ..protocol.report import Report
from ..protocol.resources import document_types
from ..validation.pipeline import AUTO, ENGINES, validate
from .command import Commands, add_command
from .parallel import checked, default_workers
from .progress import Progress, input_bytes
from .reporters import JsonReporter, TextReporter
from .sources import STDIN, STDIN_NAME, batches

DESCRIPTION = """\
Validate guestkit protocol documents (jobs, results, progress events, worker
registrations, leases, cancel requests) against the v1 schemas and rules, and
report every problem with its rule id and JSON Pointer.

PATH is a file, a folder (every *.json below it), a JSON Lines file (.jsonl or
.ndjson, or any file with --jsonl: one document per line, reported as FILE:LINE),
or - for standard input (one document, or JSON Lines with --jsonl). Valid lines
of JSON Lines with nothing to report are counted, not listed.

With --job JOB_FILE, every result is also checked against that job (protocol
1.1): a completed result's data against the schema of the job's payload type
(errors under /data), and its job_id against the job's.

With --skip-unknown, files that are surely no protocol documents are skipped,
not reported invalid: those whose type cannot be told (package.json, a JSON
array...) or that are not JSON at all (tsconfig.json with comments), unless
they name a member job_id, lease_id or worker_id. The pre-commit hook runs with it.

Many documents are validated on every core (--jobs), reported in input order.
On a terminal, a run longer than two seconds shows its progress on standard
error; standard output carries only the report.

Exit status: 0 when every document is valid, 1 when any is invalid (a document
that cannot be read or decoded is invalid), 2 for a usage error: a PATH that
does not exist, or no document found at all. When the reader of the output goes
away (| head), the run stops: 1 if an invalid document was seen, else 141."""

EXAMPLES = """\
examples:
  guestkit-job validate examples/
  guestkit-job validate --strict job.json
  guestkit-job validate --type result --format json results.jsonl
  guestkit-job validate --job examples/doctor-basic.json examples/result-doctor.json
  guestkit-job validate --strict --skip-unknown $(git ls-files '*.json')
  cat job.json | guestkit-job validate -
  producer | guestkit-job validate --jsonl -q -"""


def add_parser(commands: Commands[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "validate",
        summary="validate documents against the v1 schemas and rules",
        description=DESCRIPTION,
        examples=EXAMPLES,
        run=run,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, .jsonl file, or - for standard input")
    parser.add_argument(
        "--type",
        choices=(AUTO, *document_types()),
        default=AUTO,
        help="document type; auto (the default) tells it from the document's fields",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat unknown fields and unregistered payload types as errors, not warnings",
    )
    parser.add_argument(
        "--job",
        metavar="JOB_FILE",
        help="the job the results answer: check each result's data and job_id against it (protocol 1.1)",
    )
    parser.add_argument(
        "--skip-unknown",
        action="store_true",
        help="skip documents of no type that name no job_id, lease_id or worker_id member "
        "(package.json, tsconfig.json...) instead of reporting them invalid; with --type auto only",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="fast",
        help="fast (the default: compiled validation first, the reference engine for anything it cannot prove) "
        "or reference (pure Python throughout); both give the same report",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        default=default_workers(),
        metavar="N",
        help="worker processes for long runs (default: one per core, here %(default)s)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour text output: auto (on a terminal, unless NO_COLOR is set), always or never",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="list only documents with problems")
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help="read files and standard input as JSON Lines whatever their names (folders: still *.json files)",
    )
    parser.add_argument(
        "--max-bytes",
        type=_positive,
        default=DEFAULT_LIMITS.max_document_bytes,
        metavar="N",
        help=f"largest document accepted, in bytes (default: {DEFAULT_LIMITS.max_document_bytes:,})",
    )
    parser.add_argument(
        "--max-depth",
        type=_depth,
        default=DEFAULT_LIMITS.max_depth,
        metavar="N",
        help=f"deepest nesting accepted, at most {DECODER_MAX_DEPTH} (default: {DEFAULT_LIMITS.max_depth})",
    )


def _several_documents_on_stdin(name: str, report: Report) -> bool:
    return name == STDIN_NAME and any(issue.rule == "json.trailing-data" for issue in report.errors)


SIGPIPE_STATUS = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader went away


def run(args: argparse.Namespace) -> int:
    missing = [path for path in args.paths if path != STDIN and not os.path.lexists(path)]
    if missing:
        for path in missing:
            print(f"guestkit-job validate: error: no such file or folder: {path}", file=sys.stderr)
        return 2
    if args.skip_unknown and args.type != AUTO:
        print("guestkit-job validate: error: --skip-unknown applies only with --type auto", file=sys.stderr)
        return 2
    limits = Limits(max_document_bytes=args.max_bytes, max_depth=args.max_depth)
    reporter: TextReporter | JsonReporter
    if args.format == "json":
        reporter = JsonReporter(sys.stdout, quiet=args.quiet)
    else:
        reporter = TextReporter(sys.stdout, colour=_use_colour(args.color), quiet=args.quiet)
    check = partial(validate, type=args.type, strict=args.strict, limits=limits, engine=args.engine)
    if args.job is not None:
        job = _job_of(args.job, limits)
        if job is None:
            return 2
        check = partial(_against_job, check, job)
    progress = Progress(sys.stderr, input_bytes(args.paths) if sys.stderr.isatty() else None)
    try:
        reporter.start()
        skip = no_protocol_document if args.skip_unknown else None
        several_on_stdin = False
        for document in checked(batches(args.paths, limits, json_lines=args.jsonl), check, args.jobs, skip):
            progress.clear()
            if document.skipped:
                reporter.skipped(document.name, document.line)
            else:
                reporter.document(document.name, document.line, document.report)
            progress.advance(document.size, document.report.valid)
            several_on_stdin = several_on_stdin or _several_documents_on_stdin(document.name, document.report)
        progress.clear()
        reporter.finish()
        sys.stdout.flush()
        if several_on_stdin and not args.jsonl:
            print(
                "guestkit-job validate: hint: standard input holds more than one JSON document; "
                "give --jsonl to read it as JSON Lines",
                file=sys.stderr,
            )
    except BrokenPipeError:  # not every document was checked: the run cannot say they are all valid
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python exits
        return 1 if reporter.summary.invalid else SIGPIPE_STATUS
    if reporter.summary.documents == 0 and reporter.summary.skipped == 0:
        print(
            "guestkit-job validate: error: no documents found (folders are searched for *.json files)", file=sys.stderr
        )
        return 2
    return 1 if reporter.summary.invalid else 0


def _job_of(path: str, limits: Limits) -> bytes | None:
    """The --job file's bytes, when it holds a job; else None, said on standard error."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        print(f"guestkit-job validate: error: --job {path}: {error.strerror}", file=sys.stderr)
        return None
    if validate(data, type=AUTO, limits=limits).doc_type != "job":
        print(f"guestkit-job validate: error: --job {path} is not a job document", file=sys.stderr)
        return None
    return data


def _against_job(check: partial[Report], job: bytes, data: bytes) -> Report:
    """A document's report; a result's checked against the job too."""
    report = check(data)
    return check(data, type="result", job=job) if report.doc_type == "result" else report


def no_protocol_document(data: bytes, report: Report) -> bool:
    """Whether ``--skip-unknown`` skips a document: its type could not be told (it is no object, not
    JSON, or has too few of any type's members) and its text names no identifier member
    (``"job_id":``). A job with a syntax error, or too few members, still names its job_id: reported."""
    return report.doc_type is None and _names_an_identifier().search(data) is None


@cache
def _names_an_identifier() -> re.Pattern[bytes]:
    names = "|".join(re.escape(name) for name in identifiers())
    return re.compile(rf'"(?:{names})"\s*:'.encode())


def _use_colour(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _depth(text: str) -> int:
    value = _positive(text)
    if value > DECODER_MAX_DEPTH:
        raise argparse.ArgumentTypeError(f"expected at most {DECODER_MAX_DEPTH}, got {value}")
    return value
