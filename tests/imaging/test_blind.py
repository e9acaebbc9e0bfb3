"""Blind kernel estimation and deconvolution (restora.imaging.blind), on a photo outside the evaluation set."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from restora.imaging import blind
from restora.imaging.blind import consensus
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


def test_the_in_place_differences_are_the_rolled_ones_bit_for_bit():
    rng = np.random.default_rng(5)
    image = rng.normal(size=(13, 17)).astype(np.float32)
    gx, gy, adjoint = (np.empty_like(image) for _ in range(3))
    blind.gradients_into(image, gx, gy)
    assert np.array_equal(gx, np.roll(image, -1, axis=1) - image)
    assert np.array_equal(gy, np.roll(image, -1, axis=0) - image)
    blind.adjoint_into(gx, gy, adjoint)
    expected = np.roll(gx, 1, axis=1) - gx + np.roll(gy, 1, axis=0) - gy
    assert np.array_equal(adjoint, expected)


@pytest.mark.parametrize("shape", [(768, 768), (101, 37), (5, 9)])
@pytest.mark.parametrize("extra_at", ["end", "start"])
def test_padding_reaches_a_fast_fft_size_and_says_where_the_photo_is(shape, extra_at):
    from scipy import fft

    image = np.random.default_rng(0).uniform(size=shape).astype(np.float32)
    padded, (top, left) = blind.pad_for_fft(image, 65, extra_at)
    assert all(n == fft.next_fast_len(n, real=True) for n in padded.shape)
    assert np.array_equal(padded[top: top + shape[0], left: left + shape[1]], image)
    if extra_at == "end":
        assert (top, left) == (65, 65)
    else:  # the second opinion's padding always differs from the first's
        assert top > 65 and left > 65


def test_kernel_agreement_is_one_for_the_same_shape_anywhere_and_low_for_another():
    line = linear_kernel(11, 20)
    assert blind.kernel_agreement(line, line) == pytest.approx(1.0)
    assert blind.kernel_agreement(line, np.roll(line, 2, axis=1)) == pytest.approx(1.0, abs=1e-3)  # shifted 2 px
    assert blind.kernel_agreement(line, np.pad(line, 4)) == pytest.approx(1.0)  # other size
    assert blind.kernel_agreement(line, linear_kernel(11, 110)) < 0.3  # across the first
    assert blind.kernel_agreement(line, np.zeros((5, 5))) == 0.0


@pytest.mark.slow
def test_further_estimates_are_made_only_when_asked_and_can_veto_the_deconvolution():
    shaken = blur_image(data.astronaut()[:200, :240].astype(np.float32) / 255.0, linear_kernel(15, 30))
    plain = blind.blind_deblur(shaken)
    assert plain.support is None and plain.restored is not None
    checked = blind.blind_deblur(shaken, views=2)
    assert 0.0 < checked.support <= 1.0 + 1e-9
    assert np.array_equal(checked.restored, plain.restored)  # of two, the first estimate is the one kept
    vetoed = blind.blind_deblur(shaken, views=2, min_support=1.01)  # no two estimates agree that well
    assert vetoed.restored is None and np.array_equal(vetoed.kernel, plain.kernel)


def test_a_slight_first_estimate_is_not_checked_again(monkeypatch):
    calls = []
    real = blind.estimate_kernel
    monkeypatch.setattr(consensus, "estimate_kernel", lambda *a, **k: calls.append(1) or real(*a, **k))
    sharp = data.astronaut()[:200, :240].astype(np.float32) / 255.0
    result = blind.blind_deblur(sharp, views=3, min_spread=50.0)  # no kernel spreads 50 px
    assert len(calls) == 1 and result.restored is None and result.support is None


def test_the_medoid_is_the_estimate_the_others_agree_with():
    line = np.pad(linear_kernel(11, 30), 3)
    near = np.roll(line, 1, axis=1)  # the same shape, a pixel off: agreement 1
    across = np.pad(linear_kernel(11, 120), 3)
    kept, support = blind.medoid_kernel([across, line, near])
    assert kept in (1, 2)
    assert support == pytest.approx((1.0 + blind.kernel_agreement(line, across)) / 2)
    assert blind.medoid_kernel([line]) == (0, 1.0)


def test_choose_estimate_needs_spread_and_support():
    line, dot = np.pad(linear_kernel(11, 30), 3), blind.delta_kernel(17)
    assert blind.choose_estimate([line], 1.6, 0.9) == (0, None, True)
    assert blind.choose_estimate([dot], 1.6, 0.9)[2] is False  # too slight
    kept, support, use = blind.choose_estimate([dot, line, line], 1.6, 0.0)
    assert kept == 1 and use is False  # the first estimate was slight: as if the others were never made
    kept, support, use = blind.choose_estimate([line, np.pad(linear_kernel(11, 120), 3), line], 1.6, 0.9)
    assert kept in (0, 2) and support < 0.9 and use is False


def test_the_views_of_a_small_photo_are_nudges_and_of_a_large_one_other_parts():
    photo = np.random.default_rng(0).random((300, 400, 3)).astype(np.float32)
    config = blind.BlindConfig(estimate_side=256)
    views, scale = blind.estimation_views(photo[:200, :200], config, 4)
    assert scale == 1.0 and [side for _, side in views] == ["end", "start", "end", "start"]
    assert [v.shape[:2] for v, _ in views] == [(200, 200), (200, 200), (199, 199), (199, 199)]
    assert views[2][0][0, 0, 0] == photo[1, 1, 0] and views[3][0][0, 0, 0] == photo[0, 0, 0]
    views, _ = blind.estimation_views(photo, config, 3)
    middle, top_left, bottom_right = (v for v, _ in views)
    assert all(v.shape[:2] == (256, 256) for v in (middle, top_left, bottom_right))
    assert middle[0, 0, 0] == photo[22, 72, 0] and top_left[0, 0, 0] == photo[0, 0, 0]
    assert bottom_right[-1, -1, 0] == photo[-1, -1, 0]
    with pytest.raises(ValueError, match="at most 5 views"):
        blind.estimation_views(photo, config, 6)


@pytest.mark.slow
def test_estimates_side_by_side_are_the_ones_made_one_after_the_other(monkeypatch):
    shaken = blur_image(data.astronaut()[:160, :200].astype(np.float32) / 255.0, linear_kernel(9, 30))
    copies, _ = blind.estimation_views(shaken, blind.BlindConfig(kernel_size=17), 3)
    config = blind.BlindConfig(kernel_size=17)
    one_by_one = [blind.estimate_kernel(c, config, pad_extra_at=s) for c, s in copies]
    reported = []
    monkeypatch.setattr(consensus, "WORKERS", 2)
    side_by_side = blind.estimate_side_by_side(copies, config, reported.append)
    assert all(np.array_equal(a, b) for a, b in zip(one_by_one, side_by_side))
    assert reported == pytest.approx([1 / 3, 2 / 3, 1.0])
    monkeypatch.setattr(consensus, "WORKERS", 1)  # one core: in the calling thread, one after the other
    reported.clear()
    in_turn = blind.estimate_side_by_side(copies, config, reported.append)
    assert all(np.array_equal(a, b) for a, b in zip(one_by_one, in_turn))
    assert reported == pytest.approx([1 / 3, 2 / 3, 1.0])


def _l0_edges_reference(padded, kernel, weight, config):
    """The L0 step as first written (np.roll, a fresh array per operation, complex division)."""
    from scipy import fft

    spectrum = blind.psf_spectrum(kernel, padded.shape)
    dx, dy = blind.difference_spectra(padded.shape)
    numerator_data = np.conj(spectrum) * fft.rfft2(padded)
    kernel_power = np.abs(spectrum) ** 2
    prior = np.abs(dx) ** 2 + np.abs(dy) ** 2
    latent, beta = padded, 2 * weight
    while beta < config.beta_max:
        gx, gy = blind.gradients(latent)
        small = gx ** 2 + gy ** 2 < weight / beta
        gx[small], gy[small] = 0.0, 0.0
        guide = fft.rfft2(np.roll(gx, 1, axis=1) - gx + np.roll(gy, 1, axis=0) - gy)
        latent = fft.irfft2((numerator_data + beta * guide) / (kernel_power + beta * prior), s=padded.shape)
        latent = latent.astype(np.float32)
        beta *= config.beta_growth
    return gx, gy


def test_the_faster_l0_step_keeps_the_same_edges_as_the_plain_one():
    photo = blur_image(data.camera()[100:260, 80:280].astype(np.float32) / 255.0, linear_kernel(9, 40))
    padded, _ = blind.pad_for_fft(photo, 15)
    kernel = linear_kernel(7, 30)
    fast = blind.l0_edges(padded, kernel, 0.016, blind.BlindConfig())
    plain = _l0_edges_reference(padded, kernel, 0.016, blind.BlindConfig())
    assert (fast[0] != 0).sum() > 1000  # edges were kept: the comparison means something
    for a, b in zip(fast, plain):
        assert np.array_equal(a, b)  # bit for bit


@pytest.mark.slow
def test_a_large_photo_is_checked_on_other_parts_of_it(monkeypatch):
    shaken = blur_image(data.astronaut()[:300, :400].astype(np.float32) / 255.0, linear_kernel(11, 30))
    config = blind.BlindConfig(estimate_side=256, second_opinion="corner")
    seen = []
    real = blind.estimate_kernel

    def spy(copy, *args, **kwargs):
        seen.append((copy.shape[:2], float(copy[0, 0, 0]), kwargs.get("pad_extra_at", "end")))
        return real(copy, *args, **kwargs)

    monkeypatch.setattr(consensus, "estimate_kernel", spy)
    result = blind.blind_deblur(shaken, config, views=2)
    middle, corner = seen
    assert middle[0] == corner[0] == (256, 256)
    assert corner[1] == float(shaken[0, 0, 0]) and middle[1] != corner[1]  # the top-left square, not the middle
    assert corner[2] == "end"  # a different part of the scene needs no nudge
    assert 0.0 < result.support <= 1.0 + 1e-9
    seen.clear()
    blind.blind_deblur(shaken[:200, :200], config, views=2)  # no larger than the estimate: nudged
    assert [s[2] for s in seen] == ["end", "start"]


def test_estimates_a_curved_shake_it_was_given():
    # an independent reference: a known Boracchi–Foi trajectory kernel on a known photo (not the code's output)
    from restora.imaging.blur import random_kernel

    true_kernel = random_kernel(np.random.default_rng(7), "trajectory")
    blurred = quantise(blur_image(_photo(), true_kernel)).astype(np.float32) / 255.0
    found = blind.estimate_kernel(blurred)
    assert blind.kernel_agreement(found, true_kernel) > 0.7
    restored = quantise(blind.deconvolve(blurred, found))
    assert psnr(quantise(_photo()), restored, border=16) > psnr(quantise(_photo()), quantise(blurred), border=16)
