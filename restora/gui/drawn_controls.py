"""Controls drawn on the photo: colour hints and keep/remove marks painted with a brush, and a dragged box
(all through the window's :class:`restora.gui.overlay.Overlay`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QColorDialog, QHBoxLayout, QLineEdit, QPushButton, QRadioButton, QSpinBox,
                               QVBoxLayout, QWidget)

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


class BrushControl(Control):
    """A brush painted on the photo (the overlay layer): what sets its colour, its size, and Clear."""

    def __init__(self, param: Param, overlay: Overlay, language: str, colour_choice: list[QWidget]) -> None:
        self.overlay = overlay
        widget = QWidget()
        column = QVBoxLayout(widget)
        column.setContentsMargins(0, 0, 0, 0)
        self.toggle = OverlayToggle(text(N_("Paint on the photo"), language), overlay, "paint")
        row = QHBoxLayout()
        self.size = QSpinBox(minimum=1, maximum=500, value=overlay.brush_radius, suffix=" px")
        self.size.setPrefix(text(N_("Brush"), language) + " ")
        self.size.valueChanged.connect(lambda radius: setattr(overlay, "brush_radius", radius))
        clear = QPushButton(text(N_("Clear"), language))
        clear.clicked.connect(overlay.clear_hints)
        for part in (*colour_choice, self.size, clear):
            row.addWidget(part)
        column.addWidget(self.toggle)
        column.addLayout(row)
        super().__init__(param, widget)

    def value(self) -> Any:
        return self.overlay.hints_image()

    def set_value(self, value: Any) -> None:
        if value is None:
            self.overlay.clear_hints()


class HintsControl(BrushControl):
    """Colour hints painted with a brush on the photo, in a chosen colour and size."""

    def __init__(self, param: Param, overlay: Overlay, language: str) -> None:
        self.colour = QPushButton()
        self.colour.clicked.connect(self.choose_colour)
        super().__init__(param, overlay, language, [self.colour])
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


class StrokesControl(BrushControl):
    """Keep/remove marks: the brush in one of two modes, Keep (green) or Remove (red), as
    :func:`restora.tools.marks.strokes_from_picture` reads them."""

    KEEP, REMOVE = QColor("#00c000"), QColor("#e00000")

    def __init__(self, param: Param, overlay: Overlay, language: str) -> None:
        self.keep = QRadioButton(text(N_("Keep"), language))
        self.remove = QRadioButton(text(N_("Remove"), language))
        self.keep.setChecked(True)
        super().__init__(param, overlay, language, [self.keep, self.remove])
        # The overlay's brush is shared with any hints control: the mode's colour is set each time painting starts.
        self.keep.toggled.connect(self._use_mode)
        self.toggle.toggled.connect(self._use_mode)

    def _use_mode(self) -> None:
        self.overlay.brush_colour = QColor(self.KEEP if self.keep.isChecked() else self.REMOVE)


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
