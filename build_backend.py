"""The build backend: hatchling's, behind a check of the Python version (pyproject.toml names it).

pip installs a package's build requirements before it reads the package's Requires-Python, and
hatchling 1.33.0 itself requires Python 3.10: on 3.9, pip failed with "No matching distribution
found for hatchling==1.33.0", which says nothing of this package. pyproject.toml asks for
hatchling only from 3.10 on, so an older Python gets here with nothing installed, and is told
what is wrong. pip 25.1 and later would then say it too, from the metadata; older ones resolve
the dependencies first and fail on one that needs 3.10 (jsonschema-rs), so the check is here.
"""

from __future__ import annotations

import sys

REQUIRES_PYTHON = (3, 10)
"""As [project] requires-python says (tests/test_packaging.py holds the two equal)."""

if sys.version_info < REQUIRES_PYTHON:
    raise SystemExit(
        f"guestkit-job-spec requires Python >= {'.'.join(map(str, REQUIRES_PYTHON))}; "
        f"this is Python {sys.version.split()[0]} ({sys.executable})"
    )

from hatchling.build import (  # noqa: E402  (after the check: on an older Python, hatchling is not installed)
    build_editable,
    build_sdist,
    build_wheel,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
)

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
]
