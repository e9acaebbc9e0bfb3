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

HIDDEN_KINDS = ("weights", "image")
ADVANCED_KINDS = ("int",)  # technical knobs such as tile sizes go under "Advanced"
CUSTOM, PICTURE = "custom", "picture"

# Translated labels for the values and names the current tools use; anything else shows as written.
CHOICE_LABELS = {
    "none": _l("None"),
    "left": _l("90° left"),
    "right": _l("90° right"),
    "180": _l("180°"),
    "flip-h": _l("Flip horizontally"),
    "flip-v": _l("Flip vertically"),
    "white": _l("White"),
    "red": _l("Red"),
    "blue": _l("Blue"),
    "green": _l("Green"),
    CUSTOM: _l("Custom colour"),
    PICTURE: _l("A picture"),
    "auto": _l("Automatic"),
    "net": _l("Trained net"),
    "kernel": _l("Measure the shake and undo it"),
}
PARAM_LABELS = {
    "rotate": _l("Rotation"),
    "brightness": _l("Brightness"),
    "tile": _l("Tile size (px)"),
    "strength": _l("Strength"),
    "method": _l("Method"),
    "color": _l("New background"),
    "colour": _l("New background"),
    "image": _l("Background picture"),
    "background": _l("Background picture"),
}
PARAM_HELP = {
    "rotate": _l("Turn or mirror the photo."),
    "brightness": _l("1 keeps it; below 1 is darker (down to 0.2), above 1 brighter (up to 100)."),
    "tile": _l("Large photos are processed in overlapping tiles of this size to save memory."),
    "strength": _l("1 applies the full correction; lower values blend back towards your photo (for slight blur)."),
    "method": _l("The trained net is quick and safe on slight blur. Measuring the shake is slower and much "
                 "stronger on a still scene shaken hard, but can ring where the blur is slight or uneven. "
                 "Automatic measures the shake and uses the net when it is slight."),
}


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
            options = [(value, CHOICE_LABELS.get(value, value)) for value in param.choices]
        elif param.kind == "colour":
            options = [(name, CHOICE_LABELS.get(name, name)) for name in NAMED_COLOURS]
            options.append((CUSTOM, CHOICE_LABELS[CUSTOM]))
            if has_picture:
                options.append((PICTURE, CHOICE_LABELS[PICTURE]))
        controls.append(
            Control(
                param=param,
                label=PARAM_LABELS.get(param.name, param.label or param.name),
                help=PARAM_HELP.get(param.name, param.help),
                options=options,
                advanced=param.kind in ADVANCED_KINDS,
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
