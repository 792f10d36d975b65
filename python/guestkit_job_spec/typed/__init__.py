"""The typed layer: generated dataclasses (``models/``, by ``make gen``), the lossless binding
between JSON and them, typed parsing, the job builder and worker matching."""

import warnings

from ..protocol import resources
from ..validation import pipeline
from . import binding
from .models.digest import SCHEMAS_DIGEST

pipeline.accept_models(binding.to_json)  # validate() takes model objects once they can exist


class ModelsOutOfDate(UserWarning):
    """The generated models were made from other schemas than the ones in use."""


if resources.schemas_digest() != SCHEMAS_DIGEST:
    warnings.warn(
        "the generated models of guestkit_job_spec (typed/models/) were made from other schemas than the ones "
        "in use, so typed documents may lack fields or keep stale ones: run `make gen` in a checkout",
        ModelsOutOfDate,
        stacklevel=2,
    )
