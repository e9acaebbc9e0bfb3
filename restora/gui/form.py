"""A tool's form, generated from its ``params``: no tool has GUI code of its own.

choice -> combo box; float/int with a range -> slider + spin box (a logarithmic slider for a wide range
such as 0.2-100); bool -> check box; colour -> the named colours + a colour dialog; image -> a file
picker; hints -> a brush painted on the photo; strokes -> the same brush in Keep (green) or Remove (red)
mode; box -> a rectangle dragged on the photo; text -> a line
edit; weights -> a line edit under Advanced. ``values()`` gives the raw values :meth:`Tool.validate` takes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from restora.gui.controls import (
    BoolControl, ChoiceControl, ColourControl, Control, ImageControl, NumberControl, TextControl,
    WeightsControl,
)
from restora.gui.drawn_controls import BoxControl, HintsControl, StrokesControl
from restora.gui.overlay import Overlay
from restora.gui.texts import text
from restora.i18n import N_
from restora.tools.base import Param, Tool


class ParamForm(QWidget):
    """Every parameter of ``tool``, basic ones first and the advanced ones in a collapsible group."""

    problem = Signal(object)  # an exception from a control (a refused picture) for the window to show

    def __init__(self, tool: Tool, language: str, overlay: Overlay, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tool = tool
        self.controls: dict[str, Control] = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        description = QLabel(text(tool.description, language, tool))
        description.setWordWrap(True)
        column.addWidget(description)
        basic = QFormLayout()
        column.addLayout(basic)
        # Advanced: a check box that shows or hides the rows below it (closed at first)
        self.advanced = QWidget()
        self.advanced_toggle = QCheckBox(text(N_("Advanced"), language))
        body = QWidget()
        box = QVBoxLayout(self.advanced)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.advanced_toggle)
        box.addWidget(body)
        advanced = QFormLayout(body)
        advanced.setContentsMargins(0, 0, 0, 0)
        body.setVisible(False)
        self.advanced_toggle.toggled.connect(body.setVisible)
        for param in tool.params:
            control = make_control(param, tool, language, overlay)
            if isinstance(control, ImageControl):
                control.failed = self.problem.emit
            self.controls[param.name] = control
            label = text(param.title, language, tool)
            if param.units:
                label = f"{label} ({param.units})"
            tip = text(param.help, language, tool)
            caption = QLabel(label)
            caption.setToolTip(tip)
            control.widget.setToolTip(tip)
            (advanced if param.advanced or param.kind == "weights" else basic).addRow(caption, control.widget)
        self.advanced.setVisible(advanced.rowCount() > 0)
        column.addWidget(self.advanced)
        column.addStretch(1)

    def values(self) -> dict[str, Any]:
        """Raw values for ``tool.validate``: what each control holds."""
        return {name: control.value() for name, control in self.controls.items()}

    def set_value(self, name: str, value: Any) -> None:
        self.controls[name].set_value(value)

    def detach(self) -> None:
        for control in self.controls.values():
            control.detach()


def make_control(param: Param, tool: Tool, language: str, overlay: Overlay) -> Control:
    kind = param.kind
    if kind == "choice":
        return ChoiceControl(param, tool, language)
    if kind in ("float", "int"):
        return NumberControl(param)
    if kind == "bool":
        return BoolControl(param)
    if kind == "colour":
        return ColourControl(param, language)
    if kind == "image":
        return ImageControl(param, language)
    if kind == "hints":
        return HintsControl(param, overlay, language)
    if kind == "strokes":
        return StrokesControl(param, overlay, language)
    if kind == "box":
        return BoxControl(param, overlay, language)
    if kind == "weights":
        return WeightsControl(param, tool)
    return TextControl(param)
