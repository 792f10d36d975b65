"""Serde types for the Rust crate, generated from the schemas (placeholder until written)."""

from __future__ import annotations

from pathlib import Path


def render_types(schemas: Path) -> str:
    return ""
