"""A throwaway PostgreSQL cluster for the runtime's tests, the fault suite and the benchmark:
initdb into a temporary directory, a server on a Unix socket in it (no TCP), fsync off (tests
only: a server process killed with ``pg_ctl stop -m immediate`` loses nothing it acknowledged,
since its WAL was written to the kernel at every commit; only a crash of the machine would).
synchronous_commit stays on: off, an acknowledged commit could be lost with the server process.
PostgreSQL refuses to run as root: as root, the cluster runs as the ``postgres`` user.

    python tests/runtime/pgcluster.py start DIR   # prints the URL
    python tests/runtime/pgcluster.py stop DIR [--immediate]
    python tests/runtime/pgcluster.py run DIR -- COMMAND...

``run`` starts the cluster, runs COMMAND with GUESTKIT_TEST_POSTGRES (the URL) and
GUESTKIT_TEST_POSTGRES_DIR in its environment, stops the cluster and exits with COMMAND's
status; with no server programs installed it runs COMMAND alone (the tests then skip their
PostgreSQL cases, or fail under GUESTKIT_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

PORT = 5439


def bin_dir() -> Path | None:
    """Where the server's programs are: $PG_BIN, the newest Debian install, or initdb's directory
    on PATH (Debian's /usr/bin/pg_ctl is a wrapper without initdb beside it)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if versions:
        return Path(versions[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def running(directory: Path) -> bool:
    programs = bin_dir()
    assert programs is not None
    status = subprocess.run(
        _as_owner([str(programs / "pg_ctl"), "-D", str(directory / "data"), "status"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return status.returncode == 0


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def url(directory: Path) -> str:
    return f"postgresql://postgres@/postgres?host={directory}&port={PORT}"


def start(directory: Path) -> str:
    programs = bin_dir()
    if programs is None:
        raise SystemExit("no PostgreSQL server programs (pg_ctl): install postgresql, or set PG_BIN")
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    if not (data / "PG_VERSION").exists():
        subprocess.run(
            _as_owner(
                [str(programs / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if running(directory):
        return url(directory)
    options = (
        f"-p {PORT} -k {directory} -c listen_addresses='' -c fsync=off "
        "-c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB"
    )
    subprocess.run(
        _as_owner(
            [
                str(programs / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(directory / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url(directory)


def stop(directory: Path, *, immediate: bool = False) -> None:
    programs = bin_dir()
    assert programs is not None
    subprocess.run(
        _as_owner(
            [
                str(programs / "pg_ctl"),
                "-D",
                str(directory / "data"),
                "-m",
                "immediate" if immediate else "fast",
                "-w",
                "stop",
            ]
        ),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run(directory: Path, command: list[str]) -> int:
    if bin_dir() is None:
        print("pgcluster: no PostgreSQL server programs; running without a server", file=sys.stderr)
        return subprocess.call(command)
    shutil.rmtree(directory, ignore_errors=True)
    stop(directory, immediate=True)
    address = start(directory)
    try:
        environment = dict(os.environ, GUESTKIT_TEST_POSTGRES=address, GUESTKIT_TEST_POSTGRES_DIR=str(directory))
        return subprocess.call(command, env=environment)
    finally:
        stop(directory, immediate=True)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    action, where = sys.argv[1], Path(sys.argv[2]).resolve()
    if action == "run":
        sys.exit(run(where, sys.argv[sys.argv.index("--") + 1 :]))
    if action == "start":
        print(start(where))
    elif action == "stop":
        stop(where, immediate="--immediate" in sys.argv)
    else:
        raise SystemExit(f"usage: {sys.argv[0]} start|stop DIR [--immediate]")
