"""Old-photo degradations for colorize training, applied to the input luminance only.

The net sees Y; the target is the clean photo's chroma, computed separately and never passed here. Each
degradation is drawn with its own probability from the caller's ``numpy.random.Generator``, so a batch is
a pure function of its seed. Every function takes and returns an H×W float32 array in [0, 1].
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter, zoom


@dataclass(frozen=True)
class DegradeConfig:
    fade_prob: float = 0.5  # faded contrast and lifted blacks
    tone_prob: float = 0.5  # sepia toning / yellowing: its luminance, a curve and an uneven stain
    grain_prob: float = 0.5
    max_grain: float = 0.04  # film grain sigma on the [0, 1] scale
    blur_prob: float = 0.4
    max_blur: float = 1.2  # Gaussian sigma in pixels
    jpeg_prob: float = 0.4
    jpeg_quality: tuple[int, int] = (30, 90)
    scratch_prob: float = 0.3
    max_scratches: int = 6


def fade(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Less contrast around the mean, blacks lifted and whites dulled (a faded print)."""
    contrast = rng.uniform(0.45, 1.0)
    low, high = rng.uniform(0.0, 0.2), rng.uniform(0.8, 1.0)
    mean = float(y.mean())
    return low + (high - low) * np.clip(mean + (y - mean) * contrast, 0.0, 1.0)


def tone(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The luminance of a sepia-toned, yellowed print: a gamma curve and a smooth uneven stain."""
    out = y ** rng.uniform(0.7, 1.4)
    h, w = y.shape
    coarse = rng.uniform(1.0 - rng.uniform(0.0, 0.25), 1.0, size=(4, 4))  # darker blotches, up to 25 %
    stain = zoom(coarse, (h / 4, w / 4), order=1, mode="nearest")[:h, :w]
    return out * stain


def grain(y: np.ndarray, rng: np.random.Generator, max_sigma: float) -> np.ndarray:
    """Film grain: Gaussian noise, clumped by a slight blur when the grain is coarse."""
    noise = rng.normal(0.0, 1.0, size=y.shape)
    size = rng.uniform(0.0, 1.0)
    if size > 0.3:
        noise = gaussian_filter(noise, size) / max(np.std(gaussian_filter(rng.normal(size=(32, 32)), size)), 1e-3)
    return y + rng.uniform(0.003, max_sigma) * noise


def blur(y: np.ndarray, rng: np.random.Generator, max_sigma: float) -> np.ndarray:
    return gaussian_filter(y, rng.uniform(0.3, max_sigma), mode="reflect")


def jpeg(y: np.ndarray, rng: np.random.Generator, quality: tuple[int, int]) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(np.clip(np.rint(y * 255), 0, 255).astype(np.uint8)).save(buffer, "JPEG",
                                                                           quality=int(rng.integers(*quality)))
    return np.asarray(Image.open(buffer), dtype=np.float32) / 255.0


def scratches(y: np.ndarray, rng: np.random.Generator, most: int) -> np.ndarray:
    """Thin bright or dark lines across the print and a few specks of dust."""
    out = y.copy()
    h, w = y.shape
    for _ in range(int(rng.integers(1, most + 1))):
        x0, x1 = rng.uniform(0, w, size=2)
        rows = np.arange(h)
        cols = np.clip(np.rint(x0 + (x1 - x0) * rows / max(h - 1, 1)), 0, w - 1).astype(int)
        out[rows, cols] = 1.0 if rng.random() < 0.7 else 0.05
    for _ in range(int(rng.integers(0, 20))):
        r, c = int(rng.integers(0, h)), int(rng.integers(0, w))
        out[r: r + 2, c: c + 2] = rng.choice([0.02, 0.98])
    return out


def degrade_luma(y: np.ndarray, rng: np.random.Generator, config: DegradeConfig = DegradeConfig()) -> np.ndarray:
    """An old-photo version of ``y`` (H×W float32 in [0, 1]); same shape, same range."""
    out = y.astype(np.float32)
    if rng.random() < config.fade_prob:
        out = fade(out, rng)
    if rng.random() < config.tone_prob:
        out = tone(out, rng)
    if rng.random() < config.blur_prob:
        out = blur(out, rng, config.max_blur)
    if rng.random() < config.grain_prob:
        out = grain(out, rng, config.max_grain)
    if rng.random() < config.scratch_prob:
        out = scratches(np.clip(out, 0.0, 1.0), rng, config.max_scratches)
    if rng.random() < config.jpeg_prob:
        out = jpeg(np.clip(out, 0.0, 1.0), rng, config.jpeg_quality)
    return np.clip(out, 0.0, 1.0).astype(np.float32)
