"""Old-photo degradations: shape, range, determinism; the chroma target is never touched."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from restora.imaging.colour import rgb_to_yuv
from restora.tools.colorize.data import BatchConfig, PhotoSet, hue_group, sampling_weights
from restora.tools.colorize.degrade import DegradeConfig, degrade_luma
from tests.colorize.photo_sets import colour_photo, write_photo_set

EVERYTHING = DegradeConfig(fade_prob=1, tone_prob=1, grain_prob=1, blur_prob=1, jpeg_prob=1, scratch_prob=1)
NOTHING = DegradeConfig(fade_prob=0, tone_prob=0, grain_prob=0, blur_prob=0, jpeg_prob=0, scratch_prob=0)


@pytest.mark.parametrize("seed", range(12))
def test_degradations_keep_shape_dtype_and_range(seed: int) -> None:
    y = rgb_to_yuv(colour_photo(seed, 40, 56))[..., 0]
    before = y.copy()
    out = degrade_luma(y, np.random.default_rng(seed), EVERYTHING)
    assert out.shape == y.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert np.abs(out - y).mean() > 0.01  # it did make the photo worse
    np.testing.assert_array_equal(y, before)  # the caller's array is left alone


def test_degradations_are_a_function_of_the_seed() -> None:
    y = rgb_to_yuv(colour_photo(3, 40, 56))[..., 0]
    a = degrade_luma(y, np.random.default_rng(5))
    b = degrade_luma(y, np.random.default_rng(5))
    c = degrade_luma(y, np.random.default_rng(6))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.fixture(scope="module")
def photo_set(tmp_path_factory: pytest.TempPathFactory) -> PhotoSet:
    folder = tmp_path_factory.mktemp("set")
    write_photo_set(folder, {"train": 4})
    return PhotoSet(folder, "train", BatchConfig(crop=32, batch=3, load_side=128, min_side=64, max_side=128))


def test_batches_degrade_only_the_input_luminance(photo_set: PhotoSet) -> None:
    degraded, y, uv = photo_set.batch(seed=1, phase=0, step=7, degrade=EVERYTHING)
    clean_degraded, clean_y, clean_uv = photo_set.batch(seed=1, phase=0, step=7, degrade=NOTHING)
    assert degraded.shape == y.shape == (3, 1, 32, 32) and uv.shape == (3, 2, 32, 32)
    np.testing.assert_array_equal(uv, clean_uv)  # targets: the clean photo's chroma, whatever the input
    np.testing.assert_array_equal(y, clean_y)
    np.testing.assert_allclose(clean_degraded, clean_y, atol=1e-7)  # no degradation: the clean luminance
    assert np.abs(degraded - y).mean() > 0.01


def test_batches_are_a_function_of_seed_phase_and_step(photo_set: PhotoSet) -> None:
    first = photo_set.batch(seed=0, phase=1, step=3, degrade=DegradeConfig())
    again = photo_set.batch(seed=0, phase=1, step=3, degrade=DegradeConfig())
    other = photo_set.batch(seed=0, phase=1, step=4, degrade=DegradeConfig())
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[2], other[2])


def test_people_and_rare_hues_are_drawn_more_often(tmp_path: Path) -> None:
    entries = write_photo_set(tmp_path, {"train": 4})
    config = BatchConfig()
    weights = sampling_weights(entries, [0, 0, 0, 1], config)
    # entries 0 and 2 have people (every second photo): 5× as often as entry 1 in the same hue group
    assert weights[0] == pytest.approx(5 * weights[1])
    # entry 3 is alone in its hue group: drawn more often than entry 1, a photo without people in a group of 3
    assert weights[3] == pytest.approx(weights[1] * 3**0.5)
    assert weights.sum() == pytest.approx(1.0)
    no_balance = sampling_weights(entries, [0, 0, 0, 1], replace(config, hue_balance=0.0))
    assert no_balance[3] == pytest.approx(no_balance[1])


def test_hue_group_sees_grey_and_colours() -> None:
    grey = np.full((32, 32, 3), 128, np.uint8)
    red = np.zeros((32, 32, 3), np.uint8)
    red[..., 0] = 200
    blue = np.zeros((32, 32, 3), np.uint8)
    blue[..., 2] = 200
    assert hue_group(grey) == 6
    assert hue_group(red) != hue_group(blue) and {hue_group(red), hue_group(blue)} <= set(range(6))
