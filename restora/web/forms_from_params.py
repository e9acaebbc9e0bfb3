"""Form controls from a tool's typed ``params``, and raw values back from a submitted form.

A tool that lands in ``restora.tools.TOOLS`` later appears on the site with no new web code: its
``Param`` kinds decide the controls (choice -> select, float/int -> number input, bool -> checkbox,
colour -> named colours + custom + picture, image -> a second file input). ``weights`` are never taken
from a web form: a path typed into a form must not choose which file the server loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from restora.tools.base import NAMED_COLOURS, Param, Tool
from restora.web.content import tool_text

# "image" is drawn separately (the second file input). "hints" (painted colours) would be a third picture,
# and a job stores one upload besides the photo: the site does not offer them yet (the desktop window and
# the command line do), rather than showing a field that cannot work.
HIDDEN_KINDS = ("weights", "image", "hints")
CUSTOM, PICTURE = "custom", "picture"

# The colour control's own two extra choices; every other label comes from the tool's declaration.
CUSTOM_LABEL = _l("Custom colour")
PICTURE_LABEL = _l("A picture")
COLOUR_LABELS = {"white": _l("White"), "red": _l("Red"), "blue": _l("Blue"), "green": _l("Green")}


@dataclass
class Control:
    """What a template needs to draw one parameter."""

    param: Param
    label: object
    help: object
    options: list[tuple[str, object]] = field(default_factory=list)
    advanced: bool = False

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def kind(self) -> str:
        return self.param.kind


def image_param(tool: Tool) -> Param | None:
    return next((p for p in tool.params if p.kind == "image"), None)


def controls_for(tool: Tool) -> list[Control]:
    """The visible controls of ``tool`` in declaration order (the second picture is drawn separately)."""
    has_picture = image_param(tool) is not None
    controls = []
    for param in tool.params:
        if param.kind in HIDDEN_KINDS:
            continue
        options: list[tuple[str, object]] = []
        if param.kind == "choice":
            options = [(value, tool_text(tool, param.choice_label(value))) for value in param.choices]
        elif param.kind == "colour":
            options = [(name, COLOUR_LABELS.get(name, name)) for name in NAMED_COLOURS]
            options.append((CUSTOM, CUSTOM_LABEL))
            if has_picture:
                options.append((PICTURE, PICTURE_LABEL))
        label = tool_text(tool, param.title)
        controls.append(
            Control(
                param=param,
                label=f"{label} ({param.units})" if param.units else label,
                help=tool_text(tool, param.help),
                options=options,
                advanced=param.advanced,
            )
        )
    return controls


@dataclass(frozen=True)
class RawParams:
    """The form's values as strings (stored with the job), and whether a second picture is needed."""

    values: dict[str, Any]
    wants_picture: bool


def raw_params_from(tool: Tool, form: MultiDict) -> RawParams:
    """Read the tool's parameters from a submitted form; typing and range checks are the tool's job."""
    values: dict[str, Any] = {}
    wants_picture = False
    picture = image_param(tool)
    for param in tool.params:
        if param.kind in HIDDEN_KINDS:
            continue
        raw = form.get(param.name, "")
        if param.kind == "bool":
            raw = "true" if raw in ("on", "true", "1", "yes") else "false"
        if param.kind == "colour":
            if raw == CUSTOM:
                raw = form.get(f"{param.name}_custom", "")
            elif raw == PICTURE and picture is not None:
                wants_picture, raw = True, ""
        values[param.name] = raw
    if picture is not None and picture.required:
        wants_picture = True
    return RawParams(values=values, wants_picture=wants_picture)
