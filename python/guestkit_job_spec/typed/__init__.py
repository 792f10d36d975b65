"""The typed layer: generated dataclasses (``models/``, by ``make gen``), the lossless binding
between JSON and them, typed parsing, the job builder and worker matching."""
