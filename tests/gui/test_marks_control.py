"""Keep/remove marks painted in the window: the background form's brush in Keep and Remove mode gives a
picture the photo's size that the one rule (restora/tools/marks.py) reads as painted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QColor

from restora.gui.drawn_controls import StrokesControl
from restora.gui.form import ParamForm
from restora.gui.overlay import Overlay
from restora.tools import TOOLS
from restora.tools.marks import KEEP, REMOVE, strokes_from_picture


def stroke(overlay: Overlay, y: int, x0: int, x1: int) -> None:
    overlay.press(QPointF(x0, y))
    overlay.move(QPointF((x0 + x1) / 2, y))
    overlay.release(QPointF(x1, y))


@pytest.fixture
def form(qtbot) -> ParamForm:
    """The background tool's form over a 64×48 photo's overlay."""
    form = ParamForm(TOOLS["background"], "en", Overlay())
    qtbot.addWidget(form)
    form.controls["strokes"].overlay.reset(QSize(64, 48))
    return form


def test_keep_and_remove_strokes_reach_the_tool_as_marks(form):
    marks = form.controls["strokes"]
    overlay = marks.overlay
    assert isinstance(marks, StrokesControl) and marks.value() is None and marks.keep.isChecked()
    marks.size.setValue(2)
    marks.toggle.click()
    assert overlay.mode == "paint"
    stroke(overlay, 10, 5, 30)  # keep
    marks.remove.click()
    stroke(overlay, 30, 20, 60)  # remove

    picture = marks.value()
    assert picture.size == (64, 48)
    strokes = strokes_from_picture(picture, (64, 48))
    assert strokes[10, 15] == KEEP and strokes[30, 40] == REMOVE and strokes[45, 5] == 0
    assert (strokes == KEEP).sum() > 40 and (strokes == REMOVE).sum() > 60

    form.set_value("strokes", None)  # Clear
    assert marks.value() is None


def test_the_mode_chosen_before_painting_starts_is_used(form):
    marks = form.controls["strokes"]
    overlay = marks.overlay
    marks.remove.click()
    overlay.brush_colour = QColor("#00ff00")  # a hints control's colour left behind
    marks.toggle.click()
    stroke(overlay, 16, 4, 28)
    assert strokes_from_picture(marks.value(), (64, 48))[16, 16] == REMOVE


def test_another_tools_painting_is_not_taken_as_marks(qtbot, window, photo_path):
    """Colour hints painted for colorize (a red brush: R > G) are not keep/remove marks once the background
    tool is chosen, nor are the marks colour hints the other way round: the layer is cleared with the tool."""
    from tests.gui.conftest import open_and_wait

    open_and_wait(qtbot, window, [photo_path])
    window.select_tool("colorize")
    window.form.controls["hints"].toggle.click()
    stroke(window.overlay, 10, 5, 30)
    assert window.form.values()["hints"] is not None
    window.select_tool("background")
    assert window.form.values()["strokes"] is None
    window.form.controls["strokes"].toggle.click()
    stroke(window.overlay, 20, 5, 30)
    assert window.form.values()["strokes"] is not None
    window.select_tool("colorize")
    assert window.form.values()["hints"] is None
