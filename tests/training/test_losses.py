import pytest
import torch
from torch import nn

from restora.training.losses import ContentLoss, clip_weights, fft_loss, gradient_loss, gradient_penalty


class LinearCritic(nn.Module):
    """score = <w, x>: its input gradient is w everywhere, so the penalty is known exactly."""

    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        self.weight = nn.Parameter(weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x * self.weight).flatten(1).sum(1)


def test_gradient_penalty_matches_the_closed_form():
    weight = torch.full((3, 4, 4), 0.5)  # norm = 0.5 * sqrt(48)
    critic = LinearCritic(weight)
    real, fake = torch.rand(5, 3, 4, 4), torch.rand(5, 3, 4, 4)
    expected = (0.5 * 48**0.5 - 1) ** 2
    assert gradient_penalty(critic, real, fake).item() == pytest.approx(expected, rel=1e-5)
    unit = LinearCritic(torch.ones(3, 4, 4) / 48**0.5)
    assert gradient_penalty(unit, real, fake).item() == pytest.approx(0.0, abs=1e-10)


def test_gradient_penalty_is_differentiable_in_the_critic_weights():
    critic = LinearCritic(torch.full((3, 4, 4), 0.5))
    gradient_penalty(critic, torch.rand(2, 3, 4, 4), torch.rand(2, 3, 4, 4)).backward()
    assert critic.weight.grad is not None and critic.weight.grad.abs().sum() > 0


def test_clip_weights_bounds_every_parameter():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Linear(4, 2))
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(100)
    clip_weights(net, 0.01)
    assert all(p.abs().max() <= 0.01 for p in net.parameters())


@pytest.mark.parametrize("loss", [gradient_loss, fft_loss])
def test_edge_losses_are_zero_on_equal_images_and_see_blur(loss):
    sharp = torch.zeros(1, 3, 16, 16)
    sharp[..., :, 8:] = 1.0
    blurred = torch.nn.functional.avg_pool2d(sharp, 5, stride=1, padding=2, count_include_pad=False)
    assert loss(sharp, sharp).item() == pytest.approx(0.0, abs=1e-7)
    assert loss(blurred, sharp).item() > 0.01


@pytest.mark.parametrize("kind", ["l1", "l1+grad", "l1+fft"])
def test_content_losses_need_no_pretrained_net(kind):
    loss = ContentLoss(kind)
    fake = torch.rand(2, 3, 8, 8, requires_grad=True)
    value = loss(fake, torch.rand(2, 3, 8, 8))
    value.backward()
    assert value.item() > 0 and fake.grad is not None


def test_perceptual_loss_loads_a_local_vgg19_file_and_refuses_without_one(tmp_path):
    with pytest.raises(ValueError, match="perceptual-weights"):
        ContentLoss("perceptual")
    # a VGG19 `features` state dict in torchvision's layout (random values; the layout is what matters)
    torch.manual_seed(0)
    widths = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256), (256, 256)]
    indices = [0, 2, 5, 7, 10, 12, 14, 16]
    state = {}
    for index, (cin, cout) in zip(indices, widths):
        state[f"features.{index}.weight"] = torch.randn(cout, cin, 3, 3) * 0.05
        state[f"features.{index}.bias"] = torch.zeros(cout)
    state["classifier.0.weight"] = torch.zeros(2, 2)
    torch.save(state, tmp_path / "vgg19.pth")
    loss = ContentLoss("perceptual", tmp_path / "vgg19.pth")
    assert [n for n, _ in loss.perceptual.named_parameters()][-1] == "features.14.bias"  # conv3_3, no later layer
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    assert loss(x, x).item() == pytest.approx(0.0, abs=1e-8)
    assert loss(x, torch.flip(x, dims=[3])).item() > 0
    assert not any(p.requires_grad for p in loss.perceptual.parameters())
