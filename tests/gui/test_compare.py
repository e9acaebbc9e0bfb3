"""The before/after view: split line, side by side, zoom and pan by wheel and keys; painting hints and
dragging a box on the photo, which reach the tool as its parameters."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage

from restora.gui.compare_widget import CompareView
from tests.gui.conftest import open_and_wait, run_and_wait


def solid(width: int, height: int, colour: str) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB888)
    image.fill(QColor(colour))
    return image


@pytest.fixture
def view(qtbot):
    view = CompareView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    view.set_images(solid(200, 100, "black"), solid(200, 100, "white"))
    return view


def pixel(view: CompareView, x: int, y: int) -> QColor:
    return view.grab().toImage().pixelColor(x, y)


def test_fit_then_the_split_line_shows_before_left_and_after_right(qtbot, view):
    assert view.zoom == pytest.approx(2.0)  # 200×100 into 400×300
    assert pixel(view, 100, 150).lightness() < 50 and pixel(view, 300, 150).lightness() > 200
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(200, 150))  # grab the line
    qtbot.mouseMove(view, QPoint(350, 150))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(350, 150))
    assert view.split == pytest.approx(350 / 400, abs=0.01)
    assert pixel(view, 300, 150).lightness() < 50  # the before side grew


def test_the_wheel_zooms_about_the_cursor_and_the_keys_fit_and_show_100_percent(qtbot, view):
    from PySide6.QtGui import QWheelEvent

    anchor = QPointF(100, 150)
    under = view.to_photo(anchor)
    event = QWheelEvent(anchor, view.mapToGlobal(anchor), QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    view.wheelEvent(event)
    assert view.zoom == pytest.approx(2.0 * 1.25)
    assert view.to_photo(anchor).x() == pytest.approx(under.x()) and view.to_photo(anchor).y() == pytest.approx(under.y())
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert view.zoom == 1.0 and not view.fitting
    before = QPointF(view.offset)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.offset.x() > before.x()
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert view.zoom == pytest.approx(0.8)
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert view.zoom == pytest.approx(2.0) and view.fitting


def test_side_by_side_shares_one_zoom_and_pan(qtbot, view):
    view.set_side_by_side(True)
    assert view.zoom == pytest.approx(1.0)  # each pane is 200 wide
    assert pixel(view, 100, 150).lightness() < 50 and pixel(view, 300, 150).lightness() > 200
    # the same photo pixel lies under the same point of either pane
    left, right = view.to_photo(QPointF(50, 150)), view.to_photo(QPointF(250, 150))
    assert (left.x(), left.y()) == (right.x(), right.y())
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(250, 150))
    qtbot.mouseMove(view, QPoint(270, 160))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(270, 160))
    assert (view.offset.x(), view.offset.y()) != (0, 50) and not view.fitting


def drag(qtbot, widget, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 5):
        qtbot.mouseMove(widget, start + (end - start) * step / 4)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def test_painted_hints_and_a_dragged_box_reach_the_tool(qtbot, window, photo_path, test_tools):
    open_and_wait(qtbot, window, [photo_path])  # 64×48
    window.select_tool("drawn-probe")
    window.view.set_side_by_side(False)
    hints = window.form.controls["hints"]
    hints.toggle.click()
    assert window.overlay.mode == "paint"
    window.overlay.brush_colour = QColor("#00ff00")
    window.overlay.brush_radius = 2
    to_widget = lambda x, y: (QPointF(x, y) * window.view.zoom + window.view.offset).toPoint()  # noqa: E731
    drag(qtbot, window.view, to_widget(10, 30), to_widget(50, 30))

    window.form.controls["keep"].toggle.click()
    assert window.overlay.mode == "box" and not hints.toggle.isChecked()  # one drawing mode at a time
    drag(qtbot, window.view, to_widget(5, 6), to_widget(45, 40))
    assert window.form.controls["keep"].edit.text() != ""

    run_and_wait(qtbot, window)
    seen = window.photos[0].current.info["seen"]
    painted = np.asarray(seen["hints"])
    assert seen["hints"].mode == "RGBA" and seen["hints"].size == (64, 48)
    assert painted[30, 30, 3] == 255 and tuple(painted[30, 30, :3]) == (0, 255, 0)
    assert painted[5, 5, 3] == 0  # unpainted stays transparent: no wish there
    x, y, w, h = seen["keep"]
    assert abs(x - 5) <= 1 and abs(y - 6) <= 1 and abs(w - 40) <= 2 and abs(h - 34) <= 2
    assert tuple(np.asarray(window.photos[0].current)[30, 30]) == (0, 255, 0)


def test_the_mask_view_shows_a_results_transparency(window, photo_path, qtbot):
    from PIL import Image

    open_and_wait(qtbot, window, [photo_path])
    photo = window.photos[0]
    cut_out = photo.original.convert("RGBA")
    cut_out.putalpha(Image.new("L", cut_out.size, 0))
    photo.add_result("cut", photo.original, cut_out)
    window.mask_action.trigger()
    shown = window.view.after.full
    assert shown.pixelColor(10, 10).lightness() == 0  # alpha 0 shows black

