"""The payload fingerprint of a job (specification, section 8) for every form ``validate`` takes,
model objects included: validation/fingerprint.py computes it from the document's values."""

from __future__ import annotations

from dataclasses import is_dataclass
from typing import Any

from ..protocol.limits import DEFAULT_LIMITS, Limits
from ..validation import fingerprint as of_values
from . import binding


def fingerprint(job: bytes | str | Any, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """The payload fingerprint of a job: 64 lower-case hexadecimal digits.

    ``job`` is the raw bytes or text of a JSON document, a value already decoded (a mapping),
    or a model object (a ``Job`` as ``parse_job`` or ``build()`` gives it), as ``validate``
    takes them. The job is not validated (``validate`` it first); only what the fingerprint needs
    is checked. Raises ``ValueError`` when there is none: text the protocol's strict decoding
    refuses (specification, section 3: duplicate keys, lone surrogates, numbers beyond the
    limits...), a document that is not an object with ``operation`` and ``payload``, or a
    number in them of magnitude 2**53 or more.
    """
    if is_dataclass(job) and not isinstance(job, type):
        job = binding.to_json(job)
    return of_values.fingerprint(job, limits=limits)
