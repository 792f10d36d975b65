"""``guestkit-job schema``: print a schema, or list the schemas there are."""

from __future__ import annotations

import argparse
import json
import sys

from ..protocol import bundling, resources
from .command import Commands, add_command

EXAMPLES = """\
examples:
  guestkit-job schema                            list document and payload types
  guestkit-job schema job                        the job envelope schema
  guestkit-job schema guestkit.inspect.v1        a payload schema
  guestkit-job schema job --bundle > job.json    one file, every reference inside it"""


def add_parser(commands: Commands[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "schema",
        summary="print a schema (or list them)",
        description="Print the JSON Schema of a document type or payload type, as shipped with the package.",
        examples=EXAMPLES,
        run=run,
    )
    parser.add_argument("name", nargs="?", metavar="TYPE", help="job, result, progress, worker, or a payload type")
    parser.add_argument(
        "--bundle",
        action="store_true",
        help="embed every referenced schema, for consumers that cannot resolve references",
    )


def run(args: argparse.Namespace) -> int:
    if args.name is None:
        index = resources.index()
        for kind in ("documents", "payloads"):
            for name, entry in index[kind].items():
                print(f"{name:<22} {entry['stability']:<8} {entry['id']}")
        return 0
    try:
        schema_id = bundling.schema_id(args.name)
    except KeyError as exc:
        print(f"guestkit-job schema: {exc.args[0]}", file=sys.stderr)
        return 2
    schema = bundling.bundle(args.name) if args.bundle else resources.schemas_by_id()[schema_id]
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0
