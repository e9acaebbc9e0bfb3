"""The registry of tools. Fronts take every tool, its parameters, texts and weights from here.

Built-in tools are listed in :data:`BUILTIN` (one line each); a separately installed package adds a tool
through the ``restora.tools`` entry-point group (see docs/adding-a-tool.md), naming either a Tool
instance or a class that builds one with no arguments. Registering a tool registers its weights.

Tool modules import torch and their nets lazily (inside ``run``), so importing this registry is cheap.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points
from typing import Any

from restora.tools.base import BaseTool, Command, InvalidParams, Param, Tool, ToolOutput, View, run_with_views, tool_output

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "restora.tools"

# "module:attribute" of each built-in tool, in the order the fronts show them.
BUILTIN = (
    "restora.tools.adjust:Adjust",
    "restora.tools.deblur:Deblur",
    "restora.tools.background:Background",
    "restora.tools.colorize:Colorize",
)

TOOLS: dict[str, Tool] = {}


def _instance(target: Any) -> Tool:
    return target() if isinstance(target, type) else target


def load_object(spec: str) -> Any:
    """The attribute named by "module:attribute"."""
    module, _, attribute = spec.partition(":")
    return getattr(importlib.import_module(module), attribute)


def register(tool: Tool) -> Tool:
    """Add ``tool`` (and its weights) to the registry; a second tool of the same name is refused."""
    from restora.weights import register_entry

    if tool.name in TOOLS and TOOLS[tool.name] is not tool:
        raise ValueError(f"two tools are named {tool.name!r}")
    TOOLS[tool.name] = tool
    for entry in getattr(tool, "weights", ()):
        register_entry(entry)
    return tool


def unregister(name: str) -> None:
    """Remove a tool and its weights entries (tests that register tools of their own)."""
    from restora.weights import unregister_entries

    TOOLS.pop(name, None)
    unregister_entries(name)


def load_entry_points() -> list[str]:
    """Register the tools that installed packages add through the entry-point group; their names.

    Called once at import; call it again after installing a package into a running process.
    """
    added = []
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            tool = _instance(point.load())
            if tool.name not in TOOLS:
                added.append(register(tool).name)
        except Exception:  # a broken add-on must not take the built-in tools down with it
            log.exception("could not load the tool %r from the %s entry point", point.name, ENTRY_POINT_GROUP)
    return added


for _spec in BUILTIN:
    register(_instance(load_object(_spec)))
load_entry_points()

__all__ = ["TOOLS", "BaseTool", "Command", "InvalidParams", "Param", "Tool", "ToolOutput", "View", "load_entry_points",
           "load_object", "register", "run_with_views", "tool_output", "unregister"]
