"""Nothing reaches the network: not validation, parsing, code generation, nor the suites."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, NetworkAccessError

# Loaded by every Python process started with this folder on PYTHONPATH.
BLOCKER = """
import socket
def _refuse(*args, **kwargs):
    raise OSError("network access attempted")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


def test_sockets_are_refused_during_tests() -> None:
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(NetworkAccessError):
        socket.getaddrinfo("guestkit.dev", 443)


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "codegen/generate.py", "--check"],
        [sys.executable, "codegen/rust_crate.py", "--check"],
        [sys.executable, "tests/conformance/build.py", "--check"],
        [str(Path(sys.executable).parent / "guestkit-job"), "validate", "--strict", str(EXAMPLES)],
        [str(Path(sys.executable).parent / "guestkit-job"), "new", "guestkit.inspect", "--image", "/vms/a.qcow2"],
    ],
    ids=["make-gen", "make-gen-rust", "conformance-build", "validate", "new"],
)
def test_tools_run_with_the_network_blocked(command: list[str], tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(BLOCKER)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    process = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert process.returncode == 0, process.stderr


def test_the_blocker_really_blocks_child_processes(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(BLOCKER)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    probe = "import socket; socket.create_connection(('127.0.0.1', 9))"
    process = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False)
    assert process.returncode != 0 and "network access attempted" in process.stderr
