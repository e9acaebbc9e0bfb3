"""Compositing maths and every background of restora.imaging.composite."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from restora.imaging import composite
from restora.imaging.matting import Matte


def test_known_mask_gives_known_pixels():
    foreground = np.array([[[100, 50, 0], [100, 50, 0], [255, 255, 255], [255, 0, 0]]], np.uint8)
    background = np.array([[[201, 0, 10], [201, 0, 10], [0, 0, 0], [0, 0, 255]]], np.uint8)
    alpha = np.array([[1.0, 0.0, 0.25, 0.5]], np.float32)
    result = composite.composite(foreground, alpha, background)
    assert result[0, 0].tolist() == [100, 50, 0]  # alpha 1: the subject exactly
    assert result[0, 1].tolist() == [201, 0, 10]  # alpha 0: the background exactly
    assert result[0, 2].tolist() == [64, 64, 64]  # 63.75 rounds to 64
    assert result[0, 3].tolist() == [128, 0, 128]  # 127.5 rounds half up


def test_float_foreground_and_bands_of_rows_match_the_formula():
    rng = np.random.default_rng(0)
    height = composite.ROWS_PER_BAND + 37  # two bands, the second partial
    foreground = rng.random((height, 5, 3), dtype=np.float32)
    background = rng.integers(0, 256, (height, 5, 3), dtype=np.uint8)
    alpha = rng.random((height, 5), dtype=np.float32)
    expected = np.floor(alpha[..., None] * foreground * 255 + (1 - alpha[..., None]) * background + 0.5)
    assert np.abs(composite.composite(foreground, alpha, background).astype(int) - expected).max() <= 1


def test_matte_band_uses_the_estimated_subject_colour():
    rgb = np.full((2, 3, 3), 90, np.uint8)
    alpha = np.array([[1.0, 0.5, 0.0], [1.0, 1.0, 1.0]], np.float32)
    matte = Matte(alpha, np.array([0]), np.array([1]), np.array([[1.0, 0.0, 0.0]], np.float32))
    result = composite.composite_matte(rgb, matte, composite.flat((3, 2), (0, 0, 200)))
    assert result[0, 0].tolist() == [90, 90, 90]  # sure subject: the photo, untouched
    assert result[0, 1].tolist() == [128, 0, 100]  # half of pure red (estimated F) and half of the blue
    assert result[0, 2].tolist() == [0, 0, 200]


@pytest.mark.parametrize("name, rgb", [("white", (255, 255, 255)), ("blue", (0x43, 0x8E, 0xDB)),
                                       ("red", (0xD9, 0x00, 0x1B)), ("#0a0B0c", (10, 11, 12)), ("green", (0, 128, 0))])
def test_colours(name, rgb):
    assert composite.resolve_colour(name.lower()) == rgb
    assert composite.flat((4, 2), rgb).shape == (2, 4, 3)
    assert (composite.flat((4, 2), rgb) == rgb).all()


def test_vertical_gradient_runs_from_top_to_bottom():
    gradient = composite.vertical_gradient((3, 11), (0, 100, 255), (200, 100, 55))
    assert gradient.shape == (11, 3, 3)
    assert gradient[0, 0].tolist() == [0, 100, 255]
    assert gradient[-1, 2].tolist() == [200, 100, 55]
    assert gradient[5, 1].tolist() == [100, 100, 155]  # the middle row is the mean
    assert (np.diff(gradient[:, 0, 0].astype(int)) >= 0).all() and (gradient[:, 0] == gradient[:, 2]).all()


def test_blurred_background_leaves_the_subject_out():
    rgb = np.zeros((120, 160, 3), np.uint8)
    rgb[..., 2] = 200  # a blue background...
    rgb[40:80, 60:100] = (255, 0, 0)  # ...with a red subject
    alpha = np.zeros((120, 160), np.float32)
    alpha[40:80, 60:100] = 1.0
    blurred = composite.blurred_background(rgb, alpha)
    assert blurred.shape == rgb.shape
    # A plain blur would spread red around the subject; the normalised one keeps the background's colour.
    assert blurred[..., 0].max() <= 12
    assert abs(int(blurred[20, 20, 2]) - 200) <= 3


def test_blurred_background_blurs():
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (100, 100, 3), dtype=np.uint8)
    blurred = composite.blurred_background(rgb, np.zeros((100, 100), np.float32))
    assert blurred.astype(float).std() < rgb.astype(float).std() / 4


def _halves(width=40, height=20):
    picture = np.zeros((height, width, 3), np.uint8)
    picture[:, width // 2:] = 255  # left black, right white
    return Image.fromarray(picture)


def test_picture_cover_fills_and_crops_evenly():
    result = composite.picture_background(_halves(), (30, 60), "cover")
    assert result.shape == (60, 30, 3)
    # Scaled to 120×60, the middle 30 columns: black on the left half of them, white on the right.
    assert result[30, 2].tolist() == [0, 0, 0] and result[30, 27].tolist() == [255, 255, 255]


def test_picture_fit_shows_it_whole_on_the_colour():
    result = composite.picture_background(_halves(), (40, 60), "fit", fill=(0, 0, 255))
    assert result.shape == (60, 40, 3)
    assert result[0, 20].tolist() == [0, 0, 255]  # above the picture: the fill colour
    assert result[30, 2].tolist() == [0, 0, 0] and result[30, 37].tolist() == [255, 255, 255]


def test_picture_tile_repeats_at_its_own_size():
    picture = Image.fromarray(np.arange(6 * 4 * 3, dtype=np.uint8).reshape(4, 6, 3))
    result = composite.picture_background(picture, (15, 9), "tile")
    assert result.shape == (9, 15, 3)
    assert (result[:4, :6] == np.asarray(picture)).all() and (result[4:8, 6:12] == np.asarray(picture)).all()
    with pytest.raises(ValueError):
        composite.picture_background(picture, (15, 9), "stretch")


def test_cutout_is_straight_alpha_with_clean_transparent_pixels():
    rgb = np.full((1, 3, 3), 77, np.uint8)
    alpha = np.array([[1.0, 0.5, 0.001]], np.float32)
    matte = Matte(alpha, np.array([0]), np.array([1]), np.array([[0.0, 1.0, 0.0]], np.float32))
    cut = composite.cutout(rgb, matte)
    assert cut.mode == "RGBA"
    pixels = np.asarray(cut)
    assert pixels[0, 0].tolist() == [77, 77, 77, 255]
    assert pixels[0, 1].tolist() == [0, 255, 0, 128]  # the estimated colour, not premultiplied
    assert pixels[0, 2].tolist() == [0, 0, 0, 0]  # nothing of the old background stays in the file


def test_mask_picture_is_two_flat_colours():
    alpha = np.array([[0.0, 1.0, 0.5]], np.float32)
    picture = np.asarray(composite.mask_picture(alpha, (255, 255, 255), (0, 0, 0)))
    assert picture[0, :, 0].tolist() == [0, 255, 128]
