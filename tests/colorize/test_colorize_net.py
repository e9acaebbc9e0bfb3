"""The colorize generator and critic: shapes, ranges, the DeOldify building blocks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.imaging.colour import U_MAX, V_MAX
from restora.nets.colorize import (
    ColorizeCritic,
    ColorizeGenerator,
    ColorizeNetConfig,
    CriticConfig,
    PixelShuffleICNR,
    chroma_bins,
    remove_spectral_norms,
)


@pytest.fixture(scope="module")
def generator() -> ColorizeGenerator:
    torch.manual_seed(0)
    return ColorizeGenerator().eval()


@pytest.mark.parametrize("size", [(32, 32), (64, 96), (96, 64), (128, 160)])
def test_generator_gives_chroma_of_the_input_size(generator: ColorizeGenerator, size: tuple[int, int]) -> None:
    y = torch.rand(2, 1, *size)
    with torch.no_grad():
        uv = generator(y)
        logits = generator.logits(y)
    assert uv.shape == (2, 2, *size)
    assert logits.shape == (2, len(generator.bins), size[0] // 2, size[1] // 2)
    # an average of in-gamut bin centres stays within the bins' hull (one bin of slack on each side)
    step = generator.config.bin_step
    assert uv[:, 0].abs().max() <= U_MAX + step and uv[:, 1].abs().max() <= V_MAX + step


def test_generator_refuses_sides_that_are_not_multiples_of_32(generator: ColorizeGenerator) -> None:
    with pytest.raises(ValueError, match="multiples of 32"):
        generator(torch.rand(1, 1, 48, 64))


def test_chroma_bins_are_the_in_gamut_grid() -> None:
    bins = chroma_bins(0.07)
    assert bins.shape == (185, 2)
    assert np.abs(bins[:, 0]).max() <= U_MAX + 0.035 and np.abs(bins[:, 1]).max() <= V_MAX + 0.035
    assert [0.0, 0.0] in bins.tolist()  # grey is a class of its own
    assert len(chroma_bins(0.05)) > len(bins)


def test_icnr_starts_every_subpixel_with_the_same_kernel() -> None:
    torch.manual_seed(1)
    block = PixelShuffleICNR(8, 4)
    weight = block.conv[0].weight_orig.detach()  # spectral norm scales all sub-kernels alike
    groups = weight.reshape(4, 4, 8)
    assert torch.equal(groups, groups[:, :1].expand_as(groups))


def test_spectral_norm_keys_and_folding_keep_the_output(generator: ColorizeGenerator) -> None:
    keys = generator.state_dict().keys()
    assert "decoder.0.shuf.conv.0.weight_orig" in keys and "decoder.0.shuf.conv.0.weight_u" in keys
    assert "decoder.1.attention.gamma" in keys  # one self-attention layer, in the second block as DeOldify's
    assert not any(k.startswith("decoder.0.attention") for k in keys)
    net = ColorizeGenerator()
    net.load_state_dict(generator.state_dict())
    net.eval()
    y = torch.rand(1, 1, 64, 64)
    with torch.no_grad():
        before = net(y)
        after = remove_spectral_norms(net)(y)
    assert not any(hasattr(m, "weight_orig") for m in net.modules())
    torch.testing.assert_close(after, before, rtol=1e-4, atol=1e-5)


def test_generator_config_is_checked() -> None:
    with pytest.raises(ValueError):
        ColorizeNetConfig(decoder=(64, 32))
    assert ColorizeNetConfig().multiple == 32


@pytest.mark.parametrize("size", [64, 128])
def test_critic_gives_patch_logits(size: int) -> None:
    critic = ColorizeCritic(CriticConfig(ndf=8)).eval()
    with torch.no_grad():
        scores = critic(torch.rand(3, 3, size, size))
    assert scores.ndim == 2 and scores.shape[0] == 3
    assert scores.shape[1] == (size // 16 - 3) ** 2  # four halvings, then a 4×4 valid conv
    assert any(hasattr(m, "weight_orig") for m in critic.modules())
