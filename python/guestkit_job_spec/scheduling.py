"""Matching jobs to workers: the capability check of protocol-facts rule 4.11."""

from __future__ import annotations

from collections.abc import Iterable

from .report import Issue


def missing_capabilities(required: Iterable[str], available: Iterable[str]) -> list[str]:
    """Required capabilities the worker lacks, in the order required, each once (exact match)."""
    offered = set(available)
    return list(dict.fromkeys(name for name in required if name not in offered))


def check_capabilities(required: Iterable[str], available: Iterable[str]) -> Issue | None:
    """None when every required capability is available; otherwise an issue naming what is missing."""
    missing = missing_capabilities(required, available)
    if not missing:
        return None
    listed = ", ".join(f"'{name}'" for name in missing)
    return Issue(
        "scheduling.capability.missing",
        "/constraints/required_capabilities",
        f"the worker lacks {len(missing)} required capabilit{'ies' if len(missing) != 1 else 'y'}: {listed}",
    )
