"""``guestkit-job new``: make a valid job document without writing JSON."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import textwrap
import warnings
from typing import TYPE_CHECKING, Any

from ..protocol.resources import common_def, payload_types
from .atomic import write_atomically
from .command import Commands, add_command

if TYPE_CHECKING:
    from ..typed.builder import JobBuilder

DESCRIPTION = """\
Print a new, valid job document for OPERATION (or write it with -o FILE). The
job gets a fresh id (job- and a ULID) and the current time as created_at.

Registered operations and what they need:
{forms}
Any other namespaced operation takes its payload data as JSON with --data.
An image's format comes from its file extension unless --format (the image, or
compare's baseline) or --target-format is given."""

SUMMARY = "print a new, valid job document"
COMMON_FLAGS = ("format",)  # a flag every form may take: the format of --image (compare's --baseline)


def _forms() -> dict[str, Any]:
    from ..typed.helpers import FORMS  # here: the helpers import the bindings, which other commands do without

    return FORMS


def _usage(form: Any) -> str:
    parts = []
    for flag in form.flags:
        option = f"--{flag.name.replace('_', '-')}"
        text = option if flag.boolean else f"{option} {flag.metavar}"  # a boolean's --no- form is in --help
        text = f"{text} [{text} ...]" if flag.repeated else text
        parts.append(text if flag.required else f"[{text}]")
    return " ".join(parts)


def add_parser(commands: Commands[argparse.ArgumentParser], *, with_forms: bool = True) -> None:
    """The ``new`` subcommand; without its forms (another command runs) it only lists itself."""
    if not with_forms:
        commands.add_parser("new", help=SUMMARY)
        return
    forms = _forms()
    width = max(len(operation) for operation in forms) + 3
    parser = add_command(
        commands,
        "new",
        summary=SUMMARY,
        description=DESCRIPTION.format(
            forms="\n".join(
                textwrap.fill(
                    f"{operation:<{width}}{_usage(form)}",
                    width=80,
                    initial_indent="  ",
                    subsequent_indent=" " * (width + 2),
                    break_on_hyphens=False,
                )
                for operation, form in forms.items()
            )
        ),
        examples="examples:\n"
        + "\n".join(f"  guestkit-job new {operation} {' '.join(form.sample)}" for operation, form in forms.items())
        + '\n  guestkit-job new acme.backup --data \'{"volume": "data"}\'',
        run=run,
    )
    parser.add_argument("operation", metavar="OPERATION", help="namespaced operation, e.g. guestkit.inspect")
    payload = parser.add_argument_group("payload")
    payload.add_argument(
        "--format", choices=common_def("ImageFormat")["enum"], help="format of --image (compare: of --baseline)"
    )
    declared: dict[str, list[tuple[str, Any]]] = {}
    for operation, form in forms.items():
        for flag in form.flags:
            declared.setdefault(flag.name, []).append((operation.rsplit(".", 1)[-1], flag))
    for name, uses in declared.items():
        first = uses[0][1]
        takes = {(flag.repeated, flag.boolean, flag.choices) for _, flag in uses}
        if len(takes) > 1:
            raise ValueError(f"the forms of {', '.join(op for op, _ in uses)} take --{name} differently: rename one")
        metavar = first.metavar if len({flag.metavar for _, flag in uses}) == 1 else "VALUE"
        meaning = _meanings(uses, metavar)
        if first.boolean:
            payload.add_argument(
                f"--{name.replace('_', '-')}", dest=name, action=argparse.BooleanOptionalAction, help=meaning
            )
            continue
        payload.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            metavar=metavar,
            action="append" if first.repeated else "store",
            choices=first.choices,
            help=meaning,
        )
    payload.add_argument("--data", metavar="JSON", help="payload data for an operation without a registered schema")
    job = parser.add_argument_group("job")
    job.add_argument("--id", dest="job_id", metavar="ID", help="job id (default: job- and a new ULID)")
    job.add_argument("--name", help="metadata.name")
    job.add_argument("--namespace", help="metadata.namespace")
    job.add_argument("--label", action="append", default=[], metavar="KEY=VALUE", help="a metadata label")
    job.add_argument("--priority", type=int, metavar="1-10", help="execution.priority (higher is more urgent)")
    job.add_argument("--timeout-seconds", type=int, metavar="N", help="execution.timeout_seconds")
    job.add_argument("--max-attempts", type=int, metavar="N", help="execution.max_attempts")
    job.add_argument("--idempotency-key", metavar="KEY", help="execution.idempotency_key")
    job.add_argument("--deadline", metavar="TIMESTAMP", help="execution.deadline, e.g. 2026-12-01T06:00:00Z")
    job.add_argument("--require-privileged", action="store_true", default=None, help="constraints.require_privileged")
    job.add_argument(
        "--require-capability",
        action="append",
        default=[],
        metavar="NAME",
        help="constraints.required_capabilities: an operation the worker must register",
    )
    job.add_argument(
        "--require-feature",
        action="append",
        default=[],
        metavar="NAME",
        help="constraints.required_features: a feature the worker must register (e.g. lvm)",
    )
    job.add_argument("--worker-pool", metavar="POOL", help="routing.worker_pool")
    job.add_argument("--trace-id", metavar="ID", help="observability.trace_id")
    job.add_argument("--submitted-by", metavar="WHO", help="audit.submitted_by")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of printing")


