import numpy as np
import pytest
from skimage import data
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from restora.imaging.metrics import psnr, quantise, ssim


def noisy(image: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(image + rng.normal(0, sigma, image.shape), 0, 255).astype(np.uint8)


def test_psnr_of_one_level_offset_is_20_log10_255():
    a = np.full((32, 32, 3), 100, np.uint8)
    assert psnr(a, a + 1) == pytest.approx(20 * np.log10(255), abs=1e-9)  # 48.13 dB


def test_psnr_identical_is_infinite_and_border_crop_ignores_the_frame():
    a = data.chelsea()
    assert psnr(a, a) == float("inf")
    b = a.copy()
    b[:16] = 0  # damage only the top border
    assert psnr(a, b) < 30
    assert psnr(a, b, border=16) == float("inf")


def test_psnr_matches_skimage():
    a = data.astronaut()
    b = noisy(a, 10)
    assert psnr(a, b) == pytest.approx(peak_signal_noise_ratio(a, b), abs=1e-9)


def test_ssim_of_constant_images_has_closed_form():
    # No variance: SSIM = (2ab + C1) / (a² + b² + C1) with C1 = (0.01)².
    a, b = 0.4, 0.6
    x = np.full((40, 40), a)
    y = np.full((40, 40), b)
    c1 = 0.01**2
    assert ssim(x, y) == pytest.approx((2 * a * b + c1) / (a * a + b * b + c1), abs=1e-9)
    assert ssim(x, x) == pytest.approx(1.0)


@pytest.mark.parametrize("name, sigma", [("astronaut", 10), ("camera", 25), ("coffee", 5)])
def test_ssim_matches_skimage_gaussian_window(name, sigma):
    a = getattr(data, name)()
    b = noisy(a, sigma)
    expected = structural_similarity(
        a / 255.0,
        b / 255.0,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=1.0,
        channel_axis=-1 if a.ndim == 3 else None,
    )
    assert ssim(a, b) == pytest.approx(expected, abs=1e-9)


def test_ssim_falls_with_noise():
    a = data.astronaut()
    assert 1.0 > ssim(a, noisy(a, 5)) > ssim(a, noisy(a, 20)) > ssim(a, noisy(a, 50))


def test_shape_mismatch_and_tiny_images_are_refused():
    with pytest.raises(ValueError, match="shape"):
        psnr(np.zeros((8, 8), np.uint8), np.zeros((8, 9), np.uint8))
    with pytest.raises(ValueError, match="border"):
        psnr(np.zeros((20, 20), np.uint8), np.zeros((20, 20), np.uint8), border=10)
    with pytest.raises(ValueError, match="11"):
        ssim(np.zeros((8, 8), np.uint8), np.zeros((8, 8), np.uint8))


def test_quantise_rounds_and_clips():
    assert quantise(np.array([-0.1, 0.0, 0.5, 1.0, 1.2])).tolist() == [0, 0, 128, 255, 255]
