"""What the scheduler answers when it refuses a message: the rule broken and the HTTP status
section 15.10 gives it (409 for fencing and conflicts, 422 for a message that is wrong in itself,
404 for an unknown job)."""

from __future__ import annotations


class Refused(Exception):
    """The scheduler refused a message under ``rule``; nothing was recorded but the refusal."""

    def __init__(self, rule: str, message: str, *, http_status: int = 422) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
        self.http_status = http_status


class Fenced(Refused):
    """The message's lease is not the job's current, unexpired lease (or the job has ended): the
    worker MUST stop the attempt and not report on it again (section 15.5)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(rule, message, http_status=409)


class NotFound(Exception):
    """No job (or worker) has this id."""
