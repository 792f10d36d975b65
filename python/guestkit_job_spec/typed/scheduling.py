"""Matching jobs to workers: what a worker must offer to run a job (specification, section 9).

``check_capabilities`` is protocol-facts rule 4.11 on its own; ``match_worker`` checks a
job against a whole worker registration and returns every reason it cannot run there.
Capabilities are matched exactly against the worker's operations and features. What the
job requires, the worker must state: a worker without ``resources`` runs no job that sets
``maximum_disk_size_gb``, one without ``status`` no job at all. Limits the worker states
are checked: disk sizes in GB of 10^9 bytes, and its capacity, ``max_concurrent_jobs``.
The npm package's ``matchWorker`` (npm/src/scheduling.js) is the same function.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeGuard

from ..protocol import resources
from ..protocol.report import Issue
from . import binding

GB = 10**9
"""Bytes in a GB: every ``*_gb`` field of the protocol counts decimal gigabytes, never GiB."""


def missing_capabilities(required: Iterable[str], available: Iterable[str]) -> list[str]:
    """Required capabilities the worker lacks, in the order required, each once (exact match)."""
    offered = set(available)
    return list(dict.fromkeys(name for name in required if name not in offered))


def check_capabilities(required: Iterable[str], available: Iterable[str]) -> Issue | None:
    """None when every required capability is available; otherwise an issue naming what is missing."""
    missing = missing_capabilities(required, available)
    if not missing:
        return None
    return Issue(
        "scheduling.capability.missing",
        "/constraints/required_capabilities",
        f"the worker lacks {_count(missing, 'required capability', 'required capabilities')}: {_quoted(missing)}",
    )


def match_worker(job: Any, worker: Any, *, current_jobs: int | None = None) -> list[Issue]:
    """Every reason ``worker`` cannot run ``job``; empty when it can.

    Both may be model objects or decoded JSON; they are assumed valid. Pointers refer to
    the job ("" for the worker as a whole: its state and its load). ``current_jobs``: the
    jobs the worker runs now as the scheduler counts them (those it placed since the
    worker's last heartbeat included); by default the registration's ``status.current_jobs``.
    """
    if current_jobs is not None and (type(current_jobs) is not int or current_jobs < 0):
        raise ValueError(f"current_jobs is a count of jobs, an integer of at least 0; got {current_jobs!r}")
    return list(_mismatches(_as_json(job), _as_json(worker), current_jobs))


def _mismatches(job: Mapping[str, Any], worker: Mapping[str, Any], current_jobs: int | None) -> Iterator[Issue]:
    constraints = job.get("constraints") or {}
    routing = job.get("routing") or {}
    capabilities = worker.get("capabilities") or {}
    configuration = worker.get("configuration") or {}
    limits = worker.get("resources") or {}
    status = worker.get("status") or {}
    operations, features = capabilities.get("operations") or [], capabilities.get("features") or []
    operation, payload = job.get("operation"), job.get("payload") or {}

    if operation not in operations:
        yield Issue(
            "scheduling.operation.unsupported",
            "/operation",
            f"the worker has no handler for '{operation}'; it runs {_quoted(operations) or 'nothing'}",
        )
    elif payload.get("type") not in _payload_types_read(capabilities, operations):
        listed = capabilities.get("payload_types")
        reads = _quoted(t for t in _payload_types_read(capabilities, operations) if t.startswith(f"{operation}.v"))
        yield Issue(
            "scheduling.payload-type.unsupported",
            "/payload/type",
            f"the worker reads {reads or 'no payload type'} of '{operation}', not '{payload.get('type')}'"
            + ("" if listed is not None else " (it lists no payload_types: it reads the v1 of each operation it runs)"),
        )
    capability_issue = check_capabilities(constraints.get("required_capabilities") or [], [*operations, *features])
    if capability_issue is not None:
        yield capability_issue
    lacking = missing_capabilities(constraints.get("required_features") or [], features)
    if lacking:
        yield Issue(
            "scheduling.feature.missing",
            "/constraints/required_features",
            f"the worker lacks {_count(lacking, 'required feature', 'required features')}: {_quoted(lacking)}",
        )
    formats = capabilities.get("disk_formats") or []
    images = list(_images(payload, "/payload"))
    for pointer, image in images:
        if image["format"] not in formats:
            yield Issue(
                "scheduling.disk-format.unsupported",
                f"{pointer}/format",
                f"the worker cannot open {image['format']} images; it opens {_quoted(formats) or 'none'}",
            )
    pools = constraints.get("allowed_worker_pools")
    pool = configuration.get("worker_pool")
    if pools and pool not in pools:
        where = "no pool" if pool is None else f"pool '{pool}'"
        yield Issue(
            "scheduling.worker-pool.not-allowed",
            "/constraints/allowed_worker_pools",
            f"the worker is in {where}; the job allows {_quoted(pools)}",
        )
    if constraints.get("require_privileged") and not configuration.get("privileged"):
        yield Issue(
            "scheduling.privileged.required",
            "/constraints/require_privileged",
            "the job requires a privileged worker; this one is not",
        )
    minimum = constraints.get("minimum_worker_version")
    if minimum and semver_key(worker.get("version", "0.0.0")) < semver_key(minimum):
        yield Issue(
            "scheduling.worker-version.too-old",
            "/constraints/minimum_worker_version",
            f"the worker runs version {worker.get('version')}; the job needs {minimum} or later",
        )
    limit: Any = limits.get("max_disk_size_gb")
    size = constraints.get("maximum_disk_size_gb")
    if size is not None and limit is None:
        yield Issue(
            "scheduling.disk-size.too-large",
            "/constraints/maximum_disk_size_gb",
            f"the job may touch disks of {_whole(size)} GB; the worker states no max_disk_size_gb (it sends no "
            "resources), so nothing shows it accepts them",
        )
    elif size is not None and size > limit:
        yield Issue(
            "scheduling.disk-size.too-large",
            "/constraints/maximum_disk_size_gb",
            f"the job may touch disks of {_whole(size)} GB; the worker accepts at most {_whole(limit)} GB",
        )
    for pointer, image in images if limit is not None else ():
        size_bytes = image.get("size_bytes")
        if _is_number(size_bytes) and size_bytes > limit * GB:
            yield Issue(
                "scheduling.disk-size.too-large",
                f"{pointer}/size_bytes",
                f"the image is {_whole(size_bytes)} bytes; the worker accepts disks of at most {_whole(limit)} GB "
                f"({_whole(limit * GB)} bytes)",
            )
    pinned = routing.get("worker_id")
    if pinned is not None and pinned != worker.get("worker_id"):
        yield Issue(
            "scheduling.worker.pinned-elsewhere",
            "/routing/worker_id",
            f"the job is pinned to worker '{pinned}', not '{worker.get('worker_id')}'",
        )
    state = status.get("state")
    if state is None:
        yield Issue(
            "scheduling.worker.not-ready",
            "",
            "the worker sends no status, so its state is unknown: it takes new jobs only when its status says ready",
        )
    elif state != "ready":
        yield Issue("scheduling.worker.not-ready", "", f"the worker is {state}: it takes new jobs only when ready")
    running: Any = current_jobs if current_jobs is not None else status.get("current_jobs")
    most = limits.get("max_concurrent_jobs")
    if _is_number(running) and _is_number(most) and running >= most:
        yield Issue(
            "scheduling.worker.at-capacity",
            "",
            f"the worker runs {_whole(running)} jobs and at most {_whole(most)} at once: "
            "it takes a new one when one ends",
        )


def _payload_types_read(capabilities: Mapping[str, Any], operations: list[str]) -> list[str]:
    """The payload types a worker reads: those it lists, or the v1 of each of its operations."""
    listed = capabilities.get("payload_types")
    return list(listed) if listed is not None else [f"{operation}.v1" for operation in operations]


def _images(value: Any, pointer: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(pointer, image reference) of every image reference (an object with a path and an image format) in a payload."""
    if isinstance(value, Mapping):
        if isinstance(value.get("path"), str) and value.get("format") in resources.common_def("ImageFormat")["enum"]:
            yield pointer, value
        for key, item in value.items():
            yield from _images(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _images(item, f"{pointer}/{i}")


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(value: Any) -> Any:
    """A number as JSON writes it and JavaScript shows it: 5.0 (an integer written 5.0) as 5."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


_SEMVER = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?", re.ASCII)


def semver_key(version: str) -> tuple[Any, ...]:
    """A sort key giving Semantic Versioning 2.0.0 precedence (build metadata ignored).

    >>> semver_key("1.0.0-alpha") < semver_key("1.0.0-alpha.1") < semver_key("1.0.0-beta") < semver_key("1.0.0")
    True
    """
    match = _SEMVER.fullmatch(version)
    if match is None:
        raise ValueError(f"not a semantic version: {version!r}")
    release = tuple(int(part) for part in match.groups()[:3])
    if match[4] is None:
        return (*release, 1, ())  # a release sorts after all of its pre-releases
    identifiers = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in match[4].split("."))
    return (*release, 0, identifiers)


def _as_json(document: Any) -> Mapping[str, Any]:
    # Decoded JSON is read as it is: a scheduler matches every job it looks at, and copying both
    # documents each time cost most of a match.
    value = document if binding.is_decoded_json(document) else binding.to_json(document)
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a document object, got {type(document).__name__}")
    return value


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _count(items: list[str], one: str, many: str) -> str:
    return f"{len(items)} {one if len(items) == 1 else many}"
