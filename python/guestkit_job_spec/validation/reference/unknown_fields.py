"""The unknown-field lint: fields no schema defines, which are not extension keys.

Unknown fields are valid (forward compatibility) and preserved; this lint reports them as
warnings, or errors under strict mode, with a "did you mean" hint. An object is linted
when a schema object applying to it declares ``properties`` and none declares
``additionalProperties`` (maps such as labels are not linted; nor is free-form data).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from ...protocol import resources
from ...protocol.pointers import child
from ...protocol.report import Issue
from ..wording import unknown_field_issue


@cache
def _extension_key() -> re.Pattern[str]:
    return re.compile(resources.common_def("ExtensionKey")["pattern"])


def unknown_field_issues(document: Any, doc_type: str) -> Iterator[Issue]:
    """The reference engine's lint: a walk beside the schemas (the fast engine reads the closed bundle)."""
    from .schema_walk import walk  # it needs jsonschema, which the fast engine does without

    for visit in walk(document, doc_type):
        if not isinstance(visit.value, dict):
            continue
        declared = {name for s in visit.schemas for name in s.node.get("properties", {})}
        maps = any(isinstance(s.node.get("additionalProperties"), dict) for s in visit.schemas)
        if not declared or maps:
            continue
        for key in visit.value:
            if key not in declared and not _extension_key().fullmatch(key):
                yield unknown_field_issue(child(visit.pointer, key), key, declared)
