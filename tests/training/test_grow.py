import pytest
import torch

from restora.nets.deblur import DeblurGenerator, GeneratorConfig
from restora.tools.deblur.grow import can_grow, grow_generator


def random_net(config: GeneratorConfig, seed: int = 3) -> DeblurGenerator:
    torch.manual_seed(seed)
    net = DeblurGenerator(config)
    with torch.no_grad():  # larger weights than the default init, so the net's output is far from its input
        for p in net.parameters():
            p.mul_(3.0)
    return net.eval()


@pytest.mark.parametrize("mode", ["zero", "copy"])
@pytest.mark.parametrize("norm", ["none", "instance"])
def test_grown_net_computes_the_same_function(norm, mode):
    old = random_net(GeneratorConfig(ngf=4, n_blocks=2, norm=norm, dropout=0.0))
    grown = grow_generator(old, GeneratorConfig(ngf=7, n_blocks=3, norm=norm, dropout=0.0), mode=mode,
                           noise=0.0).eval()
    x = torch.rand(2, 3, 36, 44) * 2 - 1
    with torch.no_grad():
        before, after = old(x), grown(x)
    assert (before - x).abs().mean() > 0.05  # the old net does something worth preserving
    torch.testing.assert_close(after, before, atol=1e-5, rtol=1e-5)
    assert sum(p.numel() for p in grown.parameters()) > 2 * sum(p.numel() for p in old.parameters())


def test_zero_mode_gives_new_channels_fresh_weights_that_nothing_reads_yet():
    old = random_net(GeneratorConfig(ngf=4, n_blocks=1, norm="none", dropout=0.0))
    grown = grow_generator(old, GeneratorConfig(ngf=8, n_blocks=1, norm="none", dropout=0.0)).eval()
    first, down = grown.model[1].weight, grown.model[4].weight  # 3 -> ngf, ngf -> 2·ngf
    assert torch.equal(first[:4], old.model[1].weight) and first[4:].abs().sum() > 0  # new features
    assert torch.equal(down[:, 4:], torch.zeros_like(down[:, 4:]))  # not read yet
    assert not torch.equal(first[4], first[0])  # nothing to break: they are not copies


def test_noise_breaks_the_symmetry_of_the_copies_but_keeps_the_function_close():
    old = random_net(GeneratorConfig(ngf=4, n_blocks=2, norm="none", dropout=0.0))
    grown = grow_generator(old, GeneratorConfig(ngf=8, n_blocks=2, norm="none", dropout=0.0), mode="copy",
                           noise=1e-2).eval()
    first = grown.model[1].weight
    assert not torch.equal(first[4], first[0])  # channel 4 is channel 0's copy, nudged
    torch.testing.assert_close(first[4], first[0], atol=0.05, rtol=0)
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        assert (grown(x) - old(x)).abs().mean() < 0.02  # on a net with 3× the default weights


def test_only_more_of_the_same_layers_can_grow():
    base = GeneratorConfig(ngf=8, n_blocks=3, norm="none", dropout=0.0)
    assert can_grow(base, GeneratorConfig(ngf=16, n_blocks=3, norm="none", dropout=0.0))
    assert not can_grow(base, base)
    assert not can_grow(base, GeneratorConfig(ngf=4, n_blocks=6, norm="none", dropout=0.0))
    assert not can_grow(base, GeneratorConfig(ngf=16, n_blocks=2, norm="none", dropout=0.0))
    assert not can_grow(base, GeneratorConfig(ngf=16, n_blocks=3, norm="instance", dropout=0.0))
    with pytest.raises(ValueError, match="cannot grow"):
        grow_generator(DeblurGenerator(base), GeneratorConfig(ngf=4, n_blocks=3, norm="none", dropout=0.0))
    with pytest.raises(ValueError, match="mode"):
        grow_generator(DeblurGenerator(base), GeneratorConfig(ngf=16, n_blocks=3, norm="none", dropout=0.0),
                       mode="net2net")
