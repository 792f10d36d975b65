"""guestkit-job-spec: the guestkit job protocol v1 (schemas, validation, typed models, tooling).

>>> from guestkit_job_spec import validate
>>> report = validate(b'{"version": "1.0"}')
>>> report.valid, report.errors[0].rule
(False, 'schema.required')
"""

from typing import TYPE_CHECKING, Any

# Names load from their modules on first use (PEP 562), so `import guestkit_job_spec` and
# the CLI start fast: validating needs none of the builder's or the bindings' imports.
_EXPORTS = {
    "replace": "binding",
    "to_json": "binding",
    "unknown_members": "binding",
    "JobBuilder": "builder",
    "compare_job": "builder",
    "convert_job": "builder",
    "fix_job": "builder",
    "generate_job_id": "builder",
    "inspect_job": "builder",
    "profile_job": "builder",
    "DEFAULT_LIMITS": "limits",
    "Limits": "limits",
    "InvalidDocumentError": "parsing",
    "dumps": "parsing",
    "parse_job": "parsing",
    "parse_progress": "parsing",
    "parse_result": "parsing",
    "parse_worker": "parsing",
    "Issue": "report",
    "Report": "report",
    "Rule": "rules",
    "all_rules": "rules",
    "check_capabilities": "scheduling",
    "match_worker": "scheduling",
    "missing_capabilities": "scheduling",
    "allowed_transitions": "states",
    "check_transition": "states",
    "is_terminal": "states",
    "validate": "validation",
}

if TYPE_CHECKING:
    from .binding import replace, to_json, unknown_members
    from .builder import JobBuilder, compare_job, convert_job, fix_job, generate_job_id, inspect_job, profile_job
    from .limits import DEFAULT_LIMITS, Limits
    from .parsing import InvalidDocumentError, dumps, parse_job, parse_progress, parse_result, parse_worker
    from .report import Issue, Report
    from .rules import Rule, all_rules
    from .scheduling import check_capabilities, match_worker, missing_capabilities
    from .states import allowed_transitions, check_transition, is_terminal
    from .validation import validate


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_LIMITS",
    "InvalidDocumentError",
    "Issue",
    "JobBuilder",
    "Limits",
    "Report",
    "Rule",
    "all_rules",
    "allowed_transitions",
    "check_capabilities",
    "check_transition",
    "compare_job",
    "convert_job",
    "dumps",
    "fix_job",
    "generate_job_id",
    "inspect_job",
    "is_terminal",
    "match_worker",
    "missing_capabilities",
    "parse_job",
    "parse_progress",
    "parse_result",
    "parse_worker",
    "profile_job",
    "replace",
    "to_json",
    "unknown_members",
    "validate",
]
