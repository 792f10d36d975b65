"""guestkit-job-spec: the guestkit job protocol v1 (schemas, validation, tooling).

>>> from guestkit_job_spec import validate
>>> report = validate(b'{"version": "1.0"}')
>>> report.valid, report.errors[0].rule
(False, 'schema.required')
"""

from .limits import DEFAULT_LIMITS, Limits
from .report import Issue, Report
from .rules import Rule, all_rules
from .scheduling import check_capabilities, missing_capabilities
from .states import allowed_transitions, check_transition, is_terminal
from .validation import validate

__all__ = [
    "DEFAULT_LIMITS",
    "Issue",
    "Limits",
    "Report",
    "Rule",
    "all_rules",
    "allowed_transitions",
    "check_capabilities",
    "check_transition",
    "is_terminal",
    "missing_capabilities",
    "validate",
]
