"""Keep/remove marks (the ``strokes`` parameter kind): a picture painted over the photo, read as wishes.

The picture is the photo's size. A pixel is a wish where it is painted (alpha > 0, or any pixel of a
picture without alpha): greener than red (G > R) says keep, redder than green (R > G) says remove;
transparent pixels, and painted ones with R = G (grey, white, black, blue), say nothing. So a brush in any
green or red works, antialiased edges keep their side, and a mark made elsewhere on a transparent PNG (or
on black) reads the same as one painted on the site or in the window.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from restora.tools.base import InvalidParams

KEEP, REMOVE = 1, -1  # the values of the array segmenters take (0: no wish)


def strokes_from_picture(picture: object, photo_size: tuple[int, int], title: str = "Keep / remove marks") -> np.ndarray:
    """The H×W int8 array (:data:`KEEP`, :data:`REMOVE`, 0) that ``picture`` paints over a photo of ``photo_size``.

    :raises InvalidParams: when ``picture`` is not a picture, or is not the photo's size (W×H).
    """
    if not isinstance(picture, Image.Image):
        raise InvalidParams(f"{title} must be a picture (a PNG painted green to keep, red to remove)")
    if picture.size != tuple(photo_size):
        raise InvalidParams(f"{title} must be the size of the photo ({photo_size[0]}×{photo_size[1]} px), "
                            f"not {picture.size[0]}×{picture.size[1]} px")
    rgba = np.asarray(picture.convert("RGBA"), np.int16)  # a palette's transparency becomes alpha here
    painted = rgba[..., 3] > 0
    red, green = rgba[..., 0], rgba[..., 1]
    strokes = np.zeros(rgba.shape[:2], np.int8)
    strokes[painted & (green > red)] = KEEP
    strokes[painted & (red > green)] = REMOVE
    return strokes
