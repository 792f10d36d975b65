"""The payload fingerprint of a job (specification, section 8): what a service compares, beside the
idempotency key, to tell a resubmission of the same work from another job under the same key.

It is the lower-case hexadecimal SHA-256 of the RFC 8785 (JCS) serialization of
``{"operation": ..., "payload": ...}`` as decoded from the document: every member of the
payload counts, unknown ones included, ``null`` is a value unlike an absent member, and
nothing else of the job does. The serialization is the ``rfc8785`` package's (Trail of Bits).

>>> from guestkit_job_spec import fingerprint
>>> job = b'''{"job_id": "job-1234abcd", "operation": "example.echo",
...            "payload": {"type": "example.echo.v1", "data": {"n": 5.0}}}'''
>>> fingerprint(job) == fingerprint(job.replace(b"5.0", b"5e0").replace(b"1234abcd", b"other-id"))
True
>>> fingerprint(job)
'498283605a86ef31e137bea10beaaa6c160ee0cb9b67c6c8c82e9cca1194e9f7'
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

from ..protocol.limits import DEFAULT_LIMITS, Limits
from ..protocol.pointers import to_pointer
from .reference.decoding import check_decoded, decode

EXACT_NUMBERS = 2**53
"""Numbers of this magnitude or more have no fingerprint: JCS serializes a number as the IEEE 754
double it denotes, and above 2**53 doubles skip integers (9007199254740993 would be hashed as
9007199254740992), so two different payloads could share a fingerprint. Within it, every integer
is exact, and JavaScript's JSON.parse reads the same value as any strict decoder."""


def fingerprint(job: bytes | str | Any, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """The payload fingerprint of a job given as JSON text or as decoded values (the package's
    ``fingerprint``, in typed/idempotency.py, documents it and takes model objects too).
    ValueError when the job has none."""
    if isinstance(job, (bytes, str)):
        decoded = decode(job, limits)
    elif isinstance(job, (bytearray, memoryview)):
        decoded = decode(bytes(job), limits)
    else:
        decoded = check_decoded(job, limits)
    if not decoded.ok:
        issue = decoded.issues[0]
        where = f" at {issue.pointer}" if issue.pointer else ""
        raise ValueError(f"no fingerprint: {issue.message} ({issue.rule}{where})")
    document = decoded.value
    if not isinstance(document, dict) or "operation" not in document or "payload" not in document:
        raise ValueError("no fingerprint: expected a job, an object with the members operation and payload")
    hashed = {"operation": document["operation"], "payload": document["payload"]}
    _check_numbers(hashed)
    return hashlib.sha256(rfc8785.dumps(hashed)).hexdigest()


def _check_numbers(value: Any) -> None:
    """Refuse a number that a double may not hold exactly (``EXACT_NUMBERS``)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            stack.extend((item, (*path, key)) for key, item in node.items())
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and abs(node) >= EXACT_NUMBERS:
            raise ValueError(
                f"no fingerprint: the number at {to_pointer(path)} is {node!r}, of magnitude 2**53 or more, "
                "where a double no longer holds every integer and two payloads could share a fingerprint; "
                "expected a number within +-9007199254740991 (write larger ones as strings)"
            )
