"""The handler registry: the handlers of the entry-point group ``guestkit_runtime.handlers``
(this package registers ``system.echo`` and ``guestkit.convert`` there; another package adds
its own the same way), and command handlers configured by the worker's user."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points

from .base import Capabilities, Context, Handler, HandlerError, Stopped
from .command import CommandHandler
from .convert import ConvertHandler
from .echo import EchoHandler

GROUP = "guestkit_runtime.handlers"
BUILT_IN: Mapping[str, type] = {"system.echo": EchoHandler, "guestkit.convert": ConvertHandler}


def registered() -> dict[str, Handler]:
    """One handler per operation registered under the entry-point group (the built-in ones
    when the package runs from a source tree that was not installed)."""
    handlers: dict[str, Handler] = {}
    for entry in entry_points(group=GROUP):
        handlers[entry.name] = entry.load()()
    for operation, factory in BUILT_IN.items():
        handlers.setdefault(operation, factory())
    return handlers


__all__ = [
    "Capabilities",
    "CommandHandler",
    "Context",
    "ConvertHandler",
    "EchoHandler",
    "Handler",
    "HandlerError",
    "Stopped",
    "registered",
]
