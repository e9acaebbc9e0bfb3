"""Colorize losses that need no ImageNet weights, and the colourfulness measure.

Zhang, Isola and Efros, "Colorful Image Colorization" (ECCV 2016): the chroma of each pixel is a class
over quantised bins; the target is soft-encoded (a Gaussian over the nearest bins) and each pixel's
cross-entropy is weighted by the rarity of its colour, w ∝ ((1 − λ)·p̃ + λ/Q)⁻¹ with λ = 0.5 and p̃ the
smoothed bin frequencies of the training set, normalised so that E_p̃[w] = 1. Without the rebalancing
the common desaturated bins dominate and results come out pale (``shared/reference/calibration.md``).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def bin_frequencies(uv: np.ndarray, bins: np.ndarray, smooth: float) -> np.ndarray:
    """p̃: how often each bin is the nearest to a pixel of ``uv`` (P×2), smoothed by a Gaussian of
    ``smooth`` (U,V units) across bins."""
    nearest = np.concatenate([np.argmin(((chunk[:, None, :] - bins[None]) ** 2).sum(-1), axis=1)
                              for chunk in np.array_split(uv, max(1, len(uv) // 20000))])
    counts = np.bincount(nearest, minlength=len(bins)).astype(np.float64)
    distance = ((bins[:, None, :] - bins[None, :, :]) ** 2).sum(-1)
    kernel = np.exp(-distance / (2 * smooth**2))
    smoothed = kernel @ counts
    return smoothed / smoothed.sum()


def rebalancing_weights(frequencies: np.ndarray, mix: float = 0.5) -> np.ndarray:
    """Zhang's w per bin: ((1 − λ)·p̃ + λ/Q)⁻¹, normalised so that Σ p̃·w = 1."""
    weights = 1.0 / ((1 - mix) * frequencies + mix / len(frequencies))
    return (weights / (frequencies * weights).sum()).astype(np.float32)


def soft_targets(uv: torch.Tensor, bins: torch.Tensor, sigma: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(soft target N×K×H×W, nearest bin N×H×W) for chroma ``uv`` (N×2×H×W): a Gaussian of ``sigma`` over
    the bins, kept on the 5 nearest as Zhang did."""
    flat = uv.permute(0, 2, 3, 1).reshape(-1, 2)
    distance = torch.cdist(flat, bins) ** 2  # P×K
    near, index = torch.topk(distance, 5, dim=1, largest=False)
    weights = torch.softmax(-near / (2 * sigma**2), dim=1)
    target = torch.zeros_like(distance).scatter_(1, index, weights)
    n, _, h, w = uv.shape
    return target.reshape(n, h, w, -1).permute(0, 3, 1, 2), index[:, 0].reshape(n, h, w)


def rebalanced_cross_entropy(logits: torch.Tensor, uv: torch.Tensor, bins: torch.Tensor, class_weights: torch.Tensor,
                             sigma: float) -> torch.Tensor:
    """Mean over pixels of w(nearest bin) · CE(soft target, softmax(logits)); ``uv`` at the logits' size."""
    target, nearest = soft_targets(uv, bins, sigma)
    ce = -(target * F.log_softmax(logits, dim=1)).sum(dim=1)
    return (class_weights[nearest] * ce).mean()


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler and Süsstrunk (2003): σ_rgyb + 0.3·μ_rgyb on RGB in [0, 1] (×255 for their scale)."""
    r, g, b = (rgb[..., i].astype(np.float64) * 255 for i in range(3))
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
