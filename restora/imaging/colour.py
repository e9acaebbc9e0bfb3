"""Colour spaces shared by colorize (net, hints, reference, evaluation): YUV after BT.601.

Luminance and chroma are separated linearly, so a result that keeps the photo's own Y keeps every detail
of the original and only its colour changes. RGB is float in [0, 1]; Y is in [0, 1], U in ±0.436,
V in ±0.615 (the ranges of the matrix below). Levin, Lischinski and Weiss (2004) work in this space too.
"""

from __future__ import annotations

import numpy as np

# Rows: Y, U, V from R, G, B (ITU-R BT.601 luma weights; U, V scaled as in analogue PAL).
RGB_TO_YUV = np.array(
    [
        [0.299, 0.587, 0.114],
        [-0.14713, -0.28886, 0.436],
        [0.615, -0.51499, -0.10001],
    ],
    dtype=np.float64,
)
YUV_TO_RGB = np.linalg.inv(RGB_TO_YUV)
U_MAX = 0.436
V_MAX = 0.615


def rgb_to_yuv(rgb: np.ndarray) -> np.ndarray:
    """H×W×3 RGB (uint8, or float in [0, 1]) -> H×W×3 float32 YUV."""
    values = rgb.astype(np.float32) / 255.0 if rgb.dtype == np.uint8 else rgb.astype(np.float32)
    return (values @ RGB_TO_YUV.T.astype(np.float32)).astype(np.float32)


def yuv_to_rgb(yuv: np.ndarray) -> np.ndarray:
    """H×W×3 float YUV -> H×W×3 float32 RGB, clipped to [0, 1]."""
    return np.clip(yuv.astype(np.float32) @ YUV_TO_RGB.T.astype(np.float32), 0.0, 1.0)


def luma(rgb: np.ndarray) -> np.ndarray:
    """H×W float32 Y in [0, 1] of an RGB image (uint8 or float in [0, 1])."""
    values = rgb.astype(np.float32) / 255.0 if rgb.dtype == np.uint8 else rgb.astype(np.float32)
    return values @ RGB_TO_YUV[0].astype(np.float32)


def to_uint8(rgb: np.ndarray) -> np.ndarray:
    """Float RGB in [0, 1] -> uint8, rounded."""
    return np.clip(np.rint(rgb * 255.0), 0, 255).astype(np.uint8)
