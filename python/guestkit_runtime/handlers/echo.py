"""``system.echo``: returns the job's ``payload.data`` as the result's ``data``, whatever it
holds (the payload type is not registered yet; nothing here depends on its schema)."""

from __future__ import annotations

from typing import Any

from .base import Capabilities, Context


class EchoHandler:
    operation = "system.echo"

    def capabilities(self) -> Capabilities:
        return Capabilities(operations=(self.operation,))

    def run(self, context: Context) -> dict[str, Any]:
        context.check()
        return dict(context.data)
