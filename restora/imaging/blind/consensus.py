"""Several kernel estimates of one photo and the one they agree on; the whole blind deblur.

The estimate is chaotic (a pixel's nudge can move it by several dB, docs/deblur-kernel-method.md), so the
kernel is estimated from several *views* of the photo (other parts of a large photo, or the same photo
nudged), the estimate the others agree with best is kept (:func:`medoid_kernel`), and the caller can
require that agreement (:func:`choose_estimate`) before the photo is deconvolved (:func:`blind_deblur`).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import fft

from restora.imaging.blind.deconvolution import deconvolve, regularisation_for
from restora.imaging.blind.kernel_estimation import BlindConfig, resize_image, scale_kernel, estimate_kernel


# Threads for blind_deblur: -1, all cores. One estimate's FFTs use them all (FFTs take nearly all of its
# time); further estimates run side by side, one thread each, which uses the cores better: on 2 cores two
# 768-px estimates took 2.2 s side by side and 4.0 s one after the other, with the same kernels (§12).
WORKERS = -1


def best_alignment(first: np.ndarray, second: np.ndarray, shift: int) -> tuple[float, tuple[int, int]]:
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
    return best_alignment(first, second, shift)[0]


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
    return np.stack([resize_image(image[..., c], shape) for c in range(image.shape[2])], axis=-1), scale


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


def estimate_side_by_side(copies: list[tuple[np.ndarray, str]], config: BlindConfig,
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
            found = estimate_side_by_side(copies, config, part(0.0, 0.9))
        else:
            found = [estimate_kernel(copies[0][0], config, part(0.0, 0.9 / views), pad_extra_at=copies[0][1])]
            if kernel_spread(found[0]) >= min_spread and views > 1:
                found += estimate_side_by_side(copies[1:], config, part(0.9 / views, 0.9 - 0.9 / views))
        kept, support, use = choose_estimate(found, min_spread, min_support)
        kernel = scale_kernel(found[kept], 1.0 / scale)
        # the noise is measured on the estimation copy: the same pixels for a crop; a shrunk copy's noise
        # is averaged down, about as much as its kernel, scaled back up, averages it again
        restored = deconvolve(image, kernel, reg=regularisation_for(copies[0][0])) if use else None
    if progress:
        progress(1.0)
    return BlindResult(restored, kernel, kernel_spread(found[kept]), support)
