"""``guestkit-job``: the command line of guestkit-job-spec."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import explain_cmd, new, rules_cmd, schema_cmd, validate

DESCRIPTION = (
    "Tools for the guestkit job protocol v1: validate documents, make new jobs, explain fields, "
    "print schemas, look up rules."
)
EXAMPLES = """\
examples:
  guestkit-job validate examples/          validate every *.json below examples/
  guestkit-job validate --help             options of validate
  guestkit-job new guestkit.inspect --image /vms/web-01.qcow2
                                           print a new, valid inspect job
  guestkit-job explain /execution/priority type, default and rules of a field
  guestkit-job schema job --bundle         the job schema in one file
  guestkit-job rules                       the rule ids that validate reports"""


class _Version(argparse.Action):
    """``--version``, worked out only when asked (it imports the fast engine)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from .. import __version__
        from ..validation.fast.prover import prover_loaded

        prover = (
            "compiled prover in use"
            if prover_loaded()
            else "compiled prover NOT in use: the same reports, several times slower; "
            "reinstall with a C compiler (or run `make gen` in a checkout)"
        )
        print(f"guestkit-job {__version__} (protocol v1; {prover})")
        parser.exit()


BUILT_IN = frozenset({"validate", "new", "explain", "schema", "rules"})


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; ``command``, when known, is the subcommand that will run: only ``new`` needs
    the payload helpers' forms, which import the typed layer (50 ms other commands do without)."""
    parser = argparse.ArgumentParser(
        prog="guestkit-job",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action=_Version, help="print the version, and whether the compiled prover is in use"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    validate.add_parser(commands)
    new.add_parser(commands, with_forms=command in (None, "new"))
    explain_cmd.add_parser(commands)
    schema_cmd.add_parser(commands)
    rules_cmd.add_parser(commands)
    if command not in BUILT_IN:  # validate and the others start without importing any other package
        _add_installed_commands(commands)
    return parser


def _add_installed_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Commands other installed packages add (entry-point group ``guestkit_job_spec.commands``:
    a function taking the subparsers): the runtime's submit, status, cancel, events, result and
    worker. This package imports none of them."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="guestkit_job_spec.commands"):
        entry.load()(commands)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(arguments[0] if arguments else None).parse_args(arguments)
    try:
        status: int = args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. piped into head): not an error of ours.
        sys.stderr.close()
        return 0
    return status


if __name__ == "__main__":
    sys.exit(main())
