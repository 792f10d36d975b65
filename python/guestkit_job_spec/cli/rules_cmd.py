"""``guestkit-job rules``: list the rule ids the validator reports, or explain one."""

from __future__ import annotations

import argparse
import difflib
import sys

from ..protocol.rules import all_rules
from .command import Commands, add_command

EXAMPLES = """\
examples:
  guestkit-job rules                    every rule: id, severity, layer, summary
  guestkit-job rules checksum.format    one rule
  guestkit-job rules checksum json      the rules whose ids start with these"""


def add_parser(commands: Commands[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "rules",
        summary="list the rule ids reported by validate, or explain one",
        description="List the rules of the v1 registry (schemas/rules-v1.json), or show some: each RULE_ID is a "
        "rule id or the start of some (checksum, json.).",
        examples=EXAMPLES,
        run=run,
    )
    parser.add_argument("rule_ids", nargs="*", metavar="RULE_ID", help="rule ids or their starts (default: all)")


def run(args: argparse.Namespace) -> int:
    rules = all_rules()
    chosen: list[str] = []
    for asked in args.rule_ids:
        matching = [rule_id for rule_id in rules if rule_id == asked or rule_id.startswith(asked.rstrip(".") + ".")]
        if not matching:
            nearest = difflib.get_close_matches(asked, list(rules), n=3)
            hint = f"; did you mean {' or '.join(nearest)}?" if nearest else ""
            print(f"guestkit-job rules: no rule id is or starts with {asked!r}{hint}", file=sys.stderr)
            return 2
        chosen += matching
    rows = [("RULE", "SEVERITY", "LAYER", "SUMMARY")]
    for rule in (rules[rule_id] for rule_id in dict.fromkeys(chosen or rules)):
        strict = "" if rule.strict_severity is None else f" ({rule.strict_severity} if strict)"
        rows.append((rule.id, rule.severity + strict, rule.layer, rule.summary))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3])
    return 0
