"""``system.echo``: answers with the job's ``payload.data`` unchanged, whatever it holds, as
``data.echo`` of its result, with upstream's ``message`` (schemas/payloads/system.echo.v1.json;
nothing in the job's data is checked; the result's data is schemas/results/system.echo.v1.json)."""

from __future__ import annotations

from typing import Any

from .base import Capabilities, Context


class EchoHandler:
    operation = "system.echo"

    def capabilities(self) -> Capabilities:
        return Capabilities(operations=(self.operation,))

    def run(self, context: Context) -> dict[str, Any]:
        context.check()
        return {"echo": dict(context.data), "message": "Echo handler executed successfully"}
