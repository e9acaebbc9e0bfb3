"""Rotations, flips and brightness against arrays computed independently with numpy."""

from __future__ import annotations

import numpy as np
import pytest

from restora.imaging.adjust import brightness_table, change_brightness, rotate

EXPECTED_ROTATION = {
    "none": lambda a: a,
    "left": lambda a: np.rot90(a, 1),  # anticlockwise
    "right": lambda a: np.rot90(a, -1),  # clockwise
    "180": lambda a: np.rot90(a, 2),
    "flip-h": lambda a: a[:, ::-1],
    "flip-v": lambda a: a[::-1, :],
}


@pytest.mark.parametrize("rotation", EXPECTED_ROTATION)
def test_rotation_matches_numpy(photo_rgba, rotation):
    expected = EXPECTED_ROTATION[rotation](np.asarray(photo_rgba))
    assert np.array_equal(np.asarray(rotate(photo_rgba, rotation)), expected)


def test_unknown_rotation_is_refused(photo_rgb):
    with pytest.raises(ValueError, match="unknown rotation"):
        rotate(photo_rgb, "sideways")


@pytest.mark.parametrize("factor", [0.2, 0.5, 0.73, 1.0, 1.5, 2.0, 10.0, 100.0])
def test_brightness_matches_numpy(photo_rgba, factor):
    pixels = np.asarray(photo_rgba).astype(np.float64)
    expected = pixels.copy()
    expected[..., :3] = np.clip(np.floor(pixels[..., :3] * factor + 0.5), 0, 255)
    result = np.asarray(change_brightness(photo_rgba, factor))
    assert np.array_equal(result, expected.astype(np.uint8))  # alpha untouched, colours scaled


def test_brightness_direction(photo_rgb):
    mean = np.asarray(photo_rgb).mean()
    assert np.asarray(change_brightness(photo_rgb, 0.5)).mean() < mean
    assert np.asarray(change_brightness(photo_rgb, 1.5)).mean() > mean
    assert np.asarray(change_brightness(photo_rgb, 100)).min() == 255 or np.asarray(photo_rgb).min() == 0


def test_brightness_table_is_monotonic_and_clipped():
    for factor in (0.2, 1.0, 3.3, 100.0):
        table = brightness_table(factor)
        assert len(table) == 256 and table == sorted(table) and max(table) <= 255
