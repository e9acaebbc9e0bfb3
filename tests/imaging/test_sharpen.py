import numpy as np
import pytest
from scipy.signal import fftconvolve
from skimage import data

from restora.imaging.metrics import psnr, quantise
from restora.imaging.sharpen import richardson_lucy, unsharp_mask, wiener_deconvolve


def blur_8bit(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Reference blur with the fftconvolve 'same' centre convention, reflect-padded, saved as 8 bits."""
    pad = max(kernel.shape)
    channels = [
        fftconvolve(np.pad(image[..., c], pad, mode="reflect"), kernel, mode="same")[pad:-pad, pad:-pad]
        for c in range(image.shape[2])
    ]
    return quantise(np.stack(channels, axis=-1)) / 255.0


@pytest.fixture(scope="module")
def sharp() -> np.ndarray:
    return data.chelsea()[:160, :200] / 255.0


@pytest.mark.parametrize("size", [15, 16])  # odd and even kernels must both stay centred
def test_oracle_deconvolution_recovers_a_known_blur(sharp, size):
    kernel = np.zeros((size, size))
    kernel[size // 2, 1 : size - 1] = 1.0
    kernel[2 : size - 3, 3] = 1.0  # an L-shaped shake, not symmetric
    kernel /= kernel.sum()
    blurred = blur_8bit(sharp, kernel)
    reference = quantise(sharp)
    before = psnr(reference, quantise(blurred), border=16)
    assert psnr(reference, quantise(wiener_deconvolve(blurred, kernel)), border=16) > before + 5
    assert psnr(reference, quantise(richardson_lucy(blurred, kernel, iterations=20)), border=16) > before + 4


def test_results_keep_shape_and_range(sharp):
    kernel = np.ones((5, 5)) / 25
    for result in (unsharp_mask(sharp), wiener_deconvolve(sharp, kernel), richardson_lucy(sharp, kernel, iterations=3)):
        assert result.shape == sharp.shape
        assert 0.0 <= result.min() and result.max() <= 1.0
    grey = sharp[..., 0]
    assert unsharp_mask(grey).shape == grey.shape


def test_unsharp_mask_adds_edge_contrast_and_keeps_flat_areas(sharp):
    flat = np.full((40, 40, 3), 0.5)
    np.testing.assert_allclose(unsharp_mask(flat), flat, atol=1e-12)
    gradient_energy = lambda x: np.abs(np.diff(x, axis=1)).mean()  # noqa: E731
    assert gradient_energy(unsharp_mask(sharp, amount=1.0)) > 1.2 * gradient_energy(sharp)
