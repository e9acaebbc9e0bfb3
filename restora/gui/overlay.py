"""What the user draws on the photo for a tool: painted colour hints and a dragged box.

One :class:`Overlay` per window; the compare view draws it and feeds it the mouse in photo pixels, and
the form's hints and box controls read it. Hints are an RGBA layer the photo's size (alpha > 0 where
painted), exactly what a ``hints`` parameter takes.
"""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QObject, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from restora.gui.qimages import to_pil

MODES = ("none", "paint", "box")


class Overlay(QObject):
    changed = Signal()
    mode_changed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.size = QSize()
        self.hints = QImage()
        self.box: QRect | None = None
        self.mode = "none"
        self.brush_colour = QColor("#d03030")
        self.brush_radius = 12  # photo pixels
        self._last: QPointF | None = None
        self._box_start: QPoint | None = None
        self.painted = False

    def reset(self, size: QSize) -> None:
        """A new photo: an empty layer of its size, no box."""
        self.size = QSize(size)
        self.hints = QImage()  # made at the first stroke: 48 MB to clear for 12 MP, too long for every photo shown
        self.box = None
        self.painted = False
        self.changed.emit()

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"overlay mode must be one of {MODES}")
        if mode != self.mode:
            self.mode = mode
            self.mode_changed.emit(mode)

    def clear_hints(self) -> None:
        self.hints = QImage()
        self.painted = False
        self.changed.emit()

    def set_box(self, box: QRect | None) -> None:
        self.box = box.intersected(QRect(QPoint(0, 0), self.size)) if box is not None else None
        if self.box is not None and self.box.isEmpty():
            self.box = None
        self.changed.emit()

    # --- mouse, in photo pixels -------------------------------------------------------------------
    def press(self, point: QPointF) -> None:
        if self.mode == "paint":
            self._last = point
            self._stroke(point, point)
        elif self.mode == "box":
            self._box_start = point.toPoint()
            self.set_box(None)

    def move(self, point: QPointF) -> None:
        if self.mode == "paint" and self._last is not None:
            self._stroke(self._last, point)
            self._last = point
        elif self.mode == "box" and self._box_start is not None:
            self.set_box(QRect(self._box_start, point.toPoint()).normalized())

    def release(self, point: QPointF) -> None:
        self.move(point)
        self._last = None
        self._box_start = None

    def _stroke(self, start: QPointF, end: QPointF) -> None:
        if self.size.isEmpty():
            return
        if self.hints.isNull():
            self.hints = QImage(self.size, QImage.Format.Format_ARGB32_Premultiplied)
            self.hints.fill(Qt.GlobalColor.transparent)
        painter = QPainter(self.hints)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # hard edges: a hint's colour is exact
        pen = QPen(self.brush_colour, 2 * self.brush_radius, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(start, end)
        painter.end()
        self.painted = True
        self.changed.emit()

    # --- values for the tool ---------------------------------------------------------------------
    def hints_image(self) -> Image.Image | None:
        """The painted layer as RGBA the photo's size, or None when nothing was painted."""
        return to_pil(self.hints) if self.painted and not self.hints.isNull() else None

    def box_value(self) -> tuple[int, int, int, int] | None:
        if self.box is None:
            return None
        return self.box.x(), self.box.y(), self.box.width(), self.box.height()
