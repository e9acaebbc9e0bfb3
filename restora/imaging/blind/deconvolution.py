"""Non-blind deconvolution: undo a known blur kernel with a noise-adaptive Gaussian prior on gradients.

The photo is deconvolved in colour, each channel in closed form in the Fourier domain, under a prior on
its gradients whose weight follows the photo's noise (:func:`regularisation_for`, :func:`noise_sigma`),
plus the Wiener baseline's floor. The FFT helpers here (padding to fast sizes, the spectra of a kernel
and of the difference operators) are shared with the kernel estimate (restora.imaging.blind.kernel_estimation).
"""

from __future__ import annotations

import numpy as np
from scipy import fft
from scipy.signal import convolve2d

from restora.imaging.sharpen import WIENER_BALANCE, centred_kernel_array


LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def to_grey(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.float32)
    return image if image.ndim == 2 else image[..., :3] @ LUMA


def psf_spectrum(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """rfft2 (float32, scipy's threaded FFT) of ``kernel`` centred at (0, 0), as the Wiener baseline places it."""
    return fft.rfft2(centred_kernel_array(kernel, shape, np.float32))


def difference_spectra(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Spectra of the forward differences x[i+1] - x[i] along columns and rows (circular)."""
    dx = np.zeros(shape, dtype=np.float32)
    dx[0, 0], dx[0, 1] = -1.0, 1.0
    dy = np.zeros(shape, dtype=np.float32)
    dy[0, 0], dy[1, 0] = -1.0, 1.0
    # the operator computes x[i+1] - x[i], i.e. correlation; as a convolution its spectrum is conjugated
    return np.conj(fft.rfft2(dx)), np.conj(fft.rfft2(dy))


def gradients(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Circular forward differences, matching :func:`difference_spectra`."""
    gx, gy = np.empty_like(image), np.empty_like(image)
    gradients_into(image, gx, gy)
    return gx, gy


def deconvolution_terms(kernel: np.ndarray, shape: tuple[int, int], reg: float,
                         floor: float) -> tuple[np.ndarray, np.ndarray]:
    """(conj(K), |K|² + prior): X = conj(K)·Y / (|K|² + prior) solves argmin_x |k*x - y|² + reg·|∇x|² +
    floor·|x - mean|² in closed form, for every channel of a photo padded to ``shape``.

    The floor is a Wiener-style constant: at a straight blur's spectral zeros the gradient prior alone is
    nearly zero at low frequencies, and the mismatch of the padded frame came back as stripes one blur
    length apart, worse than the blurred input even with the true kernel (a 31-px line on skimage's
    camera, tests/imaging/test_blind.py).
    """
    spectrum = psf_spectrum(kernel, shape)
    dx, dy = difference_spectra(shape)
    prior = reg * (np.abs(dx) ** 2 + np.abs(dy) ** 2) + floor
    prior[0, 0] = 0.0  # the mean (DC) is known exactly: the kernel sums to 1
    return np.conj(spectrum), np.abs(spectrum) ** 2 + prior


def pad_for_fft(image: np.ndarray, width: int, extra_at: str = "end") -> tuple[np.ndarray, tuple[int, int]]:
    """Reflect ``width`` px on every side, and a few more to a size whose FFT is fast (a 768-px crop padded
    to 898 px = 2 × 449 took 15–20 ms per FFT pair, 900 px 3 ms, and an estimate is a few thousand FFTs),
    at the bottom and right (``extra_at`` "end") or the top and left ("start"). Returns the padded array
    and where the photo's first pixel is in it."""
    height, wide = (n + 2 * width for n in image.shape)
    # "start" always adds at least one pixel, so the second opinion never repeats the first exactly
    least = 1 if extra_at == "start" else 0
    extra_h, extra_w = (fft.next_fast_len(n + least, real=True) - n for n in (height, wide))
    if extra_at == "start":
        pads = ((width + extra_h, width), (width + extra_w, width))
    else:
        pads = ((width, width + extra_h), (width, width + extra_w))
    return np.pad(image, pads, mode="reflect"), (pads[0][0], pads[1][0])


# The final deconvolution's prior weight: noise power over the power of a photo's gradients (about 0.05²
# on [0, 1]), clamped. 5e-3 at least: an estimated kernel is never exact, and a firmer prior rings less
# around its errors.
GRADIENT_POWER = 0.05 ** 2


MIN_REG, MAX_REG = 5e-3, 0.1


def noise_sigma(image: np.ndarray) -> float:
    """Standard deviation of white noise in ``image`` ([0, 1]), after Immerkær ("Fast noise variance
    estimation", 1996): a 3×3 operator blind to planes and ramps, so on a blurred photo it sees noise."""
    grey = to_grey(image).astype(np.float64)
    if min(grey.shape) < 3:
        return 0.0
    operator = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float64)
    response = convolve2d(grey, operator, mode="valid")
    return float(np.sqrt(np.pi / 2) * np.mean(np.abs(response)) / 6.0)


def regularisation_for(image: np.ndarray) -> float:
    return float(np.clip(noise_sigma(image) ** 2 / GRADIENT_POWER, MIN_REG, MAX_REG))


DECONVOLUTION_FLOOR = WIENER_BALANCE  # the Wiener baseline's balance, picked on skimage's camera


def deconvolve(image: np.ndarray, kernel: np.ndarray, *, reg: float | None = None,
               floor: float = DECONVOLUTION_FLOOR) -> np.ndarray:
    """Non-blind deconvolution of an H×W or H×W×C float image in [0, 1] with a Gaussian gradient prior.

    ``reg`` None: from the image's noise (:func:`regularisation_for`)."""
    if reg is None:
        reg = regularisation_for(image)
    image = np.asarray(image, dtype=np.float32)
    width = min(kernel.shape[0], min(image.shape[:2]) - 1)
    height, wide = image.shape[:2]
    # grow the padding to sizes whose FFT is fast (few, small prime factors)
    fast_h = fft.next_fast_len(height + 2 * width, real=True) - height - 2 * width
    fast_w = fft.next_fast_len(wide + 2 * width, real=True) - wide - 2 * width
    shape = (height + 2 * width + fast_h, wide + 2 * width + fast_w)
    conj_spectrum, denominator = deconvolution_terms(kernel, shape, reg, floor)  # once for all channels

    def one(channel: np.ndarray) -> np.ndarray:
        padded = np.pad(channel, ((width, width + fast_h), (width, width + fast_w)), mode="reflect")
        restored = fft.irfft2(conj_spectrum * fft.rfft2(padded) / denominator, s=shape).astype(np.float32)
        return restored[width: width + height, width: width + wide]

    if image.ndim == 2:
        return np.clip(one(image), 0.0, 1.0)
    return np.clip(np.stack([one(image[..., c]) for c in range(image.shape[2])], axis=-1), 0.0, 1.0)


def gradients_into(image: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> None:
    """:func:`gradients` written into ``gx`` and ``gy``: x[i+1] - x[i], the last one wrapping to the first."""
    np.subtract(image[:, 1:], image[:, :-1], out=gx[:, :-1])
    np.subtract(image[:, :1], image[:, -1:], out=gx[:, -1:])
    np.subtract(image[1:], image[:-1], out=gy[:-1])
    np.subtract(image[:1], image[-1:], out=gy[-1:])

def adjoint_into(gx: np.ndarray, gy: np.ndarray, out: np.ndarray) -> None:
    """(roll(gx, 1, axis=1) - gx) + roll(gy, 1, axis=0) - gy, in that order, written into ``out``."""
    np.subtract(gx[:, :-1], gx[:, 1:], out=out[:, 1:])
    np.subtract(gx[:, -1:], gx[:, :1], out=out[:, :1])
    out[1:] += gy[:-1]
    out[:1] += gy[-1:]
    out -= gy
