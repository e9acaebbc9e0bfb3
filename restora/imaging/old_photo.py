"""Preparing an old photo for colorization: auto levels in luminance, and telling colour photos apart.

- :func:`auto_levels` stretches a faded (grey-on-grey) or dark photo's luminance so its robust black and
  white points become 0 and 1. Percentiles, not the minimum and maximum, so a scratch or a dust speck
  does not decide the result; a photo that already spans the range is left exactly as it is; the gain is
  capped so a nearly flat scan does not turn into amplified grain.
- :func:`is_colour_photo` says whether a photo holds real colours. Old monochrome prints are rarely
  neutral grey: sepia toning, yellowed paper and stains tint them, so "mean saturation above a threshold"
  would call them colour. A toned print's chroma is (nearly) a function of its luminance, one tint per
  tone, and a stain tints a patch along a single hue; a colour photo has different hues at the same
  luminance. So the test looks at the chroma left after taking out each luminance band's median tint,
  and at how many directions of hue it spans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from PIL import Image

from restora.imaging.colour import rgb_to_yuv, to_uint8

LEVELS_PERCENTILES = (0.5, 99.5)  # % of pixels allowed to clip at each end
# A photo whose robust black point is at most this and white point at least 1 - this is left alone.
LEVELS_SLACK = 0.04
LEVELS_MAX_GAIN = 4.0  # at most a quarter of the range is stretched to all of it


def auto_levels(y: np.ndarray, *, percentiles: tuple[float, float] = LEVELS_PERCENTILES,
                max_gain: float = LEVELS_MAX_GAIN) -> np.ndarray:
    """H×W luminance in [0, 1] stretched so its robust black and white points reach 0 and 1 (float32)."""
    y = np.asarray(y, dtype=np.float32)
    if y.size == 0:
        return y.copy()
    low, high = np.percentile(y, percentiles)
    if low <= LEVELS_SLACK and high >= 1.0 - LEVELS_SLACK:
        return y.copy()
    span = max(float(high - low), 1.0 / max_gain)
    # Centre the capped span on the photo's range, so a flat scan keeps its mid-tone where it was.
    if span > high - low:
        centre = 0.5 * float(low + high)
        low = min(max(centre - 0.5 * span, 0.0), 1.0 - span)
    return np.clip((y - np.float32(low)) / np.float32(span), 0.0, 1.0).astype(np.float32)


@dataclass(frozen=True)
class ColourVerdict:
    is_colour: bool
    # Chroma (BT.601 U,V units) left after each luminance band's median tint is taken out, along the
    # main direction of what is left (a stain or uneven toning) and across it (a second hue).
    along: float
    across: float
    tint: float  # the photo's median chroma: sepia and yellowing show here, not in the two above


# U,V units, measured at STATS_SIDE (docs/colorize/colour_verdicts.py, docs/colorize.md §4): sepia-toned,
# grained, yellowed and stained greys saved as JPEG (quality 50-70) reached 0.0047 across and 0.020 along;
# 25 of 31 colour photos (scikit-image, scikit-learn, kphotoalbum) are above 0.006 across or 0.035 along.
# The other six are nearly monochrome (a snow scene, a faded 1989 print, dim interiors) and are
# recoloured: the lesser error, since refusing a sepia print as "already colour" would be the worse one.
ACROSS_THRESHOLD = 0.006
ALONG_THRESHOLD = 0.035
LUMA_BANDS = 32
STATS_SIDE = 128  # px


def _shrink(rgb: np.ndarray) -> np.ndarray:
    """The photo area-averaged to at most STATS_SIDE px: JPEG's chroma fringes and film grain average out,
    regions of real colour stay."""
    image = Image.fromarray(rgb if rgb.dtype == np.uint8 else to_uint8(np.clip(rgb, 0.0, 1.0)))
    image.thumbnail((STATS_SIDE, STATS_SIDE), Image.BOX)
    return np.asarray(image)


def colour_verdict(rgb: np.ndarray) -> ColourVerdict:
    """Measure how much of a photo's chroma is more than a luminance-dependent tint (see module doc)."""
    array = np.asarray(rgb)
    if array.ndim != 3 or array.shape[2] < 3:
        return ColourVerdict(False, 0.0, 0.0, 0.0)
    yuv = rgb_to_yuv(_shrink(array[..., :3])).reshape(-1, 3).astype(np.float64)
    y, uv = yuv[:, 0], yuv[:, 1:]
    bands = np.minimum((y * LUMA_BANDS).astype(np.int64), LUMA_BANDS - 1)
    residual = np.empty_like(uv)
    for band in np.unique(bands):
        members = bands == band
        residual[members] = uv[members] - np.median(uv[members], axis=0)
    # Robust spread: the 2×2 covariance of the residual with its largest 1 % (specks, text) left out.
    magnitude = np.hypot(residual[:, 0], residual[:, 1])
    kept = residual[magnitude <= np.percentile(magnitude, 99)]
    eigenvalues = np.linalg.eigvalsh(np.cov(kept.T)) if len(kept) > 2 else np.zeros(2)
    across, along = np.sqrt(np.maximum(eigenvalues, 0.0))
    tint = float(np.hypot(*np.median(uv, axis=0)))
    is_colour = bool(across > ACROSS_THRESHOLD or along > ALONG_THRESHOLD)
    return ColourVerdict(is_colour, float(along), float(across), tint)


def is_colour_photo(rgb: np.ndarray) -> bool:
    """Whether a photo (H×W×3 uint8 or float in [0, 1]) has real colours, not only a tint such as sepia."""
    return colour_verdict(rgb).is_colour
