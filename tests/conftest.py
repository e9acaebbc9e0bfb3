"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
# The shared corpus sits beside the checkout (../shared); tests that need it skip cleanly without it.
SHARED_DIR = REPO_ROOT.parent / "shared"
PILLOW_CORPUS = SHARED_DIR / "corpus" / "pillow-test-images"


@pytest.fixture
def photo_rgb() -> Image.Image:
    """A small asymmetric RGB picture: every rotation and flip of it is distinguishable."""
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(24, 40, 3), dtype=np.uint8)
    pixels[:6, :10] = (255, 0, 0)  # a red corner marks the top-left
    return Image.fromarray(pixels, "RGB")


@pytest.fixture
def photo_rgba(photo_rgb: Image.Image) -> Image.Image:
    alpha = np.tile(np.linspace(0, 255, photo_rgb.width, dtype=np.uint8), (photo_rgb.height, 1))
    image = photo_rgb.convert("RGBA")
    image.putalpha(Image.fromarray(alpha, "L"))
    return image
