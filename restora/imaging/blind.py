"""Blind deconvolution of uniform camera shake: estimate the blur kernel from the photo, then undo it.

The kernel is estimated coarse to fine, after Pan, Hu, Su & Yang ("Deblurring text images via L0-regularized
intensity and gradient prior", CVPR 2014, the gradient part) and Xu, Zheng & Jia ("Unnatural L0 sparse
representation for natural image deblurring", CVPR 2013). At each pyramid level, a few rounds of

1. *predict* the sharp photo's salient edges: the blurred photo deconvolved with the current kernel under
   an L0 prior on gradients, which leaves only strong steps (blurred edges say the most about the blur;
   fine texture says mostly noise);
2. *estimate* the kernel by least squares between those gradients and the blurred photo's gradients, in
   closed form in the Fourier domain, then keep its positive, significant part around the peak.

The photo is then deconvolved in colour with the final kernel under a Gaussian prior on gradients whose
weight follows the photo's noise (:func:`deconvolve`, :func:`noise_sigma`). Everything is FFTs of a grey
copy. The maths assumes one blur everywhere (a shaken camera, a still scene): moving subjects, or blur
that varies across the frame, break it, and so does a blur of only a few pixels, where the kernel's shape
is lost in the noise (docs/training/deblur.md §9 measures where it wins and loses).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from scipy import fft
from scipy.ndimage import gaussian_filter, label, zoom
from scipy.signal import convolve2d

from restora.imaging.sharpen import WIENER_BALANCE, centred_kernel_array

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
# Threads for blind_deblur: -1, all cores. One estimate's FFTs use them all (FFTs take nearly all of its
# time); further estimates run side by side, one thread each, which uses the cores better: on 2 cores two
# 768-px estimates took 2.2 s side by side and 4.0 s one after the other, with the same kernels (§12).
WORKERS = -1


@dataclass(frozen=True)
class BlindConfig:
    # Picked on Debian photos outside the evaluation set (docs/training/deblur.md §9: 9 photos, then all 56).
    kernel_size: int = 65  # odd; the largest blur (in px) that can be found; DeblurGAN's trajectories fit in 64
    scale_step: float = float(np.sqrt(2.0))  # between pyramid levels
    coarsest_kernel: int = 7  # the pyramid starts where the kernel is this small
    iterations: int = 5  # predict/estimate rounds per level
    kernel_reg: float = 1e-3  # Tikhonov weight on the kernel, relative to the edge gradients' energy
    kernel_floor: float = 0.1  # kernel values below this share of the peak are noise
    l0_weight: float = 1.6e-2  # λ of the L0 gradient prior (Pan et al. use 4e-3; 8e-3 and 3.2e-2 did worse here, §9)
    l0_decay: float = 1.1  # λ is divided by this after every round, across levels (Pan et al.)
    beta_growth: float = 2.0  # the L0 splitting's coupling weight β grows by this factor per step
    beta_max: float = 1e5  # up to here (Pan et al.'s schedule; 100 won on 9 photos but lost on all 56, §9)
    # Stretch the grey copy's contrast before estimating. Off: the L0 threshold is absolute, so a low-contrast
    # photo keeps no edges and gets a point kernel (then auto uses the net), but stretching cost 0.84 dB on
    # the development photos (docs/evaluation.md, clock_motion).
    stretch: bool = False
    # Kernels are estimated on a copy at most this large a side: estimation time stays a few seconds
    # whatever the photo's size.
    estimate_side: int = 768
    # How a larger photo is brought down to estimate_side: "crop" its middle at full resolution, or "shrink"
    # it and scale the kernel back up. Shrinking smooths the photo a little and small kernels shrink into
    # the noise: on 1280-px photos the kernel method gained +1.25 dB shrunk, +1.75 cropped (§9). A crop
    # cannot see a shake longer than kernel_size px, though.
    estimate_by: str = "crop"
    # Where blind_deblur's further estimates (``views``) come from: "nudge", the same copy nudged
    # (VIEW_NUDGES); "corner", for a photo larger than estimate_side, other estimate_side squares of it in
    # turn (REGIONS: the corners; another part of the scene), smaller photos being nudged. At 1280 px the
    # nudged estimate agreed 0.96 with a kernel that lost 11.4 dB; the corner's caught it (§11).
    second_opinion: str = "corner"


def to_grey(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.float32)
    return image if image.ndim == 2 else image[..., :3] @ LUMA


# --- Fourier helpers -------------------------------------------------------------------------------------


def _psf_spectrum(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """rfft2 (float32, scipy's threaded FFT) of ``kernel`` centred at (0, 0), as the Wiener baseline places it."""
    return fft.rfft2(centred_kernel_array(kernel, shape, np.float32))


def _difference_spectra(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Spectra of the forward differences x[i+1] - x[i] along columns and rows (circular)."""
    dx = np.zeros(shape, dtype=np.float32)
    dx[0, 0], dx[0, 1] = -1.0, 1.0
    dy = np.zeros(shape, dtype=np.float32)
    dy[0, 0], dy[1, 0] = -1.0, 1.0
    # the operator computes x[i+1] - x[i], i.e. correlation; as a convolution its spectrum is conjugated
    return np.conj(fft.rfft2(dx)), np.conj(fft.rfft2(dy))


def _gradients(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Circular forward differences, matching :func:`_difference_spectra`."""
    gx, gy = np.empty_like(image), np.empty_like(image)
    _gradients_into(image, gx, gy)
    return gx, gy


def _deconvolution_terms(kernel: np.ndarray, shape: tuple[int, int], reg: float,
                         floor: float) -> tuple[np.ndarray, np.ndarray]:
    """(conj(K), |K|² + prior): X = conj(K)·Y / (|K|² + prior) solves argmin_x |k*x - y|² + reg·|∇x|² +
    floor·|x - mean|² in closed form, for every channel of a photo padded to ``shape``.

    The floor is a Wiener-style constant: at a straight blur's spectral zeros the gradient prior alone is
    nearly zero at low frequencies, and the mismatch of the padded frame came back as stripes one blur
    length apart, worse than the blurred input even with the true kernel (a 31-px line on skimage's
    camera, tests/imaging/test_blind.py).
    """
    spectrum = _psf_spectrum(kernel, shape)
    dx, dy = _difference_spectra(shape)
    prior = reg * (np.abs(dx) ** 2 + np.abs(dy) ** 2) + floor
    prior[0, 0] = 0.0  # the mean (DC) is known exactly: the kernel sums to 1
    return np.conj(spectrum), np.abs(spectrum) ** 2 + prior


def _pad(image: np.ndarray, width: int, extra_at: str = "end") -> tuple[np.ndarray, tuple[int, int]]:
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
    conj_spectrum, denominator = _deconvolution_terms(kernel, shape, reg, floor)  # once for all channels

    def one(channel: np.ndarray) -> np.ndarray:
        padded = np.pad(channel, ((width, width + fast_h), (width, width + fast_w)), mode="reflect")
        restored = fft.irfft2(conj_spectrum * fft.rfft2(padded) / denominator, s=shape).astype(np.float32)
        return restored[width: width + height, width: width + wide]

    if image.ndim == 2:
        return np.clip(one(image), 0.0, 1.0)
    return np.clip(np.stack([one(image[..., c]) for c in range(image.shape[2])], axis=-1), 0.0, 1.0)


# --- one level of the kernel estimation ------------------------------------------------------------------


def _l0_edges(padded: np.ndarray, kernel: np.ndarray, weight: float, config: BlindConfig
              ) -> tuple[np.ndarray, np.ndarray]:
    """argmin_x |k*x - y|² + weight·|∇x|₀ by half-quadratic splitting (Xu, Lu, Xu & Jia 2011; Pan et al. 2014).

    Each round keeps only gradients whose square exceeds weight/β and solves for x in closed form; β
    grows (×2 in Pan et al.) until the gradients are exactly those kept. The result is piecewise flat with sharp steps:
    the salient edges a kernel can be measured from. Returns the kept gradients (x, y) of the last round.
    """
    spectrum = _psf_spectrum(kernel, padded.shape)
    dx, dy = _difference_spectra(padded.shape)
    numerator_data = np.conj(spectrum) * fft.rfft2(padded)
    kernel_power = np.abs(spectrum) ** 2
    prior = np.abs(dx) ** 2 + np.abs(dy) ** 2
    latent = padded
    beta = 2 * weight
    # the loop runs ~20 times per round on the largest arrays of the estimate: its buffers are made once and
    # reused, and the differences are slices rather than np.roll copies (the same numbers, bit for bit)
    gx, gy, power, square, adjoint = (np.empty(padded.shape, np.float32) for _ in range(5))
    keep = np.empty(padded.shape, bool)
    scale = np.empty(kernel_power.shape, np.float32)
    while beta < config.beta_max:
        _gradients_into(latent, gx, gy)
        np.multiply(gx, gx, out=power)
        power += np.multiply(gy, gy, out=square)
        np.greater_equal(power, weight / beta, out=keep)
        gx *= keep  # the small gradients become zero
        gy *= keep
        # conj(Dx)·F(gx) + conj(Dy)·F(gy), computed as the FFT of the adjoint differences: one FFT, not two
        _adjoint_into(gx, gy, adjoint)
        guide = fft.rfft2(adjoint)
        # (numerator_data + β·guide) / (|K|² + β·prior), in place; multiplying by the real reciprocal is
        # about 4× faster than numpy's division of a complex array by a real one
        guide *= beta
        guide += numerator_data
        np.multiply(prior, beta, out=scale)
        scale += kernel_power
        np.reciprocal(scale, out=scale)
        guide *= scale
        latent = fft.irfft2(guide, s=padded.shape).astype(np.float32, copy=False)
        beta *= config.beta_growth
    return gx, gy


def _gradients_into(image: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> None:
    """:func:`_gradients` written into ``gx`` and ``gy``: x[i+1] - x[i], the last one wrapping to the first."""
    np.subtract(image[:, 1:], image[:, :-1], out=gx[:, :-1])
    np.subtract(image[:, :1], image[:, -1:], out=gx[:, -1:])
    np.subtract(image[1:], image[:-1], out=gy[:-1])
    np.subtract(image[:1], image[-1:], out=gy[-1:])


def _adjoint_into(gx: np.ndarray, gy: np.ndarray, out: np.ndarray) -> None:
    """(roll(gx, 1, axis=1) - gx) + roll(gy, 1, axis=0) - gy, in that order, written into ``out``."""
    np.subtract(gx[:, :-1], gx[:, 1:], out=out[:, 1:])
    np.subtract(gx[:, -1:], gx[:, :1], out=out[:, :1])
    out[1:] += gy[:-1]
    out[:1] += gy[-1:]
    out -= gy


def _clean_kernel(raw: np.ndarray, floor: float) -> np.ndarray:
    """Positive part, small values dropped, only the pieces connected to the peak kept, sum 1, centred."""
    kernel = np.maximum(raw, 0.0)
    if kernel.max() <= 0:
        return _delta(raw.shape[0])
    kernel[kernel < floor * kernel.max()] = 0.0
    pieces, _ = label(kernel > 0)
    kernel[pieces != pieces[np.unravel_index(np.argmax(kernel), kernel.shape)]] = 0.0
    return _centre(kernel / kernel.sum())


def _centre(kernel: np.ndarray) -> np.ndarray:
    """Shift by whole pixels so the centre of mass is in the middle pixel (as the blur synthesis does)."""
    size = kernel.shape[0]
    rows, cols = np.indices(kernel.shape)
    cy, cx = int(round(float((kernel * rows).sum()))), int(round(float((kernel * cols).sum())))
    shifted = np.zeros_like(kernel)
    dy, dx = size // 2 - cy, size // 2 - cx
    src = kernel[max(0, -dy): size - max(0, dy), max(0, -dx): size - max(0, dx)]
    shifted[max(0, dy): max(0, dy) + src.shape[0], max(0, dx): max(0, dx) + src.shape[1]] = src
    return shifted / shifted.sum()


def _delta(size: int) -> np.ndarray:
    kernel = np.zeros((size, size), dtype=np.float32)
    kernel[size // 2, size // 2] = 1.0
    return kernel


def _estimate_from_gradients(px: np.ndarray, py: np.ndarray, blurred: np.ndarray, ksize: int,
                             config: BlindConfig, photo: tuple[int, int, int, int]) -> np.ndarray:
    """argmin_k Σ |k*p - ∂y|² + β|k|² over both directions, in the Fourier domain, cropped to ksize.

    ``blurred`` is the photo padded by :func:`_pad`; ``photo`` is (top, left, height, width) of the photo in it."""
    bx, by = _gradients(blurred)
    # Fit only where the blur model holds: not in the reflected frame (padding is not blurred photo), nor
    # within half a kernel of it (those pixels' blur reaches into the frame). Fitting up to half a kernel
    # into the frame, as at first, cost about 0.9 dB on the development photos (docs/training/deblur.md §9).
    top, left, height, width = photo
    half = ksize // 2 + 1
    mask = np.zeros(blurred.shape, dtype=np.float32)
    mask[top + half: top + height - half, left + half: left + width - half] = 1.0
    fpx, fpy = fft.rfft2(px * mask), fft.rfft2(py * mask)
    fbx, fby = fft.rfft2(bx * mask), fft.rfft2(by * mask)
    energy = np.abs(fpx) ** 2 + np.abs(fpy) ** 2
    if not energy.mean() > 0:
        return _delta(ksize)  # no edge survived: nothing to measure a blur from
    beta = config.kernel_reg * float(energy.mean())
    full = fft.irfft2((np.conj(fpx) * fbx + np.conj(fpy) * fby) / (energy + beta), s=blurred.shape)
    half = ksize // 2
    raw = np.roll(full, (half, half), axis=(0, 1))[:ksize, :ksize]
    return _clean_kernel(raw.astype(np.float32), config.kernel_floor)


def _resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    factors = (shape[0] / image.shape[0], shape[1] / image.shape[1])
    if factors[0] < 1:
        image = gaussian_filter(image, 0.5 / factors[0] * 0.8)  # anti-alias before shrinking
    out = zoom(image, factors, order=1)
    return out[: shape[0], : shape[1]]


def _stretch(grey: np.ndarray) -> np.ndarray:
    """Grey values moved and scaled so the 1st to 99th percentiles span [0, 1] (no clipping)."""
    low, high = np.percentile(grey, [1.0, 99.0])
    if high - low < 1e-3:
        return grey
    return ((grey - low) / (high - low)).astype(np.float32)


def kernel_sizes(config: BlindConfig) -> list[int]:
    """Odd kernel sizes of the pyramid, coarsest first."""
    sizes = [config.kernel_size]
    while sizes[-1] / config.scale_step >= config.coarsest_kernel:
        size = int(round(sizes[-1] / config.scale_step))
        size = min(size + 1 - size % 2, sizes[-1] - 2)  # odd, and always smaller (rounding up to odd could stall)
        if size < 3:
            break
        sizes.append(size)
    return sizes[::-1]


def estimate_kernel(blurred: np.ndarray, config: BlindConfig = BlindConfig(),
                    progress: Callable[[float], None] | None = None, *, pad_extra_at: str = "end") -> np.ndarray:
    """The blur kernel of ``blurred`` (H×W or H×W×C float in [0, 1]): a ksize×ksize array summing to 1.

    ``pad_extra_at``: where the few pixels that round the padded photo up to a fast FFT size go ("end" or
    "start", :func:`_pad`); they change nothing in the model but nudge the iterations, which is how
    :func:`blind_deblur` gets a second opinion."""
    grey = _stretch(to_grey(blurred)) if config.stretch else to_grey(blurred)
    # a kernel wider than half the photo cannot be told from the photo's content
    largest = max(3, min(grey.shape) // 2 - 1 + min(grey.shape) // 2 % 2)
    if config.kernel_size > largest:
        config = replace(config, kernel_size=largest, coarsest_kernel=min(config.coarsest_kernel, largest))
    kernel = _delta(3)
    weight = config.l0_weight
    sizes = kernel_sizes(config)
    for done, ksize in enumerate(sizes):
        if progress:
            progress(done / len(sizes))
        scale = ksize / config.kernel_size
        shape = (max(8, int(round(grey.shape[0] * scale))), max(8, int(round(grey.shape[1] * scale))))
        level = _resize(grey, shape) if scale < 1 else grey
        padded, (top, left) = _pad(level, ksize, pad_extra_at)
        kernel = _resize_kernel(kernel, ksize)
        for _ in range(config.iterations):
            gx, gy = _l0_edges(padded, kernel, weight, config)
            kernel = _estimate_from_gradients(gx, gy, padded, ksize, config, (top, left, *level.shape))
            weight = max(weight / config.l0_decay, 1e-4)  # let weaker edges in as the kernel firms up
    return kernel


def _resize_kernel(kernel: np.ndarray, size: int) -> np.ndarray:
    """The kernel of one pyramid level carried to the next (larger) size, sum 1."""
    if kernel.shape[0] == size:
        return kernel
    grown = np.maximum(zoom(kernel, size / kernel.shape[0], order=1), 0)
    out = np.zeros((size, size), dtype=np.float32)
    h = min(size, grown.shape[0])
    out[:h, :h] = grown[:h, :h]
    return _centre(out / out.sum())





def _scale_kernel(kernel: np.ndarray, factor: float) -> np.ndarray:
    """``kernel`` drawn ``factor`` times larger (odd side, sum 1, centred)."""
    if factor <= 1.0:
        return kernel
    grown = np.maximum(zoom(kernel.astype(np.float64), factor, order=1), 0.0)
    size = grown.shape[0] + 1 - grown.shape[0] % 2
    out = np.zeros((size, size), dtype=np.float32)
    out[: grown.shape[0], : grown.shape[1]] = grown
    return _centre(out / out.sum())


def _best_alignment(first: np.ndarray, second: np.ndarray, shift: int) -> tuple[float, tuple[int, int]]:
    """The normalised cross-correlation of two kernels at the best relative shift of up to ``shift`` px,
    and that shift: ``second`` moved by it (np.roll on a common canvas) lies best on ``first``."""
    size = max(first.shape[0], second.shape[0])
    a, b = (np.pad(k.astype(np.float64), (size - k.shape[0]) // 2) for k in (first, second))
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    if norms == 0.0:
        return 0.0, (0, 0)
    full = fft.irfft2(fft.rfft2(a, s=(2 * size, 2 * size)) * np.conj(fft.rfft2(b, s=(2 * size, 2 * size))),
                      s=(2 * size, 2 * size))  # circular cross-correlation; shift (i, j) at [i, j] (mod 2·size)
    window = np.roll(full, (shift, shift), axis=(0, 1))[: 2 * shift + 1, : 2 * shift + 1]
    row, col = np.unravel_index(int(np.argmax(window)), window.shape)
    return float(window[row, col] / norms), (int(row) - shift, int(col) - shift)


def kernel_agreement(first: np.ndarray, second: np.ndarray, shift: int = 3) -> float:
    """How alike two kernels are: their normalised cross-correlation (1 = the same shape), the best over
    relative shifts of up to ``shift`` px (centring by whole pixels can place the same shape one off)."""
    return _best_alignment(first, second, shift)[0]


def medoid_kernel(kernels: list[np.ndarray]) -> tuple[int, float]:
    """Which of several estimates of one kernel agrees best with the others, and its mean agreement with
    them (its support; 1.0 for a single estimate)."""
    if len(kernels) == 1:
        return 0, 1.0
    agreements = np.ones((len(kernels), len(kernels)))
    for i in range(len(kernels)):
        for j in range(i + 1, len(kernels)):
            agreements[i, j] = agreements[j, i] = kernel_agreement(kernels[i], kernels[j])
    support = (agreements.sum(axis=1) - 1.0) / (len(kernels) - 1)
    best = int(np.argmax(support))
    return best, float(support[best])


def kernel_spread(kernel: np.ndarray) -> float:
    """Root-mean-square distance (px) of the kernel's mass from its centre of mass: how far it smears."""
    rows, cols = np.indices(kernel.shape)
    total = float(kernel.sum())
    cy, cx = float((kernel * rows).sum()) / total, float((kernel * cols).sum()) / total
    return float(np.sqrt((kernel * ((rows - cy) ** 2 + (cols - cx) ** 2)).sum() / total))


@dataclass
class BlindResult:
    restored: np.ndarray | None  # None when the blur was too slight to deconvolve (see ``min_spread``)
    kernel: np.ndarray  # at the photo's full size
    spread: float  # kernel_spread at the size it was estimated at (at most estimate_side)
    # the kept estimate's mean kernel_agreement with the others (``views`` > 1; with two, their
    # agreement), None when there was one estimate
    support: float | None = None


# The views after the first of a photo no larger than the estimate: (rows dropped at the top, columns at
# the left, rows at the bottom, columns at the right, where the padding's rounding pixels go). A pixel more
# or less changes nothing that matters, but the estimate is chaotic (§11): each nudge is another try.
VIEW_NUDGES = ((0, 0, 0, 0, "end"), (0, 0, 0, 0, "start"), (1, 1, 0, 0, "end"), (0, 0, 1, 1, "start"),
               (2, 0, 0, 2, "end"), (0, 2, 2, 0, "start"))
# The views of a larger photo (``second_opinion`` "corner", estimated by "crop"): other parts of the scene.
REGIONS = ("middle", "top-left", "bottom-right", "top-right", "bottom-left")


def _region(image: np.ndarray, where: str, side: int) -> np.ndarray:
    height, width = image.shape[:2]
    top = {"middle": max(0, (height - side) // 2), "top": 0, "bottom": max(0, height - side)}
    left = {"middle": max(0, (width - side) // 2), "left": 0, "right": max(0, width - side)}
    row, col = ("middle", "middle") if where == "middle" else where.split("-")
    return image[top[row]: top[row] + side, left[col]: left[col] + side]


def _estimation_copy(image: np.ndarray, side: int, how: str = "shrink") -> tuple[np.ndarray, float]:
    """The photo brought to at most ``side`` px a side (its middle cropped, or shrunk), and the factor it
    was shrunk by (1 for a crop)."""
    height, width = image.shape[:2]
    if how == "crop":
        return _region(image, "middle", side), 1.0
    scale = min(1.0, side / max(height, width))
    if scale == 1.0:
        return image, scale
    shape = (max(8, round(height * scale)), max(8, round(width * scale)))
    return np.stack([_resize(image[..., c], shape) for c in range(image.shape[2])], axis=-1), scale


def estimation_views(image: np.ndarray, config: BlindConfig, count: int) -> tuple[list[tuple[np.ndarray, str]], float]:
    """``count`` copies of the photo to estimate its kernel from, each with the side its padding's
    rounding pixels go (:func:`estimate_kernel`'s ``pad_extra_at``), and the factor they were shrunk by
    (1 for crops). The first is :func:`_estimation_copy`'s."""
    small, scale = _estimation_copy(image, config.estimate_side, config.estimate_by)
    elsewhere = config.second_opinion == "corner" and config.estimate_by == "crop"
    if elsewhere and max(image.shape[:2]) > config.estimate_side:
        if count > len(REGIONS):
            raise ValueError(f"at most {len(REGIONS)} views of a large photo, not {count}")
        return [(_region(image, where, config.estimate_side), "end") for where in REGIONS[:count]], scale
    if count > len(VIEW_NUDGES):
        raise ValueError(f"at most {len(VIEW_NUDGES)} views, not {count}")
    height, width = small.shape[:2]
    return [(small[top: height - bottom, left: width - right], side)
            for top, left, bottom, right, side in VIEW_NUDGES[:count]], scale


def _estimate_side_by_side(copies: list[tuple[np.ndarray, str]], config: BlindConfig,
                           progress: Callable[[float], None] | None) -> list[np.ndarray]:
    """:func:`estimate_kernel` of each (copy, padding side), on as many threads as WORKERS allows, one FFT
    thread each. ``progress`` is called from the calling thread only (a job's progress may write to a
    database session), as each estimate finishes."""
    cores = (os.cpu_count() or 1) if WORKERS == -1 else max(1, WORKERS)
    threads = min(len(copies), cores)
    if threads == 1:  # nothing to run beside it: one estimate at a time, its FFTs on every core
        found = []
        for copy, side in copies:
            found.append(estimate_kernel(copy, config, pad_extra_at=side))
            if progress:
                progress(len(found) / len(copies))
        return found

    def one(copy_and_side: tuple[np.ndarray, str]) -> np.ndarray:
        with fft.set_workers(1):
            return estimate_kernel(copy_and_side[0], config, pad_extra_at=copy_and_side[1])

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(one, copy) for copy in copies]
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress:
                progress(done / len(futures))
        return [future.result() for future in futures]


def choose_estimate(found: list[np.ndarray], min_spread: float, min_support: float) -> tuple[int, float | None, bool]:
    """Which of one photo's kernel estimates to keep (the medoid: :func:`medoid_kernel`), its support
    (None for a single estimate), and whether to deconvolve with it: when the first estimate and the
    kept one spread at least ``min_spread`` and the support is at least ``min_support``."""
    kept, support = medoid_kernel(found)
    support = support if len(found) > 1 else None  # one estimate: nothing to agree with
    use = (min(kernel_spread(found[0]), kernel_spread(found[kept])) >= min_spread
           and (support is None or support >= min_support))
    return kept, support, use


def blind_deblur(image: np.ndarray, config: BlindConfig = BlindConfig(),
                 progress: Callable[[float], None] | None = None, *, min_spread: float = 0.0,
                 views: int = 1, min_support: float = 0.0) -> BlindResult:
    """Estimate the shake of an H×W×C float photo in [0, 1] and deconvolve it, unless the kernel's spread
    (at the estimation size) is below ``min_spread``.

    ``views`` > 1: estimate the kernel from that many views of the photo (:func:`estimation_views`: other
    parts of a large photo, or the same copy nudged), keep the estimate that agrees best with the others
    (:func:`medoid_kernel`), and deconvolve only if its support is at least ``min_support``. The estimate
    is chaotic: where it has gone wrong, another try tends to land elsewhere (docs/training/deblur.md §11,
    §12). The first estimate alone decides whether the blur is too slight, so a sharp photo costs one."""

    def part(start: float, share: float) -> Callable[[float], None] | None:
        return (lambda f: progress(start + share * f)) if progress else None

    with fft.set_workers(WORKERS):
        copies, scale = estimation_views(image, config, views)
        if min_spread <= 0.0:  # no blur is too slight: nothing to learn from the first estimate alone
            found = _estimate_side_by_side(copies, config, part(0.0, 0.9))
        else:
            found = [estimate_kernel(copies[0][0], config, part(0.0, 0.9 / views), pad_extra_at=copies[0][1])]
            if kernel_spread(found[0]) >= min_spread and views > 1:
                found += _estimate_side_by_side(copies[1:], config, part(0.9 / views, 0.9 - 0.9 / views))
        kept, support, use = choose_estimate(found, min_spread, min_support)
        kernel = _scale_kernel(found[kept], 1.0 / scale)
        # the noise is measured on the estimation copy: the same pixels for a crop; a shrunk copy's noise
        # is averaged down, about as much as its kernel, scaled back up, averages it again
        restored = deconvolve(image, kernel, reg=regularisation_for(copies[0][0])) if use else None
    if progress:
        progress(1.0)
    return BlindResult(restored, kernel, kernel_spread(found[kept]), support)
