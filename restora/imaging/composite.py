"""Putting a matted subject on a new background, and the pictures made from a matte.

Colours are straight (not premultiplied): a pixel is ``alpha·F + (1 - alpha)·B`` with F the subject's own
colour (restora.imaging.matting estimates it in the edge band) and B the new background, rounded half up
to 8 bits, so alpha 1 gives the photo's pixel exactly and alpha 0 the background's exactly.
Large photos are composited in bands of rows so the float copies stay small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from restora.imaging.matting import Matte

# The usual ID-photo background colours. No standard fixes RGB values: these are the values Chinese
# ID-photo studios and apps commonly use (from memory, not a cited standard): "ID blue" RGB(67, 142, 219),
# "ID red" RGB(217, 0, 27), and plain white. Any other colour can be given as #RRGGBB.
ID_COLOURS = {
    "white": (255, 255, 255),
    "blue": (0x43, 0x8E, 0xDB),
    "red": (0xD9, 0x00, 0x1B),
}
PICTURE_FITS = ("cover", "fit", "tile")
ROWS_PER_BAND = 512  # 512 rows of a 4,000-px-wide photo: ~25 MB per float copy
BLUR_FRACTION = 0.02  # portrait-mode blur radius as a fraction of the long side
BLUR_WORK_PIXELS = 250_000  # the blurred background is smooth: computed at this size and enlarged


def resolve_colour(value: str | tuple[int, int, int]) -> tuple[int, int, int]:
    """'blue' -> the ID blue, '#RRGGBB' -> its RGB; other names of restora.tools.base.NAMED_COLOURS too."""
    if isinstance(value, tuple):
        return value
    if value in ID_COLOURS:
        return ID_COLOURS[value]
    from restora.tools.base import colour_to_rgb

    return colour_to_rgb(value)


def flat(size: tuple[int, int], colour: tuple[int, int, int]) -> np.ndarray:
    """An H×W×3 uint8 picture of one colour; ``size`` is (width, height)."""
    width, height = size
    return np.broadcast_to(np.asarray(colour, np.uint8), (height, width, 3))


def vertical_gradient(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> np.ndarray:
    """From ``top`` on the first row to ``bottom`` on the last, linearly in sRGB values."""
    width, height = size
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    rows = np.floor((1 - t) * np.asarray(top, np.float32) + t * np.asarray(bottom, np.float32) + 0.5).astype(np.uint8)
    return np.broadcast_to(rows[:, None, :], (height, width, 3))


def blurred_background(rgb: np.ndarray, alpha: np.ndarray, fraction: float = BLUR_FRACTION) -> np.ndarray:
    """The photo's own background, blurred (portrait mode), with the subject left out of the blur.

    A plain blur would smear the subject's colours around it (a ghost); instead the background is
    averaged with weights 1 - alpha (normalised convolution) and the hole is filled from around it.
    """
    height, width = alpha.shape
    scale = min(1.0, (BLUR_WORK_PIXELS / (height * width)) ** 0.5)
    small = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = np.asarray(Image.fromarray(rgb).resize(small, Image.Resampling.BOX), np.float32)
    weight = 1.0 - np.asarray(Image.fromarray(alpha.astype(np.float32), "F").resize(small, Image.Resampling.BOX))
    weight = np.clip(weight, 0, 1) ** 2  # edge pixels still hold subject colour: trust them less
    radius = max(1.0, fraction * max(small))
    blurred_weight = _gaussian(weight, radius)
    layers = [_gaussian(image[..., c] * weight, radius) / np.maximum(blurred_weight, 1e-4) for c in range(3)]
    if float(blurred_weight.min()) < 1e-3:  # a subject wider than the blur: fill the hole with the mean
        mean = [float((image[..., c] * weight).sum() / max(weight.sum(), 1e-6)) for c in range(3)]
        for c in range(3):
            layers[c] = np.where(blurred_weight < 1e-3, mean[c], layers[c])
    small_result = np.clip(np.stack(layers, axis=-1) + 0.5, 0, 255).astype(np.uint8)
    return np.asarray(Image.fromarray(small_result).resize((width, height), Image.Resampling.BICUBIC))


def _gaussian(plane: np.ndarray, radius: float) -> np.ndarray:
    from scipy import ndimage

    return ndimage.gaussian_filter(plane, sigma=radius, mode="reflect")


def picture_background(picture: Image.Image, size: tuple[int, int], fit: str = "cover",
                       fill: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """``picture`` as a background of ``size`` (width, height).

    cover: scaled to fill, the overflow cropped evenly; fit: scaled to show whole, centred on ``fill``;
    tile: repeated at its own size from the top-left corner.
    """
    if fit not in PICTURE_FITS:
        raise ValueError(f"fit must be one of {PICTURE_FITS}, not {fit!r}")
    width, height = size
    picture = picture.convert("RGB")
    if fit == "tile":
        tiles_x = -(-width // picture.width)
        tiles_y = -(-height // picture.height)
        return np.tile(np.asarray(picture), (tiles_y, tiles_x, 1))[:height, :width]
    ratio = (max if fit == "cover" else min)(width / picture.width, height / picture.height)
    scaled_size = (max(1, round(picture.width * ratio)), max(1, round(picture.height * ratio)))
    scaled = picture.resize(scaled_size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    canvas = Image.new("RGB", size, fill)
    canvas.paste(scaled, ((width - scaled_size[0]) // 2, (height - scaled_size[1]) // 2))
    return np.asarray(canvas)


def composite(foreground: np.ndarray, alpha: np.ndarray, background: np.ndarray) -> np.ndarray:
    """``alpha·F + (1 - alpha)·B`` as H×W×3 uint8; F float in [0, 1] or uint8, B uint8, alpha in [0, 1]."""
    height, width = alpha.shape
    result = np.empty((height, width, 3), np.uint8)
    scale = 255.0 if foreground.dtype != np.uint8 else 1.0
    for top in range(0, height, ROWS_PER_BAND):
        rows = slice(top, top + ROWS_PER_BAND)
        a = alpha[rows, :, None].astype(np.float32)
        mixed = a * (foreground[rows].astype(np.float32) * scale) + (1 - a) * background[rows].astype(np.float32)
        result[rows] = np.clip(np.floor(mixed + 0.5), 0, 255).astype(np.uint8)
    return result


def composite_matte(rgb: np.ndarray, matte: "Matte", background: np.ndarray) -> np.ndarray:
    """The photo's subject (its refined ``matte``) over ``background``: exact photo pixels where alpha is 1,
    the background where 0, and the estimated subject colour mixed in the edge band."""
    # Outside the band alpha is exactly 0 or 1: a choice between two pixels, no arithmetic.
    result = np.where(matte.alpha[..., None] >= 0.5, rgb, background)
    a = matte.alpha[matte.ys, matte.xs][:, None]
    mixed = a * matte.colours * 255.0 + (1 - a) * background[matte.ys, matte.xs].astype(np.float32)
    result[matte.ys, matte.xs] = np.clip(np.floor(mixed + 0.5), 0, 255).astype(np.uint8)
    return result


def cutout(rgb: np.ndarray, matte: "Matte") -> Image.Image:
    """The transparent cut-out: RGBA with straight colour (the subject's own in the edge band); fully
    transparent pixels are stored black, so nothing of the old background survives in the file."""
    alpha8 = np.clip(np.floor(matte.alpha * 255.0 + 0.5), 0, 255).astype(np.uint8)
    rgba = np.zeros(alpha8.shape + (4,), np.uint8)
    rgba[..., :3] = matte.foreground(rgb)
    rgba[alpha8 == 0, :3] = 0
    rgba[..., 3] = alpha8
    return Image.fromarray(rgba, "RGBA")


def mask_picture(alpha: np.ndarray, subject: tuple[int, int, int] = (255, 255, 255),
                 background: tuple[int, int, int] = (0, 0, 0)) -> Image.Image:
    """The matte as a picture: the subject in one flat colour, the background in another, soft edges kept."""
    size = (alpha.shape[1], alpha.shape[0])
    return Image.fromarray(composite(flat(size, subject), alpha, flat(size, background)), "RGB")

