"""Image quality metrics: PSNR and SSIM, computed the same way everywhere in Restora.

Both take 8-bit images (what a user saves and what a benchmark stores) and work on [0, 1] floats, so a
number here means the same thing in the evaluation, the training log and the model card. An optional
border crop ignores the frame, where deconvolution and padded convolutions are least trustworthy.

SSIM follows Wang, Bovik, Sheikh & Simoncelli (2004): an 11×11 Gaussian window with σ = 1.5,
K1 = 0.01, K2 = 0.03, population (not sample) statistics, the mean taken over the part of the image
the window sees entirely, and colour images averaged over channels. With those choices it agrees with
``skimage.metrics.structural_similarity(..., gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, data_range=1, channel_axis=-1)``.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

SSIM_SIGMA = 1.5
# truncate 3.5 σ gives a radius of 5 px, the 11×11 window of the paper.
SSIM_TRUNCATE = 3.5
SSIM_K1, SSIM_K2 = 0.01, 0.03


def to_unit_float(image: np.ndarray | Image.Image) -> np.ndarray:
    """An 8-bit image (array or PIL, grey or RGB) as float64 in [0, 1]; float input must already be in [0, 1]."""
    if isinstance(image, Image.Image):
        image = np.asarray(image)
    array = np.asarray(image)
    if array.dtype == np.uint8:
        return array.astype(np.float64) / 255.0
    if np.issubdtype(array.dtype, np.floating):
        return array.astype(np.float64)
    raise TypeError(f"expected uint8 or float pixels, got {array.dtype}")


def quantise(image: np.ndarray) -> np.ndarray:
    """Float [0, 1] -> uint8 with rounding, the way a saved image would hold it."""
    return np.clip(np.rint(np.asarray(image, dtype=np.float64) * 255.0), 0, 255).astype(np.uint8)


def _prepare(reference, test, border: int) -> tuple[np.ndarray, np.ndarray]:
    ref, out = to_unit_float(reference), to_unit_float(test)
    if ref.shape != out.shape:
        raise ValueError(f"images differ in shape: {ref.shape} vs {out.shape}")
    if border:
        if min(ref.shape[0], ref.shape[1]) <= 2 * border:
            raise ValueError(f"a {border}-px border leaves nothing of a {ref.shape[1]}×{ref.shape[0]} image")
        ref, out = ref[border:-border, border:-border], out[border:-border, border:-border]
    return ref, out


def psnr(reference, test, *, border: int = 0) -> float:
    """Peak signal-to-noise ratio in dB on [0, 1] (peak 1); infinite for identical images."""
    ref, out = _prepare(reference, test, border)
    mse = float(np.mean((ref - out) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


def _ssim_channel(x: np.ndarray, y: np.ndarray) -> float:
    blur = lambda a: gaussian_filter(a, SSIM_SIGMA, truncate=SSIM_TRUNCATE, mode="reflect")  # noqa: E731
    c1, c2 = (SSIM_K1 * 1.0) ** 2, (SSIM_K2 * 1.0) ** 2
    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x * mu_x
    var_y = blur(y * y) - mu_y * mu_y
    cov = blur(x * y) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    # Only where the whole window lies inside the image: the reflected edge is not image content.
    radius = int(SSIM_TRUNCATE * SSIM_SIGMA + 0.5)
    return float(ssim_map[radius:-radius, radius:-radius].mean())


def ssim(reference, test, *, border: int = 0) -> float:
    """Structural similarity (Wang et al. 2004) on [0, 1]; colour images are the mean over channels."""
    ref, out = _prepare(reference, test, border)
    if min(ref.shape[0], ref.shape[1]) < 11:
        raise ValueError("SSIM needs at least 11×11 pixels (its window)")
    if ref.ndim == 2:
        return _ssim_channel(ref, out)
    return float(np.mean([_ssim_channel(ref[..., c], out[..., c]) for c in range(ref.shape[2])]))
