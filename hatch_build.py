"""Compile the prover (guestkit_job_spec.validation.fast._prover) from its C in validation/fast/c/.

Two callers: hatchling, for every wheel and editable install (the hook below), and the
Makefile (``python hatch_build.py``), which rebuilds it whenever its sources change. The
package works without it (the fast engine then proves with jsonschema-rs alone), so an
install on a machine with no C compiler warns instead of failing; the test suite
requires it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path
from typing import Any

FAST_ENGINE = Path(__file__).resolve().parent / "python" / "guestkit_job_spec" / "validation" / "fast"
SOURCES = FAST_ENGINE / "c"
FLAGS = ["-O3", "-DNDEBUG", "-std=c11", "-Wall", "-Wextra", "-Wno-missing-field-initializers"]


def prover_path() -> Path:
    return FAST_ENGINE / f"_prover{sysconfig.get_config_var('EXT_SUFFIX')}"


def compiler() -> list[str]:
    """The C compiler: $CC when set (as setuptools and pip honour it), else the one Python was built with."""
    return shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")


def python_include() -> str:
    return f"-I{sysconfig.get_paths()['include']}"


def compile_prover(output: Path, flags: list[str], command: list[str] | None = None) -> Path:
    """Compile the extension from c/module.c to ``output``; raises CalledProcessError on failure."""
    shared = shlex.split(sysconfig.get_config_var("CCSHARED") or "-fPIC")
    output.parent.mkdir(parents=True, exist_ok=True)
    arguments = [*flags, *shared, "-shared", python_include(), "-o", str(output), str(SOURCES / "module.c"), "-lm"]
    subprocess.run([*(command or compiler()), *arguments], check=True)
    return output


def build_prover() -> Path:
    """Compile the extension next to the package's modules."""
    return compile_prover(prover_path(), FLAGS)


try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # run by the Makefile: only build_prover is needed
    pass
else:

    class ProverBuildHook(BuildHookInterface):  # type: ignore[type-arg]
        def initialize(self, version: str, build_data: dict[str, Any]) -> None:
            if self.target_name != "wheel":
                return
            try:
                output = build_prover()
            except (OSError, subprocess.CalledProcessError) as error:
                warnings.warn(f"the prover was not compiled ({error}); validation works, more slowly", stacklevel=1)
                return
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            if version == "standard":  # an editable install finds it in place
                build_data["force_include"][str(output)] = f"guestkit_job_spec/validation/fast/{output.name}"


if __name__ == "__main__":
    print(f"compiled {build_prover()}", file=sys.stderr)
