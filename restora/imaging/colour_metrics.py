"""Colour metrics for colorization: CIEDE2000 colour difference and Hasler–Süsstrunk colourfulness.

PSNR alone does not show colour: a grey or uniformly sepia result scores well wherever the true colours
are muted. So colorize is judged by three numbers side by side: PSNR (``restora.imaging.metrics.psnr``),
the mean CIEDE2000 difference from the true colours, and colourfulness relative to the original's.

- CIEDE2000 after Sharma, Wu & Dalal, "The CIEDE2000 Color-Difference Formula: Implementation Notes,
  Supplementary Test Data, and Mathematical Observations" (Color Res. Appl. 30, 2005), with
  k_L = k_C = k_H = 1, on CIE L*a*b* from sRGB under D65.
- Colourfulness after Hasler & Süsstrunk, "Measuring colourfulness in natural images" (SPIE 5007,
  2003): M = σ_rgyb + 0.3·μ_rgyb on the opponent channels rg = R − G, yb = (R + G)/2 − B of 8-bit RGB.
  A grey image scores 0; the paper calls about 33 "moderately" and 59 "quite" colourful.
"""

from __future__ import annotations

import numpy as np

# sRGB (linear) -> CIE XYZ for the D65 white point (IEC 61966-2-1), and that white.
XYZ_FROM_RGB = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
D65_WHITE = np.array([0.95047, 1.0, 1.08883])
_DELTA = 6.0 / 29.0  # CIE L*a*b*'s switch between the cube root and the linear segment


def _unit_rgb(rgb: np.ndarray) -> np.ndarray:
    array = np.asarray(rgb)
    if array.dtype == np.uint8:
        return array.astype(np.float64) / 255.0
    return np.clip(array.astype(np.float64), 0.0, 1.0)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """…×3 sRGB (uint8, or float in [0, 1]) -> …×3 float64 CIE L*a*b* (D65, 2° observer)."""
    values = _unit_rgb(rgb)
    linear = np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)
    xyz = (linear @ XYZ_FROM_RGB.T) / D65_WHITE
    f = np.where(xyz > _DELTA**3, np.cbrt(xyz), xyz / (3 * _DELTA**2) + 4.0 / 29.0)
    lightness = 116.0 * f[..., 1] - 16.0
    a = 500.0 * (f[..., 0] - f[..., 1])
    b = 200.0 * (f[..., 1] - f[..., 2])
    return np.stack([lightness, a, b], axis=-1)


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 ΔE00 between L*a*b* colours (…×3 each, broadcast), element-wise."""
    lab1, lab2 = np.asarray(lab1, dtype=np.float64), np.asarray(lab2, dtype=np.float64)
    l1, a1, b1 = lab1[..., 0], lab1[..., 1], lab1[..., 2]
    l2, a2, b2 = lab2[..., 0], lab2[..., 1], lab2[..., 2]
    # Step 1: a' stretched so that near-neutral colours' hues are spaced as perceived.
    chroma_mean = 0.5 * (np.hypot(a1, b1) + np.hypot(a2, b2))
    c7 = chroma_mean**7
    g = 0.5 * (1.0 - np.sqrt(c7 / (c7 + 25.0**7)))
    a1p, a2p = (1.0 + g) * a1, (1.0 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360.0  # atan2(0, 0) = 0, the convention for a neutral colour
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360.0
    # Step 2: differences; the hue difference goes the short way round, and is 0 for a neutral colour.
    neutral = (c1p * c2p) == 0
    dh = h2p - h1p
    dh = np.where(dh > 180.0, dh - 360.0, np.where(dh < -180.0, dh + 360.0, dh))
    dh = np.where(neutral, 0.0, dh)
    dl = l2 - l1
    dc = c2p - c1p
    dhh = 2.0 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2.0)
    # Step 3: weights from the mean colour; the mean hue also goes the short way round.
    l_mean = 0.5 * (l1 + l2)
    c_mean = 0.5 * (c1p + c2p)
    h_sum = h1p + h2p
    h_mean = np.where(
        np.abs(h1p - h2p) <= 180.0, 0.5 * h_sum, np.where(h_sum < 360.0, 0.5 * (h_sum + 360.0), 0.5 * (h_sum - 360.0))
    )
    h_mean = np.where(neutral, h_sum, h_mean)
    t = (
        1.0
        - 0.17 * np.cos(np.radians(h_mean - 30.0))
        + 0.24 * np.cos(np.radians(2.0 * h_mean))
        + 0.32 * np.cos(np.radians(3.0 * h_mean + 6.0))
        - 0.20 * np.cos(np.radians(4.0 * h_mean - 63.0))
    )
    d_theta = 30.0 * np.exp(-(((h_mean - 275.0) / 25.0) ** 2))
    c_mean7 = c_mean**7
    r_c = 2.0 * np.sqrt(c_mean7 / (c_mean7 + 25.0**7))
    s_l = 1.0 + 0.015 * (l_mean - 50.0) ** 2 / np.sqrt(20.0 + (l_mean - 50.0) ** 2)
    s_c = 1.0 + 0.045 * c_mean
    s_h = 1.0 + 0.015 * c_mean * t
    r_t = -np.sin(np.radians(2.0 * d_theta)) * r_c
    terms = (dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhh / s_h) ** 2 + r_t * (dc / s_c) * (dhh / s_h)
    return np.sqrt(np.maximum(terms, 0.0))


def mean_ciede2000(reference: np.ndarray, test: np.ndarray) -> float:
    """Mean ΔE00 over the pixels of two sRGB images of the same size (uint8 or float in [0, 1])."""
    if np.shape(reference) != np.shape(test):
        raise ValueError(f"images differ in shape: {np.shape(reference)} vs {np.shape(test)}")
    return float(np.mean(ciede2000(rgb_to_lab(reference), rgb_to_lab(test))))


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler–Süsstrunk colourfulness M of an sRGB image (uint8, or float in [0, 1] scaled to 0..255)."""
    values = _unit_rgb(rgb) * 255.0
    red, green, blue = values[..., 0], values[..., 1], values[..., 2]
    rg = red - green
    yb = 0.5 * (red + green) - blue
    spread = np.sqrt(np.var(rg) + np.var(yb))
    mean = np.hypot(np.mean(rg), np.mean(yb))
    return float(spread + 0.3 * mean)
