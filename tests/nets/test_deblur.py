import pytest
import torch

from restora.nets.deblur import CriticConfig, DeblurCritic, DeblurGenerator, GeneratorConfig


def official_generator_keys() -> list[str]:
    """DeblurGAN v1 ResnetGenerator (resnet_9blocks, ngf 64, instance norm), models.md §1.1."""
    keys = ["model.1", "model.4", "model.7"]
    keys += [f"model.{i}.conv_block.{j}" for i in range(10, 19) for j in (1, 6)]
    keys += ["model.19", "model.22", "model.26"]
    return [f"{k}.{p}" for k in keys for p in ("weight", "bias")]


def test_default_generator_has_the_official_deblurgan_layout():
    net = DeblurGenerator(GeneratorConfig())
    state = net.state_dict()
    assert list(state) == official_generator_keys()
    assert len(state) == 48
    assert sum(p.numel() for p in net.parameters()) == 11_378_179
    assert tuple(state["model.1.weight"].shape) == (64, 3, 7, 7)
    assert tuple(state["model.19.weight"].shape) == (256, 128, 3, 3)  # ConvTranspose: in, out
    assert tuple(state["model.26.weight"].shape) == (3, 64, 7, 7)
    assert isinstance(net.model[18].conv_block[4], torch.nn.Dropout)


def test_other_configs_keep_the_indexing_scheme():
    net = DeblurGenerator(GeneratorConfig(ngf=8, n_blocks=3, norm="none", dropout=0.0))
    keys = list(net.state_dict())
    assert keys[:6] == ["model.1.weight", "model.1.bias", "model.4.weight", "model.4.bias", "model.7.weight", "model.7.bias"]
    assert "model.12.conv_block.6.weight" in keys and "model.13.weight" in keys and "model.20.bias" in keys
    assert len(keys) == 6 + 3 * 4 + 6


@pytest.mark.parametrize("config", [GeneratorConfig(ngf=4, n_blocks=1), GeneratorConfig(ngf=8, n_blocks=2, norm="none", dropout=0.0)])
def test_generator_forward_shapes_range_and_residual(config):
    net = DeblurGenerator(config).eval()
    x = torch.rand(2, 3, 20, 28) * 2 - 1
    with torch.no_grad():
        y = net(x)
    assert y.shape == x.shape and y.min() >= -1 and y.max() <= 1
    with torch.no_grad():
        inner = net.model(x)
    torch.testing.assert_close(y, torch.clamp(x + inner, -1, 1))


def test_generator_without_residual_is_plain_tanh_output():
    net = DeblurGenerator(GeneratorConfig(ngf=4, n_blocks=1, learn_residual=False)).eval()
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(net(x), net.model(x))


def test_generator_refuses_sizes_not_multiple_of_four():
    with pytest.raises(ValueError, match="multiples of 4"):
        DeblurGenerator(GeneratorConfig(ngf=4, n_blocks=1))(torch.zeros(1, 3, 18, 16))


def test_dropout_is_on_in_train_and_off_in_eval():
    net = DeblurGenerator(GeneratorConfig(ngf=4, n_blocks=1, dropout=0.5))
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    net.train()
    assert not torch.equal(net(x), net(x))
    net.eval()
    torch.testing.assert_close(net(x), net(x))


def test_invalid_generator_config_is_refused():
    with pytest.raises(ValueError, match="norm"):
        GeneratorConfig(norm="batch")


@pytest.mark.parametrize("size", [(32, 32), (64, 96), (128, 128)])
def test_critic_gives_one_score_per_image_for_any_size(size):
    critic = DeblurCritic(CriticConfig(ndf=8, squeeze=4, pool=4, hidden=16))
    scores = critic(torch.rand(3, 3, *size) * 2 - 1)
    assert scores.shape == (3,)
    convs = [m for m in critic.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c.stride for c in convs] == [(2, 2)] * 4 + [(1, 1)] * 2
    assert [c.kernel_size for c in convs[4:]] == [(1, 1), (1, 1)]
    assert sum(isinstance(m, torch.nn.Linear) for m in critic.modules()) == 2
