"""The prover the tests run: the one built into the package, another build, or none.

GUESTKIT_PROVER names an extension module to load in place of the package's own (`make
sanitize` points it at the build with AddressSanitizer and UBSan), or is ``absent`` to run
as an install without a C compiler does (`make test` runs the conformance suite so once).
Importing this module (conftest.py does, and so do the scripts the tests start) installs
the choice as ``guestkit_job_spec.validation.fast._prover`` before anything imports the
package's own.
"""

from __future__ import annotations

import importlib.util
import os
import sys

NAME = "guestkit_job_spec.validation.fast._prover"
ABSENT = "absent"


def install() -> str | None:
    """Load the prover GUESTKIT_PROVER names, if any; its path (or "absent"), or None."""
    path = os.environ.get("GUESTKIT_PROVER")
    if not path:
        return None
    if path == ABSENT:
        sys.modules[NAME] = None  # type: ignore[assignment]  # an import of it raises ImportError
        return path
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
