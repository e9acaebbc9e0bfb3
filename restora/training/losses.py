"""Losses for deblur training: content losses that need no pretrained net, an optional VGG19 perceptual
loss from a local file, and the two WGAN critic objectives (gradient penalty, weight clipping).

All tensors are images in [-1, 1]. Critic conventions follow DeblurGAN (``models/losses.py``):
critic loss = D(fake) − D(real) (+ penalty), generator adversarial loss = −D(fake).
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

CONTENT_LOSSES = ("l1", "l1+grad", "l1+fft", "perceptual")


def image_gradients(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return x[..., :, 1:] - x[..., :, :-1], x[..., 1:, :] - x[..., :-1, :]


def gradient_loss(fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """L1 between horizontal and vertical finite differences: rewards restored edges, which L1 on
    pixels barely sees because edges are a small fraction of the pixels."""
    fx, fy = image_gradients(fake)
    rx, ry = image_gradients(real)
    return F.l1_loss(fx, rx) + F.l1_loss(fy, ry)


def fft_loss(fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """L1 between 2-D spectra (as in MIMO-UNet's frequency loss): blur removes high frequencies, and
    this loss weights every frequency equally instead of letting the low ones dominate."""
    ff = torch.fft.rfft2(fake, norm="ortho")
    rf = torch.fft.rfft2(real, norm="ortho")
    return (torch.view_as_real(ff) - torch.view_as_real(rf)).abs().mean()


class PerceptualLoss(nn.Module):
    """MSE on VGG19 conv3_3 features before its ReLU, as DeblurGAN; weights from a local file only.

    The file is a torchvision-layout VGG19 state dict (``features.N.weight``); we build the first 15
    layers of ``features`` ourselves so torchvision is not needed.
    """

    def __init__(self, weights: Path) -> None:
        super().__init__()
        plan = [64, 64, "M", 128, 128, "M", 256, 256, 256]
        layers: list[nn.Module] = []
        cin = 3
        for item in plan:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, int(item), 3, padding=1), nn.ReLU(inplace=False)]
                cin = int(item)
        self.features = nn.Sequential(*layers[:-1])  # features[0..14]: stop before conv3_3's ReLU
        state = torch.load(weights, map_location="cpu", weights_only=True)
        state = {k: v for k, v in state.items() if k.startswith("features.") and int(k.split(".")[1]) < 15}
        self.load_state_dict(state, strict=True)
        self.requires_grad_(False).eval()

    def forward(self, fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(self.features(fake), self.features(real))


class ContentLoss(nn.Module):
    """The generator's reconstruction loss, chosen by name (see CONTENT_LOSSES)."""

    def __init__(self, kind: str, perceptual_weights: Path | None = None) -> None:
        super().__init__()
        if kind not in CONTENT_LOSSES:
            raise ValueError(f"content loss must be one of {CONTENT_LOSSES}, got {kind!r}")
        if kind == "perceptual" and perceptual_weights is None:
            raise ValueError("the perceptual loss needs --perceptual-weights PATH (a local VGG19 state dict)")
        self.kind = kind
        self.perceptual = PerceptualLoss(perceptual_weights) if kind == "perceptual" else None

    def forward(self, fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        loss = F.l1_loss(fake, real)
        if self.kind == "l1+grad":
            loss = loss + gradient_loss(fake, real)
        elif self.kind == "l1+fft":
            loss = loss + 0.1 * fft_loss(fake, real)  # 0.1: MIMO-UNet's weight for the frequency term
        elif self.kind == "perceptual":
            # DeblurGAN's lambda_A = 100 weights conv3_3 MSE against a unit adversarial term; here the
            # L1 term keeps colours anchored, which VGG features alone do not.
            loss = loss + self.perceptual(fake, real)
        return loss


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """WGAN-GP penalty (Gulrajani et al. 2017): (‖∇D(x̂)‖₂ − 1)² on random interpolates, one α and one
    norm per sample (DeblurGAN draws one α per batch and takes a per-pixel channel norm; the paper's
    per-sample form is the one whose theory holds)."""
    alpha = torch.rand(real.shape[0], 1, 1, 1, dtype=real.dtype, device=real.device)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(mixed)
    (grads,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    norms = grads.flatten(1).norm(2, dim=1)
    return ((norms - 1) ** 2).mean()


def clip_weights(critic: nn.Module, clip_value: float) -> None:
    """Plain WGAN (Arjovsky et al. 2017): keep every critic weight in [-c, c] after each update."""
    with torch.no_grad():
        for p in critic.parameters():
            p.clamp_(-clip_value, clip_value)
