"""The prover the tests run: the one built into the package, or the one GUESTKIT_PROVER names.

`make sanitize` builds the prover with AddressSanitizer and UBSan and points
GUESTKIT_PROVER at it; importing this module (conftest.py does, and so do the scripts the
tests start) installs that build as ``guestkit_job_spec._prover`` before anything imports
the package's own, so the whole suite runs on it.
"""

from __future__ import annotations

import importlib.util
import os
import sys

NAME = "guestkit_job_spec._prover"


def install() -> str | None:
    """Load the prover GUESTKIT_PROVER names, if any; its path, or None."""
    path = os.environ.get("GUESTKIT_PROVER")
    if not path:
        return None
    if NAME in sys.modules:
        loaded = getattr(sys.modules[NAME], "__file__", None)
        if loaded != path:
            raise RuntimeError(f"{NAME} was imported from {loaded} before {path} could be installed")
        return path
    spec = importlib.util.spec_from_file_location(NAME, path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"GUESTKIT_PROVER={path} is not a loadable extension module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    spec.loader.exec_module(module)
    return path


install()
