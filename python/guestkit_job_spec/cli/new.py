"""``guestkit-job new``: make a valid job document without writing JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ..protocol.resources import common_def, payload_types, schemas_by_id
from .atomic import write_atomically
from .command import Commands, add_command

if TYPE_CHECKING:
    from ..typed.builder import JobBuilder

DESCRIPTION = """\
Print a new, valid job document for OPERATION (or write it with -o FILE). The
job gets a fresh id (job- and a ULID), the current time as created_at, and the
operation as a required capability.

Registered operations and what they need:
  guestkit.inspect   --image PATH
  guestkit.profile   --image PATH --profile NAME [--profile NAME ...]
  guestkit.fix       --image PATH --fix OPERATION [--fix OPERATION ...]
  guestkit.convert   --image SOURCE --target PATH [--target-format FORMAT]
  guestkit.compare   --baseline PATH --image PATH
Any other namespaced operation takes its payload data as JSON with --data.
The image format comes from the file extension unless --format is given."""

EXAMPLES = """\
examples:
  guestkit-job new guestkit.inspect --image /vms/web-01.qcow2 --priority 8
  guestkit-job new guestkit.profile --image /vms/db.qcow2 --profile security --profile compliance
  guestkit-job new guestkit.fix --image /vms/app.qcow2 --fix fsck --fix selinux_relabel -o fix.json
  guestkit-job new guestkit.convert --image /in/crm.vmdk --target /vms/crm.qcow2
  guestkit-job new system.echo --data '{"message": "hello"}'"""


def add_parser(commands: Commands[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "new",
        summary="print a new, valid job document",
        description=DESCRIPTION,
        examples=EXAMPLES,
        run=run,
    )
    parser.add_argument("operation", metavar="OPERATION", help="namespaced operation, e.g. guestkit.inspect")
    payload = parser.add_argument_group("payload")
    payload.add_argument("--image", metavar="PATH", help="the image to work on (the source, for convert)")
    payload.add_argument("--format", choices=common_def("ImageFormat")["enum"], help="format of --image")
    payload.add_argument("--baseline", metavar="PATH", help="compare: the reference image")
    payload.add_argument("--target", metavar="PATH", help="convert: the image to write")
    payload.add_argument("--target-format", choices=common_def("ImageFormat")["enum"], help="convert: its format")
    payload.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=_enum("guestkit.profile.v1", "ProfileName"),
        help="profile to run",
    )
    payload.add_argument(
        "--fix", action="append", default=[], choices=_enum("guestkit.fix.v1", "FixOperationType"), help="fix to run"
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
    job.add_argument("--require-capability", action="append", default=[], metavar="NAME")
    job.add_argument("--require-feature", action="append", default=[], metavar="NAME")
    job.add_argument("--worker-pool", metavar="POOL", help="routing.worker_pool")
    job.add_argument("--trace-id", metavar="ID", help="observability.trace_id")
    job.add_argument("--submitted-by", metavar="WHO", help="audit.submitted_by")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of printing")


def run(args: argparse.Namespace) -> int:
    from ..typed.parsing import InvalidDocumentError, dumps  # here, so other commands start without the bindings

    try:
        builder = _payload_builder(args)
        _apply_options(builder, args)
        job = builder.build()
    except ValueError as exc:
        if isinstance(exc, InvalidDocumentError):
            print(f"guestkit-job new: the job would not be valid:\n{exc}", file=sys.stderr)
            return 1
        args.parser.error(str(exc))
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


def _payload_builder(args: argparse.Namespace) -> JobBuilder:
    from ..typed.builder import JobBuilder, compare_job, convert_job, fix_job, image_format, inspect_job, profile_job
    from ..typed.models.payloads.guestkit_convert_v1 import ConvertTarget
    from ..typed.models.payloads.guestkit_fix_v1 import FixOperation

    operation = args.operation
    if operation == "guestkit.inspect":
        return inspect_job(_need(args, "image"), format=args.format)
    if operation == "guestkit.profile":
        return profile_job(_need(args, "image"), args.profile or _missing("--profile"), format=args.format)
    if operation == "guestkit.fix":
        operations = [FixOperation(type=name) for name in args.fix] or _missing("--fix")
        return fix_job(_need(args, "image"), operations, format=args.format)
    if operation == "guestkit.convert":
        target_path = _need(args, "target")
        target = ConvertTarget(path=target_path, format=args.target_format or image_format(target_path))
        return convert_job(_need(args, "image"), target, format=args.format)
    if operation == "guestkit.compare":
        return compare_job(_need(args, "baseline"), _need(args, "image"))
    if args.data is None:
        registered = ", ".join(sorted({entry["operation"] for entry in payload_types().values()}))
        raise ValueError(
            f"{operation} has no registered payload schema ({registered} do): give its data with --data JSON"
        )
    try:
        data: Any = json.loads(args.data)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--data is not JSON: {exc}") from None
    return JobBuilder().generate_job_id().operation(operation).payload(f"{operation}.v1", data)


def _apply_options(builder: JobBuilder, args: argparse.Namespace) -> None:
    setters: list[tuple[Any, Any]] = [
        (builder.job_id, args.job_id),
        (builder.name, args.name),
        (builder.namespace, args.namespace),
        (builder.priority, args.priority),
        (builder.timeout_seconds, args.timeout_seconds),
        (builder.max_attempts, args.max_attempts),
        (builder.idempotency_key, args.idempotency_key),
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


def _enum(payload_type: str, definition: str) -> list[str]:
    """The values of an enumeration in a payload schema, for argparse choices."""
    values: list[str] = schemas_by_id()[payload_types()[payload_type]["id"]]["$defs"][definition]["enum"]
    return values


def _need(args: argparse.Namespace, option: str) -> str:
    value: str | None = getattr(args, option)
    if value is None:
        raise ValueError(f"{args.operation} needs --{option.replace('_', '-')}")
    return value


def _missing(option: str) -> Any:
    raise ValueError(f"this operation needs at least one {option}")
