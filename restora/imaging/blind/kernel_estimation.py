"""Blind estimation of a uniform camera-shake kernel from one photo.

Coarse to fine, after Pan, Hu, Su & Yang ("Deblurring text images via L0-regularized intensity and
gradient prior", CVPR 2014, the gradient part) and Xu, Zheng & Jia ("Unnatural L0 sparse representation
for natural image deblurring", CVPR 2013). At each pyramid level, a few rounds of

1. *predict* the sharp photo's salient edges: the blurred photo deconvolved with the current kernel under
   an L0 prior on gradients, which leaves only strong steps (blurred edges say the most about the blur;
   fine texture says mostly noise);
2. *estimate* the kernel by least squares between those gradients and the blurred photo's gradients, in
   closed form in the Fourier domain, then keep its positive, significant part around the peak.

Everything is FFTs of a grey copy. The maths assumes one blur everywhere (a shaken camera, a still scene):
moving subjects, or blur that varies across the frame, break it, and so does a blur of only a few pixels,
where the kernel's shape is lost in the noise (docs/deblur-kernel-method.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from scipy import fft
from scipy.ndimage import gaussian_filter, label, zoom

from restora.imaging.blind.deconvolution import (
    adjoint_into, difference_spectra, gradients, gradients_into, pad_for_fft, psf_spectrum, to_grey,
)


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


def l0_edges(padded: np.ndarray, kernel: np.ndarray, weight: float, config: BlindConfig
              ) -> tuple[np.ndarray, np.ndarray]:
    """argmin_x |k*x - y|² + weight·|∇x|₀ by half-quadratic splitting (Xu, Lu, Xu & Jia 2011; Pan et al. 2014).

    Each round keeps only gradients whose square exceeds weight/β and solves for x in closed form; β
    grows (×2 in Pan et al.) until the gradients are exactly those kept. The result is piecewise flat with sharp steps:
    the salient edges a kernel can be measured from. Returns the kept gradients (x, y) of the last round.
    """
    spectrum = psf_spectrum(kernel, padded.shape)
    dx, dy = difference_spectra(padded.shape)
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
        gradients_into(latent, gx, gy)
        np.multiply(gx, gx, out=power)
        power += np.multiply(gy, gy, out=square)
        np.greater_equal(power, weight / beta, out=keep)
        gx *= keep  # the small gradients become zero
        gy *= keep
        # conj(Dx)·F(gx) + conj(Dy)·F(gy), computed as the FFT of the adjoint differences: one FFT, not two
        adjoint_into(gx, gy, adjoint)
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






def _clean_kernel(raw: np.ndarray, floor: float) -> np.ndarray:
    """Positive part, small values dropped, only the pieces connected to the peak kept, sum 1, centred."""
    kernel = np.maximum(raw, 0.0)
    if kernel.max() <= 0:
        return delta_kernel(raw.shape[0])
    kernel[kernel < floor * kernel.max()] = 0.0
    pieces, _ = label(kernel > 0)
    kernel[pieces != pieces[np.unravel_index(np.argmax(kernel), kernel.shape)]] = 0.0
    return centre_kernel(kernel / kernel.sum())


def centre_kernel(kernel: np.ndarray) -> np.ndarray:
    """Shift by whole pixels so the centre of mass is in the middle pixel (as the blur synthesis does)."""
    size = kernel.shape[0]
    rows, cols = np.indices(kernel.shape)
    cy, cx = int(round(float((kernel * rows).sum()))), int(round(float((kernel * cols).sum())))
    shifted = np.zeros_like(kernel)
    dy, dx = size // 2 - cy, size // 2 - cx
    src = kernel[max(0, -dy): size - max(0, dy), max(0, -dx): size - max(0, dx)]
    shifted[max(0, dy): max(0, dy) + src.shape[0], max(0, dx): max(0, dx) + src.shape[1]] = src
    return shifted / shifted.sum()


def delta_kernel(size: int) -> np.ndarray:
    kernel = np.zeros((size, size), dtype=np.float32)
    kernel[size // 2, size // 2] = 1.0
    return kernel


def _estimate_from_gradients(px: np.ndarray, py: np.ndarray, blurred: np.ndarray, ksize: int,
                             config: BlindConfig, photo: tuple[int, int, int, int]) -> np.ndarray:
    """argmin_k Σ |k*p - ∂y|² + β|k|² over both directions, in the Fourier domain, cropped to ksize.

    ``blurred`` is the photo padded by :func:`pad_for_fft`; ``photo`` is (top, left, height, width) of the photo in it."""
    bx, by = gradients(blurred)
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
        return delta_kernel(ksize)  # no edge survived: nothing to measure a blur from
    beta = config.kernel_reg * float(energy.mean())
    full = fft.irfft2((np.conj(fpx) * fbx + np.conj(fpy) * fby) / (energy + beta), s=blurred.shape)
    half = ksize // 2
    raw = np.roll(full, (half, half), axis=(0, 1))[:ksize, :ksize]
    return _clean_kernel(raw.astype(np.float32), config.kernel_floor)


def resize_image(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
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
    "start", :func:`pad_for_fft`); they change nothing in the model but nudge the iterations, which is how
    :func:`blind_deblur` gets a second opinion."""
    grey = _stretch(to_grey(blurred)) if config.stretch else to_grey(blurred)
    # a kernel wider than half the photo cannot be told from the photo's content
    largest = max(3, min(grey.shape) // 2 - 1 + min(grey.shape) // 2 % 2)
    if config.kernel_size > largest:
        config = replace(config, kernel_size=largest, coarsest_kernel=min(config.coarsest_kernel, largest))
    kernel = delta_kernel(3)
    weight = config.l0_weight
    sizes = kernel_sizes(config)
    for done, ksize in enumerate(sizes):
        if progress:
            progress(done / len(sizes))
        scale = ksize / config.kernel_size
        shape = (max(8, int(round(grey.shape[0] * scale))), max(8, int(round(grey.shape[1] * scale))))
        level = resize_image(grey, shape) if scale < 1 else grey
        padded, (top, left) = pad_for_fft(level, ksize, pad_extra_at)
        kernel = resize_kernel(kernel, ksize)
        for _ in range(config.iterations):
            gx, gy = l0_edges(padded, kernel, weight, config)
            kernel = _estimate_from_gradients(gx, gy, padded, ksize, config, (top, left, *level.shape))
            weight = max(weight / config.l0_decay, 1e-4)  # let weaker edges in as the kernel firms up
    return kernel


def resize_kernel(kernel: np.ndarray, size: int) -> np.ndarray:
    """The kernel of one pyramid level carried to the next (larger) size, sum 1."""
    if kernel.shape[0] == size:
        return kernel
    grown = np.maximum(zoom(kernel, size / kernel.shape[0], order=1), 0)
    out = np.zeros((size, size), dtype=np.float32)
    h = min(size, grown.shape[0])
    out[:h, :h] = grown[:h, :h]
    return centre_kernel(out / out.sum())


def scale_kernel(kernel: np.ndarray, factor: float) -> np.ndarray:
    """``kernel`` drawn ``factor`` times larger (odd side, sum 1, centred)."""
    if factor <= 1.0:
        return kernel
    grown = np.maximum(zoom(kernel.astype(np.float64), factor, order=1), 0.0)
    size = grown.shape[0] + 1 - grown.shape[0] % 2
    out = np.zeros((size, size), dtype=np.float32)
    out[: grown.shape[0], : grown.shape[1]] = grown
    return centre_kernel(out / out.sum())
