"""Controls drawn on the photo: colour hints painted with a brush, and a dragged box (both through the
window's :class:`restora.gui.overlay.Overlay`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QColorDialog, QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget

from restora.gui.controls import Control
from restora.gui.overlay import Overlay
from restora.gui.texts import text
from restora.i18n import N_
from restora.tools.base import Param


class OverlayToggle(QPushButton):
    """A checkable button that puts the overlay in one mode and shows when another control took it."""

    def __init__(self, words: str, overlay: Overlay, mode: str) -> None:
        super().__init__(words)
        self.setCheckable(True)
        self.overlay, self.mode = overlay, mode
        self.toggled.connect(self._switch)
        overlay.mode_changed.connect(self._show)

    def _switch(self, on: bool) -> None:
        if on:
            self.overlay.set_mode(self.mode)
        elif self.overlay.mode == self.mode:
            self.overlay.set_mode("none")

    def _show(self, current: str) -> None:
        self.setChecked(current == self.mode)


class HintsControl(Control):
    """Colour hints painted with a brush on the photo (the overlay layer), in a chosen colour and size."""

    def __init__(self, param: Param, overlay: Overlay, language: str) -> None:
        self.overlay = overlay
        widget = QWidget()
        column = QVBoxLayout(widget)
        column.setContentsMargins(0, 0, 0, 0)
        self.toggle = OverlayToggle(text(N_("Paint on the photo"), language), overlay, "paint")
        row = QHBoxLayout()
        self.colour = QPushButton()
        self.colour.clicked.connect(self.choose_colour)
        self.size = QSpinBox(minimum=1, maximum=500, value=overlay.brush_radius, suffix=" px")
        self.size.setPrefix(text(N_("Brush"), language) + " ")
        self.size.valueChanged.connect(lambda radius: setattr(overlay, "brush_radius", radius))
        clear = QPushButton(text(N_("Clear"), language))
        clear.clicked.connect(overlay.clear_hints)
        row.addWidget(self.colour)
        row.addWidget(self.size)
        row.addWidget(clear)
        column.addWidget(self.toggle)
        column.addLayout(row)
        super().__init__(param, widget)
        self._show_colour()

    def choose_colour(self) -> None:
        colour = QColorDialog.getColor(self.overlay.brush_colour, self.widget)
        if colour.isValid():
            self.overlay.brush_colour = colour
            self._show_colour()

    def _show_colour(self) -> None:
        self.colour.setText(self.overlay.brush_colour.name())
        swatch = self.colour.palette()  # the button shows the brush's colour
        swatch.setColor(QPalette.ColorRole.Button, self.overlay.brush_colour)
        self.colour.setPalette(swatch)
        self.colour.setAutoFillBackground(True)

    def value(self) -> Any:
        return self.overlay.hints_image()

    def set_value(self, value: Any) -> None:
        if value is None:
            self.overlay.clear_hints()


class BoxControl(Control):
    """A box dragged on the photo, shown (and editable) as X,Y,W,H."""

    def __init__(self, param: Param, overlay: Overlay, language: str) -> None:
        self.overlay = overlay
        widget = QWidget()
        column = QVBoxLayout(widget)
        column.setContentsMargins(0, 0, 0, 0)
        self.toggle = OverlayToggle(text(N_("Drag a box on the photo"), language), overlay, "box")
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("X,Y,W,H")
        self.edit.editingFinished.connect(self._from_text)
        overlay.changed.connect(self._from_overlay)
        column.addWidget(self.toggle)
        column.addWidget(self.edit)
        super().__init__(param, widget)

    def detach(self) -> None:
        self.overlay.changed.disconnect(self._from_overlay)

    def _from_overlay(self) -> None:
        box = self.overlay.box_value()
        wanted = "" if box is None else ",".join(str(v) for v in box)
        if self.edit.text() != wanted and not self.edit.hasFocus():
            self.edit.setText(wanted)

    def _from_text(self) -> None:
        try:
            x, y, w, h = (int(part) for part in self.edit.text().replace(" ", "").split(","))
        except ValueError:
            return  # left as typed: validate() names the mistake when the tool runs
        self.overlay.set_box(QRect(x, y, w, h))

    def value(self) -> Any:
        return self.edit.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else ",".join(str(v) for v in value))
        self._from_text()
