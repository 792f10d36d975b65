"""Build the prover for the tests that look at its C: with sanitizers, and as a fuzz target.

    python tests/prover/compile_prover.py sanitizers DIR
        DIR/_prover<suffix>  the extension, with AddressSanitizer and UBSan (no recovery:
                             the first report aborts)
        DIR/unit_test        the C unit tests (unit_test.c), with the same sanitizers
        DIR/run              runs a command with the sanitizer runtimes preloaded and
                             GUESTKIT_PROVER naming that extension, so Python loads it
    python tests/prover/compile_prover.py fuzzer DIR
        DIR/fuzzer           the libFuzzer target (fuzzer.c) with AddressSanitizer and UBSan;
                             needs clang and its libFuzzer runtime (CLANG names one)

The compiler is the package's (hatch_build.py: $CC, else the one Python was built with);
the fuzzer needs clang. Both C programs embed Python, whose number conversion the reader
uses, and include the module's source whole (harness.h).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from hatch_build import compile_prover, compiler, prover_path, python_include  # noqa: E402

SANITIZERS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
DEBUG = ["-O1", "-g", "-std=c11", "-Wall", "-Wextra", "-Wno-missing-field-initializers"]
# Python leaks by design at exit; everything else a sanitizer sees is fatal.
SANITIZER_OPTIONS = {
    "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1:allocator_may_return_null=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}


def embedding_flags() -> list[str]:
    """Linking a program that embeds this Python (python3-config --embed --ldflags)."""
    libdir = sysconfig.get_config_var("LIBDIR")
    version = sysconfig.get_config_var("LDVERSION")
    extra = shlex.split(sysconfig.get_config_var("LIBS") or "") + shlex.split(sysconfig.get_config_var("SYSLIBS") or "")
    return [f"-L{libdir}", f"-lpython{version}", f"-Wl,-rpath,{libdir}", *extra]


def program(source: Path, output: Path, command: list[str], flags: list[str]) -> Path:
    arguments = [*flags, python_include(), "-o", str(output), str(source), *embedding_flags()]
    subprocess.run([*command, *arguments], check=True)
    return output


def runtime(command: list[str], name: str) -> str:
    """The shared runtime library the compiler links sanitized code against."""
    found = subprocess.run([*command, f"-print-file-name={name}"], check=True, capture_output=True, text=True)
    return found.stdout.strip()


def sanitizers(folder: Path) -> None:
    command = compiler()
    folder.mkdir(parents=True, exist_ok=True)
    extension = compile_prover(folder / prover_path().name, [*DEBUG, *SANITIZERS], command)
    program(HERE / "unit_test.c", folder / "unit_test", command, [*DEBUG, *SANITIZERS])
    preload = " ".join(runtime(command, name) for name in ("libasan.so", "libubsan.so"))
    exports = {"LD_PRELOAD": preload, **SANITIZER_OPTIONS, "GUESTKIT_PROVER": str(extension)}
    script = folder / "run"
    script.write_text(
        "#!/bin/sh\n"
        "# Written by tests/prover/compile_prover.py: runs a command with the sanitized prover (see there).\n"
        + "".join(f"export {name}={shlex.quote(value)}\n" for name, value in exports.items())
        + 'exec "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    print(f"built {extension.name}, unit_test and run in {folder}")


def clang() -> list[str]:
    named = os.environ.get("CLANG")
    if named:
        return shlex.split(named)
    for version in ("", *(f"-{n}" for n in range(20, 13, -1))):
        if shutil.which(f"clang{version}"):
            return [f"clang{version}"]
    raise SystemExit(
        "make fuzz needs clang with its libFuzzer runtime; on Debian: apt-get install clang libclang-rt-dev "
        "(or clang-14 libclang-rt-14-dev), or name one with CLANG=..."
    )


def fuzzer(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    flags = [*DEBUG, *SANITIZERS, "-fsanitize=fuzzer"]
    program(HERE / "fuzzer.c", folder / "fuzzer", clang(), flags)
    print(f"built {folder / 'fuzzer'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["sanitizers", "fuzzer"])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    (sanitizers if args.what == "sanitizers" else fuzzer)(args.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
