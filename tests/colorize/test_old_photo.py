"""Auto levels in luminance, and colour photos told apart from sepia, yellowed and stained prints."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from skimage import data

from restora.imaging.colour import luma, to_uint8, yuv_to_rgb
from restora.imaging.old_photo import auto_levels, colour_verdict, is_colour_photo


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


def toned(y: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return to_uint8(yuv_to_rgb(np.dstack([y, u, v])))


@pytest.fixture(params=["astronaut", "coffee", "chelsea"])
def grey_y(request) -> np.ndarray:
    return luma(getattr(data, request.param)())


def test_sepia_toned_grey_photo_is_not_colour(grey_y):
    # sepia strongest in the mid-tones, as toned prints are; saved as a rough JPEG (chroma noise, 4:2:0)
    tint = 4 * grey_y * (1 - grey_y)
    sepia = toned(grey_y, -0.08 * tint, 0.07 * tint)
    assert not is_colour_photo(sepia)
    assert not is_colour_photo(jpeg(sepia, 50))
    assert colour_verdict(sepia).tint > 0.05  # clearly tinted, yet not colour


def test_yellowed_and_stained_print_is_not_colour(grey_y):
    height, width = grey_y.shape
    rows, cols = np.mgrid[:height, :width]
    across = cols / width  # yellowing stronger on one side
    stain = np.exp(-((rows - height / 3) ** 2 + (cols - width / 3) ** 2) / (2 * (height / 8) ** 2))
    yellowed = toned(grey_y, -0.05 - 0.06 * across - 0.08 * stain, 0.03 + 0.03 * across + 0.04 * stain)
    assert not is_colour_photo(jpeg(yellowed, 70))


def test_grey_photo_is_not_colour(grey_y):
    assert not is_colour_photo(np.repeat(to_uint8(grey_y)[..., None], 3, axis=2))
    assert not is_colour_photo(to_uint8(grey_y))  # a single channel


@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea", "colorwheel"])
def test_colour_photos_are_colour(name):
    assert is_colour_photo(getattr(data, name)())


def test_auto_levels_stretches_a_faded_photo():
    y = luma(data.astronaut())
    faded = 0.3 + 0.4 * y
    levelled = auto_levels(faded)
    assert np.percentile(levelled, 0.5) <= 0.01 and np.percentile(levelled, 99.5) >= 0.99
    assert levelled.dtype == np.float32
    # the order of tones is kept
    assert np.all(np.diff(levelled.ravel()[np.argsort(faded.ravel(), kind="stable")]) >= 0)


def test_auto_levels_brightens_a_dark_photo():
    dark = 0.35 * luma(data.coffee())
    assert auto_levels(dark).mean() > 2 * dark.mean()


def test_auto_levels_leaves_a_full_range_photo_exactly_alone():
    y = np.linspace(0, 1, 1000, dtype=np.float32).reshape(20, 50)
    np.testing.assert_array_equal(auto_levels(y), y)


def test_auto_levels_caps_the_gain_on_a_nearly_flat_scan():
    flat = 0.5 + 0.01 * np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
    levelled = auto_levels(flat)
    assert levelled.std() <= 4.0 * flat.std() * 1.01
    assert abs(float(levelled.mean()) - 0.5) < 0.02
