"""Before and after: a draggable split line or side by side, with one zoom and pan for both.

Zoom: the wheel (about the cursor), a pinch, the keys + and -; F or 0 fits, 1 is 100 %; the arrow keys
and a drag pan. In split mode the line is dragged by grabbing it. When an :class:`Overlay` is in paint
or box mode, the left button paints or drags a box instead (the middle button still pans).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QWidget

from restora.gui.overlay import Overlay
from restora.gui.qimages import Pyramid

MIN_ZOOM, MAX_ZOOM = 0.02, 32.0
WHEEL_STEP = 1.25  # zoom factor per wheel notch (120 units)
KEY_PAN = 60  # widget pixels per arrow key
SPLIT_GRAB = 8  # widget pixels either side of the split line that grab it


class CompareView(QWidget):
    zoom_changed = Signal(float)

    def __init__(self, overlay: Overlay | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.overlay = overlay or Overlay()
        self.overlay.changed.connect(self.update)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(200, 150)
        self.before: Pyramid | None = None
        self.after: Pyramid | None = None
        self.zoom = 1.0
        self.offset = QPointF(0, 0)  # where the photo's top-left lands in a pane, widget pixels
        self.split = 0.5  # split line, as a fraction of the width
        self.side_by_side = False
        self.fitting = True  # refit on resize until the user zooms
        self.labels = ("Before", "After")
        self._drag: str | None = None
        self._drag_from = QPointF()

    # --- content ---------------------------------------------------------------------------------
    def set_images(self, before: Pyramid | QImage | None, after: Pyramid | QImage | None) -> None:
        """Show ``before`` and ``after`` (None: only the other); the zoom is kept unless fitting.

        Pass :class:`Pyramid` s built off the UI thread; a QImage is made into one here.
        """
        self.before = Pyramid.of_qimage(before) if isinstance(before, QImage) else before
        self.after = Pyramid.of_qimage(after) if isinstance(after, QImage) else after
        if self.fitting:
            self.fit()
        self.update()

    def photo_size(self) -> QSize:
        shown = self.after or self.before
        return shown.size() if shown is not None else QSize()

    def set_side_by_side(self, on: bool) -> None:
        self.side_by_side = on
        if self.fitting:
            self.fit()
        self.update()

    # --- zoom and pan ----------------------------------------------------------------------------
    def pane_size(self) -> QSize:
        two = self.side_by_side and self.before is not None and self.after is not None
        return QSize(self.width() // 2 if two else self.width(), self.height())

    def fit(self) -> None:
        size = self.photo_size()
        if size.isEmpty():
            return
        pane = self.pane_size()
        self.zoom = max(MIN_ZOOM, min(pane.width() / size.width(), pane.height() / size.height(), MAX_ZOOM))
        self.offset = QPointF((pane.width() - size.width() * self.zoom) / 2,
                              (pane.height() - size.height() * self.zoom) / 2)
        self.fitting = True
        self.zoom_changed.emit(self.zoom)
        self.update()

    def actual_size(self) -> None:
        self.zoom_at(1.0, QPointF(self.pane_size().width() / 2, self.pane_size().height() / 2))

    def zoom_at(self, zoom: float, anchor: QPointF) -> None:
        """Zoom to ``zoom`` keeping the photo point under ``anchor`` (pane coordinates) where it is."""
        zoom = max(MIN_ZOOM, min(zoom, MAX_ZOOM))
        photo_point = (anchor - self.offset) / self.zoom
        self.zoom = zoom
        self.offset = anchor - photo_point * zoom
        self.fitting = False
        self.zoom_changed.emit(zoom)
        self.update()

    def pan(self, dx: float, dy: float) -> None:
        self.offset += QPointF(dx, dy)
        self.fitting = False
        self.update()

    def to_photo(self, point: QPointF) -> QPointF:
        """Widget point -> photo pixel (in side-by-side mode, either pane maps to the same pixel)."""
        pane = self.pane_size().width()
        if self.side_by_side and point.x() >= pane and self.before is not None and self.after is not None:
            point = point - QPointF(pane, 0)
        return (point - self.offset) / self.zoom

    # --- painting ----------------------------------------------------------------------------------
    def _draw_photo(self, painter: QPainter, pyramid: Pyramid, origin: QPointF) -> None:
        target = QRectF(origin + self.offset, pyramid.size().toSizeF() * self.zoom)
        level = pyramid.level_for(self.zoom)
        # below 100 % smooth (from a level at most twice the size shown); above, each pixel a crisp square
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.zoom < 1.0)
        painter.drawImage(target, level, QRectF(level.rect()))

    def _draw_overlay(self, painter: QPainter, origin: QPointF) -> None:
        overlay = self.overlay
        top_left = origin + self.offset
        if overlay.painted and not overlay.hints.isNull():
            painter.drawImage(QRectF(top_left, overlay.hints.size().toSizeF() * self.zoom), overlay.hints)
        if overlay.box is not None:
            rect = overlay.box
            painter.setPen(QPen(QColor("#ffcc00"), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(top_left + QPointF(rect.x(), rect.y()) * self.zoom,
                                    rect.size().toSizeF() * self.zoom))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#2b2b2b"))
        before, after = self.before, self.after
        if before is None and after is None:
            painter.end()
            return
        if before is None or after is None:
            self._draw_photo(painter, before if before is not None else after, QPointF(0, 0))
            self._draw_overlay(painter, QPointF(0, 0))
        elif self.side_by_side:
            pane = self.pane_size().width()
            for index, pyramid in enumerate((before, after)):
                origin = QPointF(index * pane, 0)
                painter.save()
                painter.setClipRect(QRectF(origin, self.pane_size().toSizeF()))
                self._draw_photo(painter, pyramid, origin)
                if index == 0:
                    self._draw_overlay(painter, origin)
                self._label(painter, self.labels[index], origin.x() + 8)
                painter.restore()
            painter.setPen(QPen(QColor("#dddddd"), 1))
            painter.drawLine(pane, 0, pane, self.height())
        else:
            line = round(self.split * self.width())
            painter.save()
            painter.setClipRect(0, 0, line, self.height())
            self._draw_photo(painter, before, QPointF(0, 0))
            painter.restore()
            painter.save()
            painter.setClipRect(line, 0, self.width() - line, self.height())
            self._draw_photo(painter, after, QPointF(0, 0))
            painter.restore()
            self._draw_overlay(painter, QPointF(0, 0))
            painter.setPen(QPen(QColor("#ffffff"), 2))
            painter.drawLine(line, 0, line, self.height())
            painter.setBrush(QColor("#ffffff"))
            painter.drawEllipse(QPointF(line, self.height() / 2), 7, 7)
            self._label(painter, self.labels[0], 8)
            self._label(painter, self.labels[1], line + 8)
        painter.end()

    def _label(self, painter: QPainter, words: str, x: float) -> None:
        box = painter.fontMetrics().boundingRect(words).adjusted(-4, -2, 4, 2)
        box.moveTopLeft(QPointF(x - 4, 6).toPoint())
        painter.fillRect(box, QColor(0, 0, 0, 140))  # readable on a light or a dark photo
        painter.setPen(QColor("#ffffff"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, words)

    def resizeEvent(self, event) -> None:  # noqa: N802
        if self.fitting:
            self.fit()
        super().resizeEvent(event)

    # --- input ---------------------------------------------------------------------------------------
    def _near_split(self, x: float) -> bool:
        return (not self.side_by_side and self.before is not None and self.after is not None
                and abs(x - self.split * self.width()) <= SPLIT_GRAB)

    def _pane_point(self, point: QPointF) -> QPointF:
        pane = self.pane_size().width()
        if self.side_by_side and point.x() >= pane and self.before is not None and self.after is not None:
            return point - QPointF(pane, 0)
        return point

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        point = event.position()
        if event.button() == Qt.MouseButton.LeftButton and self._near_split(point.x()):
            self._drag = "split"
        elif event.button() == Qt.MouseButton.LeftButton and self.overlay.mode != "none":
            self._drag = "overlay"
            self.overlay.press(self.to_photo(point))
        elif event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            self._drag = "pan"
        self._drag_from = point
        self.setFocus()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        point = event.position()
        if self._drag == "split":
            self.split = min(1.0, max(0.0, point.x() / max(1, self.width())))
            self.update()
        elif self._drag == "overlay":
            self.overlay.move(self.to_photo(point))
        elif self._drag == "pan":
            delta = point - self._drag_from
            self.pan(delta.x(), delta.y())
        self._drag_from = point
        cursor = Qt.CursorShape.SplitHCursor if self._near_split(point.x()) else Qt.CursorShape.ArrowCursor
        if self.overlay.mode != "none" and not self._near_split(point.x()):
            cursor = Qt.CursorShape.CrossCursor
        self.setCursor(cursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag == "overlay":
            self.overlay.release(self.to_photo(event.position()))
        self._drag = None

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        notches = event.angleDelta().y() / 120
        if notches:
            self.zoom_at(self.zoom * WHEEL_STEP**notches, self._pane_point(event.position()))

    def event(self, event) -> bool:
        if event.type() == event.Type.NativeGesture and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
            self.zoom_at(self.zoom * (1.0 + event.value()), self._pane_point(event.position()))
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        centre = QPointF(self.pane_size().width() / 2, self.pane_size().height() / 2)
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_at(self.zoom * WHEEL_STEP, centre)
        elif key == Qt.Key.Key_Minus:
            self.zoom_at(self.zoom / WHEEL_STEP, centre)
        elif key in (Qt.Key.Key_0, Qt.Key.Key_F):
            self.fit()
        elif key == Qt.Key.Key_1:
            self.actual_size()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            dx = {Qt.Key.Key_Left: KEY_PAN, Qt.Key.Key_Right: -KEY_PAN}.get(key, 0)
            dy = {Qt.Key.Key_Up: KEY_PAN, Qt.Key.Key_Down: -KEY_PAN}.get(key, 0)
            self.pan(dx, dy)
        else:
            super().keyPressEvent(event)
