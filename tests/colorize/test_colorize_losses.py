"""Zhang et al.'s class rebalancing and soft targets; the colourfulness measure."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.nets.colorize import chroma_bins
from restora.tools.colorize.losses import (
    bin_frequencies,
    colourfulness,
    rebalanced_cross_entropy,
    rebalancing_weights,
    soft_targets,
)

BINS = chroma_bins(0.07)


def test_rare_colours_weigh_more_and_the_expected_weight_is_one() -> None:
    rng = np.random.default_rng(0)
    uv = np.concatenate([rng.normal(0, 0.01, (5000, 2)), rng.normal([0.2, 0.3], 0.01, (50, 2))]).astype(np.float32)
    p = bin_frequencies(uv, BINS, smooth=0.07)
    w = rebalancing_weights(p, mix=0.5)
    grey = np.argmin((BINS**2).sum(1))
    red = np.argmin(((BINS - [0.2, 0.3]) ** 2).sum(1))
    assert p.sum() == pytest.approx(1.0)
    assert w[red] > 3 * w[grey]
    assert float((p * w).sum()) == pytest.approx(1.0, rel=1e-5)
    flat = rebalancing_weights(p, mix=1.0)  # λ = 1: no rebalancing, every bin alike
    np.testing.assert_allclose(flat, flat[0])


def test_soft_targets_peak_at_the_nearest_bin() -> None:
    bins = torch.from_numpy(BINS)
    uv = torch.tensor([0.14, -0.21]).reshape(1, 2, 1, 1).expand(1, 2, 2, 3).contiguous()
    target, nearest = soft_targets(uv, bins, sigma=0.035)
    assert target.shape == (1, len(BINS), 2, 3)
    torch.testing.assert_close(target.sum(1), torch.ones(1, 2, 3))
    assert (target > 0).sum(1).eq(5).all()  # five nearest bins, as Zhang
    assert torch.equal(target.argmax(1), nearest)
    assert torch.allclose(bins[nearest[0, 0, 0]], torch.tensor([0.14, -0.21]), atol=0.036)


def test_cross_entropy_prefers_the_right_colour() -> None:
    bins = torch.from_numpy(BINS)
    weights = torch.ones(len(BINS))
    uv = torch.full((1, 2, 4, 4), 0.0)
    uv[:, 0], uv[:, 1] = 0.14, -0.21
    _, nearest = soft_targets(uv, bins, 0.035)
    right = torch.zeros(1, len(BINS), 4, 4)
    right[0, nearest[0, 0, 0]] = 10.0
    wrong = torch.zeros(1, len(BINS), 4, 4)
    wrong[0, 0] = 10.0
    assert rebalanced_cross_entropy(right, uv, bins, weights, 0.035) < rebalanced_cross_entropy(wrong, uv, bins, weights, 0.035)


def test_colourfulness_is_zero_for_grey_and_grows_with_colour() -> None:
    grey = np.full((16, 16, 3), 0.4)
    assert colourfulness(grey) == pytest.approx(0.0)
    rng = np.random.default_rng(1)
    vivid = rng.random((16, 16, 3))
    pale = 0.5 + 0.2 * (vivid - 0.5)
    assert colourfulness(vivid) > 2 * colourfulness(pale) > 0
