"""Matching jobs to workers: what a worker must offer to run a job.

``check_capabilities`` is protocol-facts rule 4.11 on its own; ``match_worker`` checks a
job against a whole worker registration and returns every reason it cannot run there.
Capabilities are matched exactly against the worker's operations and features.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..protocol import resources
from ..protocol.report import Issue
from . import binding


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


def match_worker(job: Any, worker: Any) -> list[Issue]:
    """Every reason ``worker`` cannot run ``job``; empty when it can.

    Both may be model objects or decoded JSON; they are assumed valid. Pointers refer to
    the job.
    """
    return list(_mismatches(_as_json(job), _as_json(worker)))


def _mismatches(job: Mapping[str, Any], worker: Mapping[str, Any]) -> Iterator[Issue]:
    constraints = job.get("constraints") or {}
    routing = job.get("routing") or {}
    capabilities = worker.get("capabilities") or {}
    configuration = worker.get("configuration") or {}
    operations, features = capabilities.get("operations") or [], capabilities.get("features") or []

    if job.get("operation") not in operations:
        yield Issue(
            "scheduling.operation.unsupported",
            "/operation",
            f"the worker has no handler for {job.get('operation')!r}; it runs {_quoted(operations) or 'nothing'}",
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
    for pointer, image_format in _image_formats(job.get("payload") or {}, "/payload"):
        if image_format not in formats:
            yield Issue(
                "scheduling.disk-format.unsupported",
                pointer,
                f"the worker cannot open {image_format} images; it opens {_quoted(formats) or 'none'}",
            )
    pools = constraints.get("allowed_worker_pools")
    if pools and configuration.get("worker_pool") not in pools:
        yield Issue(
            "scheduling.worker-pool.not-allowed",
            "/constraints/allowed_worker_pools",
            f"the worker is in pool {configuration.get('worker_pool')!r}; the job allows {_quoted(pools)}",
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
    limit = (worker.get("resources") or {}).get("max_disk_size_gb")
    size = constraints.get("maximum_disk_size_gb")
    if size is not None and limit is not None and size > limit:
        yield Issue(
            "scheduling.disk-size.too-large",
            "/constraints/maximum_disk_size_gb",
            f"the job may touch disks of {size} GB; the worker accepts at most {limit} GB",
        )
    pinned = routing.get("worker_id")
    if pinned is not None and pinned != worker.get("worker_id"):
        yield Issue(
            "scheduling.worker.pinned-elsewhere",
            "/routing/worker_id",
            f"the job is pinned to worker {pinned!r}, not {worker.get('worker_id')!r}",
        )
    state = (worker.get("status") or {}).get("state", "ready")
    if state != "ready":
        yield Issue("scheduling.worker.not-ready", "", f"the worker is {state}: it takes new jobs only when ready")


def _image_formats(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """(pointer, format) of every image reference (an object with path and format) in a payload."""
    if isinstance(value, Mapping):
        if isinstance(value.get("path"), str) and value.get("format") in resources.common_def("ImageFormat")["enum"]:
            yield f"{pointer}/format", value["format"]
        for key, item in value.items():
            yield from _image_formats(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _image_formats(item, f"{pointer}/{i}")


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
    value = binding.to_json(document)
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a document object, got {type(document).__name__}")
    return value


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _count(items: list[str], one: str, many: str) -> str:
    return f"{len(items)} {one if len(items) == 1 else many}"
