"""guestkit-job-spec: the guestkit job protocol v1 (schemas, validation, typed models, tooling).

>>> from guestkit_job_spec import validate
>>> report = validate(b'{"version": "1.0"}')
>>> report.valid, report.errors[0].rule
(False, 'schema.required')
"""

from .binding import replace, to_json, unknown_members
from .builder import JobBuilder, compare_job, convert_job, fix_job, generate_job_id, inspect_job, profile_job
from .limits import DEFAULT_LIMITS, Limits
from .parsing import InvalidDocumentError, dumps, parse_job, parse_progress, parse_result, parse_worker
from .report import Issue, Report
from .rules import Rule, all_rules
from .scheduling import check_capabilities, match_worker, missing_capabilities
from .states import allowed_transitions, check_transition, is_terminal
from .validation import validate

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
