"""The job state machine of ``schemas/job-states-v1.json``."""

from __future__ import annotations

from . import resources
from .report import Issue


def _known(status: str) -> str:
    """``status``, or ValueError naming the statuses there are."""
    states = resources.state_machine()["states"]
    if status not in states:
        raise ValueError(f"unknown job status {status!r}; expected one of {', '.join(states)}")
    return status


def is_terminal(status: str) -> bool:
    """Whether a job in ``status`` is finished for good; ValueError for an unknown status."""
    state: dict[str, bool] = resources.state_machine()["states"][_known(status)]
    return bool(state["terminal"])


def allowed_transitions(status: str) -> tuple[str, ...]:
    """Statuses a job in ``status`` may move to; empty for a terminal status; ValueError for an unknown one."""
    return tuple(resources.state_machine()["transitions"][_known(status)])


def check_transition(current: str, new: str) -> Issue | None:
    """None when a job may move from ``current`` to ``new``; otherwise the reason (rule state.transition)."""
    states = resources.state_machine()["states"]
    for status in (current, new):
        if status not in states:
            return Issue("state.transition", "", f"unknown status '{status}'; expected one of {', '.join(states)}")
    if new in allowed_transitions(current):
        return None
    if is_terminal(current):
        why = f"'{current}' is terminal: nothing leaves it"
    elif new == current:
        why = "a status never moves to itself"
    else:
        why = f"from '{current}' a job may move to {', '.join(repr(s) for s in allowed_transitions(current))}"
    return Issue("state.transition", "", f"a job cannot move from '{current}' to '{new}': {why}")


def state_diagram() -> str:
    """The state machine as a Mermaid ``stateDiagram-v2``, drawn from job-states-v1.json alone:
    every allowed transition, and every terminal status ending. The specification (section 15)
    carries it; a test holds the two equal."""
    machine = resources.state_machine()
    lines = ["stateDiagram-v2"]
    lines += [f"    {source} --> {target}" for source, targets in machine["transitions"].items() for target in targets]
    lines += [f"    {status} --> [*]" for status, state in machine["states"].items() if state["terminal"]]
    return "\n".join(lines)
