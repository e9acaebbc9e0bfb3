"""Form controls from a tool's typed ``params``, and raw values back from a submitted form.

A tool that lands in ``restora.tools.TOOLS`` later appears on the site with no new web code: its
``Param`` kinds decide the controls (see ``templates/tools/_controls.html`` and ``static/js/drawn.js``):

- choice -> a drop-down, or a list showing every choice at once when there are many (ID-photo sizes);
- float/int -> a number input; bool -> a checkbox; text -> a text input;
- colour -> radio buttons drawn as swatches of the named colours, plus one for a colour picker;
- box -> a box dragged on the chosen photo, written into a text input as X,Y,W,H in the photo's pixels
  (the input is the keyboard's way, and the one the API takes);
- image -> a file input of its own; hints -> a brush on the chosen photo that sends an RGBA PNG of the
  photo's size, with a file input for a hints picture made elsewhere; strokes -> the same brush with two
  modes, Keep (green) and Remove (red), instead of a colour (the rule: ``restora/tools/marks.py``).

``weights`` are never taken from a web form: a path typed into a form must not choose which file the
server loads. Typing and range checks are the tool's own (:meth:`restora.tools.base.Param.coerce`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from restora.tools.base import NAMED_COLOURS, PICTURE_KINDS, Param, Tool
from restora.web.content import tool_text

HIDDEN_KINDS = ("weights",)
# Parameters that arrive as files (multipart parts) rather than text fields; the API uses this list too.
FILE_KINDS = PICTURE_KINDS
CUSTOM = "custom"
# A choice with more options than this is drawn as a list that shows them all (labels stay readable).
LIST_CHOICES_FROM = 6

# The colour control's own extra choice; every other label comes from the tool's declaration.
CUSTOM_LABEL = _l("Custom colour")
COLOUR_LABELS = {"white": _l("White"), "red": _l("Red"), "blue": _l("Blue"), "green": _l("Green")}


@dataclass
class Control:
    """What a template needs to draw one parameter."""

    param: Param
    label: object
    help: object
    options: list[tuple[str, object]] = field(default_factory=list)
    advanced: bool = False
    # colour: {named colour: "#rrggbb"} for the swatches; the custom picker's starting value.
    swatches: dict[str, str] = field(default_factory=dict)
    custom_value: str = "#3366cc"

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def kind(self) -> str:
        return self.param.kind

    @property
    def as_list(self) -> bool:
        return self.kind == "choice" and len(self.options) >= LIST_CHOICES_FROM

    @property
    def checked_colour(self) -> str:
        """The swatch selected at first: the default's name, or the picker for a #RRGGBB default."""
        default = str(self.param.default or "").lower()
        return default if default in self.swatches else CUSTOM


def file_params(tool: Tool) -> list[Param]:
    """The parameters that are pictures besides the photo, in declaration order."""
    return [param for param in tool.params if param.kind in FILE_KINDS]


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def controls_for(tool: Tool) -> list[Control]:
    """The visible controls of ``tool`` in declaration order."""
    controls = []
    for param in tool.params:
        if param.kind in HIDDEN_KINDS:
            continue
        control = Control(param=param, label="", help=tool_text(tool, param.help), advanced=param.advanced)
        if param.kind == "choice":
            control.options = [(value, tool_text(tool, param.choice_label(value))) for value in param.choices]
        elif param.kind == "colour":
            control.options = [(name, COLOUR_LABELS.get(name, name)) for name in NAMED_COLOURS]
            control.swatches = {name: _hex(rgb) for name, rgb in NAMED_COLOURS.items()}
            default = str(param.default or "")
            if default.startswith("#") and len(default) == 7:
                control.custom_value = default.lower()
        label = tool_text(tool, param.title)
        control.label = f"{label} ({param.units})" if param.units else label
        controls.append(control)
    return controls


@dataclass(frozen=True)
class RawParams:
    """The form's text values (stored with the job as given); pictures are read by the caller."""

    values: dict[str, Any]


def raw_params_from(tool: Tool, form: MultiDict) -> RawParams:
    """Read the tool's text parameters from a submitted form; typing and range checks are the tool's job."""
    values: dict[str, Any] = {}
    for param in tool.params:
        if param.kind in HIDDEN_KINDS or param.kind in FILE_KINDS:
            continue
        raw = form.get(param.name, "")
        if param.kind == "bool":
            raw = "true" if raw in ("on", "true", "1", "yes") else "false"
        elif param.kind == "colour" and raw == CUSTOM:
            raw = form.get(f"{param.name}_{CUSTOM}", "")
        elif param.kind == "box":
            raw = raw.replace(" ", "")  # "10, 20, 30, 40" as typed; the Param checks the rest
        values[param.name] = raw
    return RawParams(values=values)
