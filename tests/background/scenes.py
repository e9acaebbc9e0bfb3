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


def hairy_scene(height: int = 480, width: int = 640, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(photo uint8, true alpha float32, subject colours float32): a dark-haired head and shoulders on the
    green background with a few hundred strands of hair 0.4-1.6 px wide sticking out of the top half.

    The alpha is drawn at 4× and box-averaged, so a strand's pixels are partly transparent as a camera's
    would be; the background has a vertical gradient and a little noise, the subject a texture.
    """
    from PIL import ImageDraw

    rng = np.random.default_rng(seed)
    supersample = 4
    drawn = Image.new("L", (width * supersample, height * supersample), 0)
    draw = ImageDraw.Draw(drawn)
    cx, cy, r = width / 2, height * 0.55, 0.3 * min(height, width)

    def at(x: float, y: float) -> tuple[float, float]:
        return x * supersample, y * supersample

    draw.ellipse([*at(cx - r, cy - r), *at(cx + r, cy + r)], fill=255)
    draw.rectangle([*at(cx - 1.6 * r, cy + 0.7 * r), *at(cx + 1.6 * r, height)], fill=255)  # shoulders
    for _ in range(260):
        angle = rng.uniform(-np.pi * 0.95, -np.pi * 0.05)  # the top half of the head
        length, start, bend = r * rng.uniform(0.05, 0.25), r * rng.uniform(0.85, 0.98), rng.normal(0, 0.4)
        points = [at(cx + (start + length * t) * np.cos(angle + 0.3 * bend * t * t),
                     cy + (start + length * t) * np.sin(angle + 0.3 * bend * t * t)) for t in np.linspace(0, 1, 12)]
        draw.line(points, fill=255, width=max(1, int(rng.uniform(0.4, 1.6) * supersample)))
    alpha = np.asarray(drawn.resize((width, height), Image.Resampling.BOX), np.float32) / 255
    yy, xx = np.mgrid[:height, :width].astype(np.float32)
    texture = rng.normal(0, 0.03, (height, width, 1)).astype(np.float32)
    subject = np.clip(np.stack([0.35 + 0.08 * np.sin(xx / 5 + yy / 11), 0.22 + 0.05 * np.cos(yy / 6), 0.12 + 0 * xx], -1)
                      + texture, 0, 1)
    background = (np.asarray(OLD_BACKGROUND, np.float32) / 255 + 0.1 * (yy / height)[..., None]
                  + rng.normal(0, 0.01, (height, width, 3)).astype(np.float32))
    photo = alpha[..., None] * subject + (1 - alpha[..., None]) * np.clip(background, 0, 1)
    return np.clip(np.floor(photo * 255 + 0.5), 0, 255).astype(np.uint8), alpha, subject.astype(np.float32)
