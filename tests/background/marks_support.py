"""A photo with two salient subjects and keep/remove marks painted on it, as every front's test sends them.

The coffee cup on the left (skimage's coffee, 600×400) and the cat on the right (chelsea resized to 600×400),
as tests/background/test_segment.py builds them: without marks both are kept.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from skimage import data

KEEP_GREEN, REMOVE_RED = (0, 192, 0, 255), (224, 0, 0, 255)
CUP = (150, 150, 300, 150)  # x, y, w, h: a remove mark across the cup and saucer
CAT_FACE = (800, 200, 200, 10)  # a keep mark across the cat's face


def two_subjects() -> Image.Image:
    cat = Image.fromarray(data.chelsea()).resize((600, 400), Image.Resampling.BICUBIC)
    return Image.fromarray(np.concatenate([data.coffee(), np.asarray(cat)], axis=1))


def marks_picture(size: tuple[int, int] = (1200, 400)) -> Image.Image:
    """Transparent, with the remove mark on the cup and the keep mark on the cat (both clipped to ``size``)."""
    picture = Image.new("RGBA", size, (0, 0, 0, 0))
    for (x, y, w, h), colour in ((CUP, REMOVE_RED), (CAT_FACE, KEEP_GREEN)):
        picture.paste(colour, (x, y, x + w, y + h))
    return picture


def png_bytes(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def cup_and_cat_alpha(alpha: np.ndarray) -> tuple[float, float]:
    """(the mean alpha of the cup's half, the share of the cat's face kept at 0.5 or more), alpha in 0-1."""
    return float(alpha[:, :600].mean()), float((alpha[100:350, 750:1050] >= 0.5).mean())
