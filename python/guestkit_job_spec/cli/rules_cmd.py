"""``guestkit-job rules``: list the rule ids the validator reports, or explain one."""

from __future__ import annotations

import argparse
import sys

from ..protocol.rules import all_rules
from .command import Commands, add_command

EXAMPLES = """\
examples:
  guestkit-job rules                    every rule: id, severity, layer, summary
  guestkit-job rules checksum.format    one rule"""


def add_parser(commands: Commands[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "rules",
        summary="list the rule ids reported by validate, or explain one",
        description="List the rules of the v1 registry (schemas/rules-v1.json), or show one rule.",
        examples=EXAMPLES,
        run=run,
    )
    parser.add_argument("rule_ids", nargs="*", metavar="RULE_ID", help="rule ids to show (default: all)")


def run(args: argparse.Namespace) -> int:
    rules = all_rules()
    unknown = [rule_id for rule_id in args.rule_ids if rule_id not in rules]
    if unknown:
        print(
            f"guestkit-job rules: unknown rule id {', '.join(unknown)}; run 'guestkit-job rules' for the list",
            file=sys.stderr,
        )
        return 2
    width = max(len(rule_id) for rule_id in rules)
    for rule in (rules[rule_id] for rule_id in args.rule_ids or rules):
        severity = (
            rule.severity if rule.strict_severity is None else f"{rule.severity} ({rule.strict_severity} if strict)"
        )
        print(f"{rule.id:<{width}}  {severity:<19} {rule.layer:<6}  {rule.summary}")
    return 0
