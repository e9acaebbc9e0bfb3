"""The one rule that reads keep/remove marks (the ``strokes`` kind) from a painted picture."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from restora.tools.base import PICTURE_KINDS, InvalidParams, Param
from restora.tools.marks import KEEP, REMOVE, strokes_from_picture


def painted(pixels: list[list[tuple[int, int, int, int]]]) -> Image.Image:
    return Image.fromarray(np.array(pixels, np.uint8), "RGBA")


def test_greener_keeps_redder_removes_and_the_rest_says_nothing():
    picture = painted([
        [(0, 192, 0, 255), (224, 0, 0, 255), (0, 255, 0, 0), (128, 128, 128, 255)],  # keep, remove, transparent, grey
        [(90, 100, 250, 3), (100, 90, 250, 3), (0, 0, 255, 255), (255, 255, 255, 255)],  # faint keep/remove, blue, white
    ])
    strokes = strokes_from_picture(picture, (4, 2))
    assert strokes.dtype == np.int8 and strokes.shape == (2, 4)
    assert strokes.tolist() == [[KEEP, REMOVE, 0, 0], [KEEP, REMOVE, 0, 0]]


def test_a_picture_without_alpha_counts_everywhere_and_black_is_no_wish():
    picture = Image.new("RGB", (6, 4))  # black ground
    picture.paste((0, 200, 0), (0, 0, 3, 4))
    picture.paste((200, 0, 0), (3, 0, 4, 4))
    assert strokes_from_picture(picture, (6, 4)).tolist() == [[1, 1, 1, -1, 0, 0]] * 4


def test_a_palette_pngs_transparency_is_no_wish():
    picture = Image.new("P", (2, 1))
    picture.putpalette([0, 200, 0, 200, 0, 0] + [0] * 762)
    picture.putpixel((0, 0), 0)
    picture.putpixel((1, 0), 1)
    picture.info["transparency"] = 0  # the green entry is transparent: it says nothing
    assert strokes_from_picture(picture, (2, 1)).tolist() == [[0, REMOVE]]


@pytest.mark.parametrize("picture, message", [
    (Image.new("RGBA", (10, 8)), r"size of the photo \(12×8 px\), not 10×8 px"),
    ("marks.png", "must be a picture"),
    (np.zeros((8, 12), np.int8), "must be a picture"),
])
def test_refusals(picture, message):
    with pytest.raises(InvalidParams, match=message):
        strokes_from_picture(picture, (12, 8), "Marks")


def test_the_kind_is_a_picture_parameter():
    param = Param("strokes", "strokes", label="Marks")
    assert "strokes" in PICTURE_KINDS
    with pytest.raises(InvalidParams, match="Marks must be an image"):
        param.coerce("not a picture")
    assert param.coerce(None) is None
