"""``guestkit-job explain``: what the schemas say about a field."""

from __future__ import annotations

import argparse
import sys

from ..protocol.resources import document_types, payload_types
from .command import Commands, add_command

EXAMPLES = """\
examples:
  guestkit-job explain /execution/priority
  guestkit-job explain /payload/data/image/checksum --payload-type guestkit.inspect.v1
  guestkit-job explain /payload/data/operations/0/options/auto_repair
  guestkit-job explain /execution_summary/attempt --type result"""


def add_parser(commands: Commands[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "explain",
        summary="describe a field: type, default, constraints, rule ids",
        description="Describe the field at a JSON Pointer: its description, type, default, constraints and the "
        "rule ids that check it. Where another field's value chooses its schema (the payload type, a fix "
        "operation's type), each choice that has the field is described, with the values that make it.",
        examples=EXAMPLES,
        run=run,
    )
    parser.add_argument("pointer", metavar="POINTER", help="RFC 6901 JSON Pointer, e.g. /execution/priority")
    parser.add_argument("--type", choices=document_types(), default="job", help="document type (default: job)")
    parser.add_argument(
        "--payload-type", choices=list(payload_types()), help="for pointers into /payload/data: only this type's"
    )


def run(args: argparse.Namespace) -> int:
    from ..tools.field_help import explain  # here: it needs jsonschema, which validate's start-up does without

    if args.pointer and not args.pointer.startswith("/"):
        print(f"guestkit-job explain: a JSON Pointer starts with '/', got {args.pointer!r}", file=sys.stderr)
        return 2
    try:
        found = explain(args.pointer, args.type, args.payload_type)
    except KeyError as exc:
        print(f"guestkit-job explain: {exc.args[0]}", file=sys.stderr)
        return 2
    print("\n\n".join("\n".join(explanation.lines()) for explanation in found))
    return 0
