"""Made-up photos whose true matte is known: a subject composited on a background with a soft edge."""

from __future__ import annotations

import numpy as np
from PIL import Image

OLD_BACKGROUND = (30, 190, 40)  # green: far from the subject's colours and from the new backgrounds
NEW_BACKGROUND = (230, 20, 220)  # magenta: contrasts with the old one


def scene(height: int = 240, width: int = 320, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(photo uint8, true alpha float32, subject colours float32 in [0, 1]).

    The subject is a textured warm blob with a ragged, soft outline (hair-like strands a few px wide), on a
    slightly noisy green background; photo = alpha·F + (1 - alpha)·B exactly, as a camera sees a soft edge.
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:height, :width].astype(np.float32)
    angle = np.arctan2(yy - height / 2, xx - width / 2)
    radius = np.hypot((yy - height / 2) / (0.36 * height), (xx - width / 2) / (0.3 * width))
    ragged = 1.0 + 0.06 * np.sin(9 * angle) + 0.04 * np.sin(23 * angle + 1.0)
    # A 3-px soft ramp across the outline: mixed pixels, where a halo would show.
    alpha = np.clip((ragged - radius) * min(height, width) * 0.12, 0.0, 1.0).astype(np.float32)
    texture = rng.normal(0, 0.04, (height, width, 1)).astype(np.float32)
    subject = np.clip(np.stack([0.75 + 0.1 * np.sin(xx / 9), 0.5 + 0.1 * np.cos(yy / 7), 0.3 + 0 * xx], -1) + texture, 0, 1)
    background = np.asarray(OLD_BACKGROUND, np.float32) / 255 + rng.normal(0, 0.02, (height, width, 3)).astype(np.float32)
    photo = alpha[..., None] * subject + (1 - alpha[..., None]) * np.clip(background, 0, 1)
    return np.clip(np.floor(photo * 255 + 0.5), 0, 255).astype(np.uint8), alpha, subject.astype(np.float32)


def segmenter_like(alpha: np.ndarray, size: int = 64) -> np.ndarray:
    """``alpha`` as a segmenter returns it: thresholded, computed small and enlarged (a blurred edge)."""
    height, width = alpha.shape
    hard = (alpha > 0.5).astype(np.float32)
    small = Image.fromarray(hard, "F").resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(small.resize((width, height), Image.Resampling.BILINEAR), np.float32)
