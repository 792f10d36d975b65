"""Decoding limits: the one place where their defaults are defined.

A job document decides which disk a privileged worker opens, so hostile input must
cost bounded time and memory. The defaults admit every realistic document (documents
of several MiB, label maps of 100,000 entries); pass a ``Limits`` to raise or lower them.
"""

from __future__ import annotations

from dataclasses import dataclass

# jiter, the strict decoder, refuses nesting deeper than this whatever we configure.
DECODER_MAX_DEPTH = 200


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Upper bounds checked while decoding, each reported under its own rule id."""

    max_document_bytes: int = 16 * 1024 * 1024
    """Largest document, in bytes of UTF-8 (rule json.size)."""
    max_depth: int = 64
    """Deepest nesting of arrays and objects; the top-level object is depth 1 (rule json.depth)."""
    max_string_length: int = 1024 * 1024
    """Longest string or object key, in characters (rule json.string-length)."""
    max_container_entries: int = 100_000
    """Most entries in one array or object (rule json.container-size)."""

    def __post_init__(self) -> None:
        for name in ("max_document_bytes", "max_depth", "max_string_length", "max_container_entries"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.max_depth > DECODER_MAX_DEPTH:
            raise ValueError(
                f"max_depth can be at most {DECODER_MAX_DEPTH} (the decoder's own limit), got {self.max_depth}"
            )


DEFAULT_LIMITS = Limits()
