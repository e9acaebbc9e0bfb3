"""Blind kernel estimation and deconvolution (restora.imaging.blind), on a photo outside the evaluation set."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from restora.imaging import blind
from restora.imaging.blur import blur_image, linear_kernel
from restora.imaging.metrics import psnr, quantise


def _photo() -> np.ndarray:
    # skimage's camera (not one of the evaluation photos), cropped to keep the test quick
    return data.camera()[:384, 64:448].astype(np.float32) / 255.0


def _embedded(kernel: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros((size, size), dtype=np.float32)
    top, left = (size - kernel.shape[0]) // 2, (size - kernel.shape[1]) // 2
    out[top: top + kernel.shape[0], left: left + kernel.shape[1]] = kernel
    return out


def test_estimates_a_straight_shake_and_undoes_it():
    sharp = _photo()
    true_kernel = linear_kernel(15, 100)
    blurred = quantise(blur_image(sharp, true_kernel)).astype(np.float32) / 255.0
    found = blind.estimate_kernel(blurred)
    assert found.shape == (65, 65) and found.sum() == pytest.approx(1.0, abs=1e-5) and found.min() >= 0
    correlation = np.corrcoef(_embedded(true_kernel, 65).ravel(), found.ravel())[0, 1]
    assert correlation > 0.8
    restored = quantise(blind.deconvolve(blurred, found))
    assert psnr(quantise(sharp), restored, border=16) > psnr(quantise(sharp), quantise(blurred), border=16) + 1.0


def test_deconvolving_with_the_true_kernel_beats_the_blurred_photo_without_stripes():
    # a long straight blur has exact spectral zeros; without the floor this came back striped at 12.8 dB
    sharp = _photo()
    kernel = linear_kernel(31, 0)
    blurred = quantise(blur_image(sharp, kernel)).astype(np.float32) / 255.0
    before = psnr(quantise(sharp), quantise(blurred), border=16)
    after = psnr(quantise(sharp), quantise(blind.deconvolve(blurred, kernel)), border=16)
    assert after > before + 2.0


def test_a_point_kernel_leaves_the_photo_alone():
    sharp = _photo()
    point = np.zeros((5, 5), dtype=np.float32)
    point[2, 2] = 1.0
    assert psnr(quantise(sharp), quantise(blind.deconvolve(sharp, point)), border=0) > 35


def _noisy_ramp(sigma: float) -> np.ndarray:
    ramp = np.tile(np.linspace(0.2, 0.8, 200, dtype=np.float32), (200, 1))
    return ramp + np.random.default_rng(0).normal(0, sigma, ramp.shape)


@pytest.mark.parametrize("sigma", [0.005, 0.02])
def test_noise_level_is_measured_on_a_ramp(sigma):
    assert blind.noise_sigma(_noisy_ramp(sigma)) == pytest.approx(sigma, rel=0.1)


def test_noisier_photos_are_deconvolved_more_gently():
    assert blind.regularisation_for(_noisy_ramp(0.02)) > blind.regularisation_for(_noisy_ramp(0.005)) > blind.MIN_REG


@pytest.mark.parametrize("shape", [(16, 16, 3), (17, 40, 3), (64, 48, 3)])
def test_small_and_odd_photos(shape):
    photo = np.random.default_rng(1).random(shape).astype(np.float32)
    result = blind.blind_deblur(photo)
    assert result.restored.shape == shape and np.isfinite(result.restored).all()
    assert result.kernel.sum() == pytest.approx(1.0, abs=1e-5) and result.kernel.shape[0] % 2 == 1


def test_large_photos_are_measured_small_and_deconvolved_at_full_size():
    sharp = np.repeat(_photo()[..., None], 3, axis=2)  # 384 px: estimated on a 96-px copy
    blurred = blur_image(sharp, linear_kernel(12, 0))
    seen = []
    shrunk = blind.blind_deblur(blurred, blind.BlindConfig(estimate_side=96, estimate_by="shrink"),
                                progress=seen.append)
    assert shrunk.restored.shape == sharp.shape
    assert shrunk.kernel.shape[0] > blind.BlindConfig().kernel_size  # scaled back up by 4
    cropped = blind.blind_deblur(blurred, blind.BlindConfig(estimate_side=200))  # the middle 200×200
    assert cropped.restored.shape == sharp.shape and cropped.kernel.shape == (65, 65)  # full resolution
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_spread_and_the_slight_blur_cut_off():
    assert blind.kernel_spread(np.pad(np.ones((1, 1)), 3)) == 0.0
    line = linear_kernel(21, 0)  # a 21-px line: RMS distance from its middle sqrt((21² - 1) / 12) ≈ 6 px
    assert blind.kernel_spread(line) == pytest.approx(6.0, abs=0.3)
    sharp = np.repeat(_photo()[..., None], 3, axis=2)
    skipped = blind.blind_deblur(sharp, min_spread=50.0)
    assert skipped.restored is None and skipped.spread < 50.0


@pytest.mark.parametrize("step", [1.05, 1.19, 1.41, 2.0])
def test_pyramid_sizes_shrink_to_the_coarsest(step):
    sizes = blind.kernel_sizes(blind.BlindConfig(scale_step=step))
    assert sizes[-1] == 65 and all(a < b for a, b in zip(sizes, sizes[1:])) and all(s % 2 for s in sizes)
    assert sizes[0] >= 3