def run(args: argparse.Namespace) -> int:
    from ..typed.parsing import DocumentWarning, InvalidDocumentError, dumps  # here: other commands do without

    try:
        builder = _payload_builder(args)
        _apply_options(builder, args)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DocumentWarning)
            job = builder.build()
    except ValueError as exc:
        if isinstance(exc, InvalidDocumentError):
            print(f"guestkit-job new: the job would not be valid:\n{exc}", file=sys.stderr)
            return 1
        args.parser.error(str(exc))
    for warning in caught:  # the job is valid; say what a reader may not expect (an unregistered payload type)
        print(f"guestkit-job new: warning: {warning.message}", file=sys.stderr)
    text = dumps(job) + "\n"
    if args.output:
        try:
            write_atomically(args.output, text)
        except OSError as exc:
            print(f"guestkit-job new: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"wrote {args.output} ({job.job_id})", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _meanings(uses: list[tuple[str, Any]], metavar: str) -> str:
    """What a flag means to each operation taking it, operations with the same meaning together."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for operation, flag in uses:
        grouped.setdefault((flag.help, flag.metavar), []).append(operation)
    return "; ".join(
        f"{', '.join(operations)}: {text}" + (f" ({shown})" if shown != metavar else "")
        for (text, shown), operations in grouped.items()
    )


def _payload_builder(args: argparse.Namespace) -> JobBuilder:
    from ..typed.builder import JobBuilder

    forms = _forms()
    given = {name: value for name, value in vars(args).items() if name in _payload_flags(forms)}
    form = forms.get(args.operation)
    if form is None:
        nearest = difflib.get_close_matches(args.operation, list(forms), n=1)
        if nearest and args.data is None:
            raise ValueError(f"unknown operation {args.operation}; did you mean {nearest[0]}?")
        stray = sorted(name for name, value in given.items() if value is not None and name != "data")
        if stray:
            verb = "applies" if len(stray) == 1 else "apply"
            raise ValueError(
                f"{_flags(stray)} {verb} only to {', '.join(forms)}; "
                f"{args.operation} takes its payload data with --data"
            )
        if args.data is None:
            registered = ", ".join(sorted({entry["operation"] for entry in payload_types().values()}))
            raise ValueError(
                f"{args.operation} has no registered payload schema ({registered} do): give its data with --data JSON"
            )
        try:
            data: Any = json.loads(args.data)
        except json.JSONDecodeError as exc:
            raise ValueError(f"--data is not JSON: {exc}") from None
        return JobBuilder().generate_job_id().operation(args.operation).payload(f"{args.operation}.v1", data)
    takes = {flag.name for flag in form.flags} | set(COMMON_FLAGS)
    stray = sorted(name for name, value in given.items() if value is not None and name not in takes)
    if stray:
        verb = "does" if len(stray) == 1 else "do"
        raise ValueError(f"{_flags(stray)} {verb} not apply to {args.operation}, which takes {_usage(form)}")
    missing = [flag for flag in form.flags if flag.required and not given.get(flag.name)]
    if missing:
        needed = [("at least one " if flag.repeated else "") + _flags([flag.name]) for flag in missing]
        raise ValueError(f"{args.operation} needs {' and '.join(needed)}")
    builder: JobBuilder = form.make(given)
    return builder


def _payload_flags(forms: dict[str, Any]) -> set[str]:
    return {flag.name for form in forms.values() for flag in form.flags} | {*COMMON_FLAGS, "data"}


def _flags(names: list[str]) -> str:
    return ", ".join(f"--{name.replace('_', '-')}" for name in names)


def _apply_options(builder: JobBuilder, args: argparse.Namespace) -> None:
    setters: list[tuple[Any, Any]] = [
        (builder.job_id, args.job_id),
        (builder.name, args.name),
        (builder.namespace, args.namespace),
        (builder.priority, args.priority),
        (builder.timeout_seconds, args.timeout_seconds),
        (builder.max_attempts, args.max_attempts),
        (builder.idempotency_key, args.idempotency_key),
        (builder.deadline, args.deadline),
        (builder.require_privileged, args.require_privileged),
        (builder.worker_pool, args.worker_pool),
        (builder.trace_id, args.trace_id),
        (builder.submitted_by, args.submitted_by),
    ]
    for setter, value in setters:
        if value is not None:
            setter(value)
    for label in args.label:
        key, separator, value = label.partition("=")
        if not separator:
            raise ValueError(f"--label takes KEY=VALUE, got {label!r}")
        builder.label(key, value)
    for capability in args.require_capability:
        builder.require_capability(capability)
    for feature in args.require_feature:
        builder.require_feature(feature)
