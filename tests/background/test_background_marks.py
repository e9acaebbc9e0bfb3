"""The background tool with keep/remove marks (the ``strokes`` parameter) on a real photo with two subjects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from restora.tools.background import Background
from restora.tools.base import InvalidParams, run_with_views
from tests.background.marks_support import KEEP_GREEN, REMOVE_RED, cup_and_cat_alpha, marks_picture, two_subjects

SHIPPED = Path(__file__).resolve().parents[2] / "restora" / "weights"


@pytest.fixture(scope="module")
def tool() -> Background:
    if not (SHIPPED / "u2netp.onnx").is_file():
        pytest.skip(f"the shipped u2netp.onnx is not in {SHIPPED}")
    return Background()


def test_the_marks_are_declared_as_a_painted_picture():
    param = next(p for p in Background().params if p.name == "strokes")
    assert param.kind == "strokes" and param.default is None and param.label == "Keep / remove marks"
    assert "green" in param.help and "red" in param.help and "keep box" in param.help


@pytest.mark.slow
def test_a_remove_mark_on_the_cup_takes_it_and_a_keep_mark_keeps_the_cat(tool):
    photo = two_subjects()
    plain = run_with_views(tool, photo, **tool.validate({"segmenter": "u2netp", "background": "transparent"}))
    cup, cat = cup_and_cat_alpha(np.asarray(plain.image)[..., 3] / 255)
    assert cup > 0.2 and cat > 0.5  # without marks the cup is kept too (the cat only in part)

    marked = run_with_views(tool, photo, **tool.validate({"segmenter": "u2netp", "background": "transparent",
                                                           "strokes": marks_picture()}))
    alpha = np.asarray(marked.image)[..., 3] / 255
    cup, cat = cup_and_cat_alpha(alpha)
    assert cup < 0.02 and alpha[150:300, 150:450].max() == 0  # the cup gone, exactly nothing under the mark
    assert cat > 0.95
    assert np.array_equal(np.asarray(marked.views["mask"].convert("L")), np.asarray(marked.image)[..., 3])


@pytest.mark.slow
def test_marks_inside_the_keep_box(tool):
    # A remove mark alone takes the whole part it touches; with a keep mark on the face only the strip goes.
    marks = Image.new("RGBA", (1200, 400))
    marks.paste(REMOVE_RED, (900, 300, 1000, 320))  # a strip of the cat's chest
    marks.paste(KEEP_GREEN, (800, 200, 1000, 210))  # its face
    values = tool.validate({"segmenter": "u2netp", "keep": "650,20,500,370", "strokes": marks, "mask_only": True})
    alpha = np.asarray(run_with_views(tool, two_subjects(), **values).image.convert("L"))
    assert alpha[:, :600].max() == 0 and alpha[300:320, 900:1000].max() == 0  # outside the box; under the mark
    assert (alpha[100:250, 750:1050] >= 128).mean() > 0.9  # the cat's face stays


def test_marks_of_another_size_are_refused_when_the_photo_is_known(tool):
    values = tool.validate({"segmenter": "u2netp", "strokes": marks_picture((600, 400))})
    with pytest.raises(InvalidParams, match=r"size of the photo \(1200×400 px\), not 600×400 px"):
        run_with_views(tool, two_subjects(), **values)


def test_marks_that_are_not_a_picture_are_refused(tool):
    with pytest.raises(InvalidParams, match="Keep / remove marks must be an image"):
        tool.validate({"strokes": "marks.png"})
