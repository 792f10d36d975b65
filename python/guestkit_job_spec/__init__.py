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
    "replace": "typed.binding",
    "to_json": "typed.binding",
    "unknown_members": "typed.binding",
    "JobBuilder": "typed.builder",
    "compare_job": "typed.helpers",
    "convert_job": "typed.helpers",
    "fix_job": "typed.helpers",
    "generate_job_id": "typed.builder",
    "inspect_job": "typed.helpers",
    "profile_job": "typed.helpers",
    "DEFAULT_LIMITS": "protocol.limits",
    "Limits": "protocol.limits",
    "InvalidDocumentError": "typed.parsing",
    "dumps": "typed.parsing",
    "parse_job": "typed.parsing",
    "parse_progress": "typed.parsing",
    "parse_result": "typed.parsing",
    "parse_worker": "typed.parsing",
    "Issue": "protocol.report",
    "Report": "protocol.report",
    "Rule": "protocol.rules",
    "all_rules": "protocol.rules",
    "check_capabilities": "typed.scheduling",
    "match_worker": "typed.scheduling",
    "missing_capabilities": "typed.scheduling",
    "allowed_transitions": "protocol.states",
    "check_transition": "protocol.states",
    "is_terminal": "protocol.states",
    "check_trace": "validation.lifecycle",
    "validate": "validation.pipeline",
    "fingerprint": "typed.idempotency",
    "prover_loaded": "validation.fast.prover",
    "DocumentWarning": "typed.parsing",
    "Job": "typed.models",
    "JobResult": "typed.models",
    "ProgressEvent": "typed.models",
    "WorkerRegistration": "typed.models",
}

if TYPE_CHECKING:
    from .protocol.limits import DEFAULT_LIMITS, Limits
    from .protocol.report import Issue, Report
    from .protocol.rules import Rule, all_rules
    from .protocol.states import allowed_transitions, check_transition, is_terminal
    from .typed.binding import replace, to_json, unknown_members
    from .typed.builder import JobBuilder, generate_job_id
    from .typed.helpers import compare_job, convert_job, fix_job, inspect_job, profile_job
    from .typed.idempotency import fingerprint
    from .typed.models import Job, JobResult, ProgressEvent, WorkerRegistration
    from .typed.parsing import (
        DocumentWarning,
        InvalidDocumentError,
        dumps,
        parse_job,
        parse_progress,
        parse_result,
        parse_worker,
    )
    from .typed.scheduling import check_capabilities, match_worker, missing_capabilities
    from .validation.fast.prover import prover_loaded
    from .validation.lifecycle import check_trace
    from .validation.pipeline import validate

    __version__: str


def __getattr__(name: str) -> Any:
    from importlib import import_module

    value: Any
    if name == "__version__":
        from importlib.metadata import version

        value = version("guestkit-job-spec")
    elif name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    else:  # the helper of a payload type registered since this list was written (typed/helpers.py)
        helpers = import_module(".typed.helpers", __name__).HELPERS
        value = next((helper for helper in helpers.values() if helper.__name__ == name), None)
        if value is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """What the package exports, loaded or not yet (completion and ``dir()`` see them all)."""
    return sorted({*globals(), *__all__})


__all__ = [
    "DEFAULT_LIMITS",
    "DocumentWarning",
    "InvalidDocumentError",
    "Issue",
    "Job",
    "JobBuilder",
    "JobResult",
    "Limits",
    "ProgressEvent",
    "Report",
    "Rule",
    "WorkerRegistration",
    "__version__",
    "all_rules",
    "allowed_transitions",
    "check_capabilities",
    "check_trace",
    "check_transition",
    "compare_job",
    "convert_job",
    "dumps",
    "fingerprint",
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
    "prover_loaded",
    "replace",
    "to_json",
    "unknown_members",
    "validate",
]
