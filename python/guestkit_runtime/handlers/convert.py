"""``guestkit.convert`` on ``qemu-img convert`` (Debian's qemu-utils).

The side effect is a file, so the handler makes it safe to repeat (section 8, "Side effects
outside the store"): it takes an exclusive lock beside the target (two attempts never write
one image at once), writes to a temporary file in the target's directory, and renames it into
place only when qemu-img (and the verification, if asked) succeeded. An attempt that stops
half-way leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .base import IMAGE_FORMATS, Capabilities, Context, HandlerError, Stopped

_PROGRESS = re.compile(rb"\((\d+(?:\.\d+)?)/100%\)")


def qemu_img_formats(program: str = "qemu-img") -> tuple[str, ...]:
    """The protocol's image formats that the installed qemu-img reads and writes; empty when
    qemu-img is not installed."""
    path = shutil.which(program)
    if path is None:
        return ()
    help_text = subprocess.run([path, "--help"], capture_output=True, text=True, check=False).stdout
    supported = set()
    for line in help_text.splitlines():
        if line.startswith("Supported formats:"):
            supported = set(line.split(":", 1)[1].split())
    return tuple(name for name in IMAGE_FORMATS if name in supported)


class ConvertHandler:
    operation = "guestkit.convert"
    #: seconds between two progress events of one conversion (each is a write to the store)
    progress_seconds = 1.0

    def __init__(self, program: str = "qemu-img") -> None:
        self.program = program
        self._formats: tuple[str, ...] | None = None

    def formats(self) -> tuple[str, ...]:
        if self._formats is None:
            self._formats = qemu_img_formats(self.program)
        return self._formats

    def capabilities(self) -> Capabilities | None:
        formats = self.formats()
        if not formats:
            return None
        # Features "disk.<format>" too: jobs ask for them in required_capabilities (examples/).
        features = tuple(f"disk.{name}" for name in formats)
        return Capabilities(operations=(self.operation,), features=features, disk_formats=formats)

    def unavailable(self) -> str | None:
        """Why this handler cannot run here (None when it can)."""
        if shutil.which(self.program) is None:
            return f"{self.program} not found on PATH (Debian: apt install qemu-utils; Fedora: dnf install qemu-img)"
        if not self.formats():
            return f"{self.program} reads and writes none of the protocol's image formats ({', '.join(IMAGE_FORMATS)})"
        return None

    def run(self, context: Context) -> dict[str, Any]:
        data = context.data
        source, target = dict(data.get("source") or {}), dict(data.get("target") or {})
        options = dict(data.get("options") or {})
        source_path, target_path = Path(source["path"]), Path(target["path"])
        if not source_path.is_file():
            raise HandlerError(
                "convert.source-missing", f"source image {source_path} does not exist", phase="validation"
            )
        if source.get("checksum"):
            context.progress("validation", f"checking the sha256 of {source_path.name}", None, None)
            digest = "sha256:" + _sha256(source_path, context)
            if digest != source["checksum"]:
                raise HandlerError(
                    "convert.checksum-mismatch",
                    f"source image {source_path} has {digest}, not {source['checksum']}",
                    phase="validation",
                )
        target_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = target_path.with_name(f".{target_path.name}.{context.lease['lease_id']}.part")
        command = [self.program, "convert", "-p", "-f", source["format"], "-O", target["format"]]
        if target.get("compression"):
            command.append("-c")
            if target.get("compression_type"):
                command += ["-o", f"compression_type={target['compression_type']}"]
        if options.get("preserve_sparse") is False:
            command += ["-S", "0"]
        command += [str(source_path), str(temporary)]
        with _image_lock(target_path, context):
            try:
                context.progress(
                    "disk_attach",
                    f"converting {source_path.name} ({source['format']}) to {target_path.name} ({target['format']})",
                    0.0,
                    None,
                )
                self._convert(command, context)
                verified = False
                if options.get("verify_after_convert"):
                    context.progress("result_generation", "comparing the new image with its source", None, None)
                    compared = subprocess.run(
                        [
                            self.program,
                            "compare",
                            "-f",
                            source["format"],
                            "-F",
                            target["format"],
                            str(source_path),
                            str(temporary),
                        ],
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if compared.returncode != 0:
                        raise HandlerError(
                            "convert.verify-failed",
                            f"the converted image differs from its source: {compared.stdout.strip()}",
                            recoverable=True,
                            retry_recommended=True,
                            phase="result_generation",
                        )
                    verified = True
                context.check()
                os.replace(temporary, target_path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()
        size = target_path.stat().st_size
        context.outputs["primary"] = str(target_path)
        context.metrics.update(disk_read_bytes=source_path.stat().st_size, disk_write_bytes=size)
        return {
            "source": {"path": str(source_path), "format": source["format"]},
            "target": {"path": str(target_path), "format": target["format"], "size_bytes": size},
            "verified": verified,
        }

    def _convert(self, command: list[str], context: Context) -> None:
        """Run qemu-img, reporting the percentage its ``-p`` prints ("(NN.NN/100%)" with carriage
        returns) at most every ``progress_seconds``, and the last one once it has exited (a short
        conversion prints everything between two looks)."""
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None
        os.set_blocking(process.stdout.fileno(), False)
        reported, last_sent, buffer = 0.0, 0.0, b""
        while True:
            running = process.poll() is None  # asked before the read: what it printed before exiting is read now
            if running and context.stop.is_set():
                process.terminate()
                process.wait()
                raise Stopped(context.stop_reason or "shutdown")
            buffer = (buffer + (process.stdout.read() or b""))[-256:]
            found = _PROGRESS.findall(buffer)
            percent = float(found[-1]) if found else reported
            if percent != reported and (not running or time.monotonic() - last_sent >= self.progress_seconds):
                reported, last_sent = percent, time.monotonic()
                context.progress("disk_attach", "converting", percent, None)
            if not running:
                break
            time.sleep(0.05)
        if process.returncode != 0:
            error = process.stderr.read().decode(errors="replace").strip()
            raise HandlerError(
                "convert.qemu-img-failed",
                f"qemu-img convert exited with {process.returncode}: {error}",
                recoverable=True,
                retry_recommended=False,
                phase="disk_attach",
            )


@contextlib.contextmanager
def _image_lock(target: Path, context: Context) -> Iterator[None]:
    """An exclusive lock on ``<target>.lock``, waited for while the attempt is not stopped."""
    lock_path = target.with_name(f".{target.name}.lock")
    with open(lock_path, "a") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                context.check()
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sha256(path: Path, context: Context) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            context.check()
            digest.update(chunk)
    return digest.hexdigest()
