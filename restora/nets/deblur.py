"""DeblurGAN generator and a WGAN critic.

Paper: Kupyn et al., "DeblurGAN: Blind Motion Deblurring Using Conditional Adversarial Networks", CVPR 2018.
The generator is the ResNet of Johnson et al. as DeblurGAN v1 builds it (``ResnetGenerator`` at commit
a6f4ad0, ``shared/reference/models.md`` §1.1), with the same ``model.N`` module indices so the official
``latest_net_G.pth`` loads into ``DeblurGenerator(GeneratorConfig())`` once its stray InstanceNorm
running-stat keys are dropped. Options that DeblurGAN lacks (no normalisation, no dropout) put an
``nn.Identity`` in the same slot, so the indexing never changes.

Code ↔ paper: ``DeblurGenerator`` = G_θG, ``DeblurCritic`` = D_θD (a critic: it outputs an unbounded
score, no sigmoid), ``learn_residual`` = the global skip connection I_S = I_B + G(I_B).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

NORMS = ("instance", "none")


@dataclass(frozen=True)
class GeneratorConfig:
    ngf: int = 64  # channels after the first conv; 256 = 4·ngf inside the residual blocks
    n_blocks: int = 9  # DeblurGAN ships 9; fewer is faster on a CPU
    norm: str = "instance"  # "instance" (DeblurGAN, affine=False) or "none"
    dropout: float = 0.5  # inside each residual block, pix2pix style; 0 disables it
    learn_residual: bool = True  # output = clamp(input + net(input), -1, 1)

    def __post_init__(self) -> None:
        if self.norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}, got {self.norm!r}")
        if self.ngf < 1 or self.n_blocks < 0 or not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"invalid generator config {self}")


def _norm(config: GeneratorConfig, channels: int) -> nn.Module:
    if config.norm == "instance":
        return nn.InstanceNorm2d(channels, affine=False)  # DeblurGAN's setting: no learnable scale
    return nn.Identity()


class ResnetBlock(nn.Module):
    """x + [pad, conv, norm, ReLU, dropout, pad, conv, norm](x); keys ``conv_block.{1,6}.*``."""

    def __init__(self, channels: int, config: GeneratorConfig) -> None:
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, kernel_size=3, bias=True),
            _norm(config, channels),
            nn.ReLU(True),
            nn.Dropout(config.dropout) if config.dropout > 0 else nn.Identity(),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, kernel_size=3, bias=True),
            _norm(config, channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv_block(x)


class DeblurGenerator(nn.Module):
    """Blurred image in [-1, 1] (B×3×H×W, H and W multiples of 4) -> restored image in [-1, 1]."""

    def __init__(self, config: GeneratorConfig = GeneratorConfig()) -> None:
        super().__init__()
        self.config = config
        ngf = config.ngf
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(3, ngf, kernel_size=7, bias=True),
            _norm(config, ngf),
            nn.ReLU(True),
        ]
        for mult in (1, 2):  # two stride-2 downsamplers: ngf -> 2ngf -> 4ngf
            layers += [
                nn.Conv2d(ngf * mult, ngf * mult * 2, kernel_size=3, stride=2, padding=1, bias=True),
                _norm(config, ngf * mult * 2),
                nn.ReLU(True),
            ]
        layers += [ResnetBlock(ngf * 4, config) for _ in range(config.n_blocks)]
        for mult in (4, 2):  # two transposed convs back to full resolution
            layers += [
                nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 3, stride=2, padding=1, output_padding=1, bias=True),
                _norm(config, ngf * mult // 2),
                nn.ReLU(True),
            ]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, kernel_size=7, bias=True), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(f"height and width must be multiples of 4, got {tuple(x.shape[-2:])}")
        out = self.model(x)
        if self.config.learn_residual:
            out = torch.clamp(x + out, -1.0, 1.0)
        return out


@dataclass(frozen=True)
class CriticConfig:
    ndf: int = 64  # channels after the first stride-2 conv, doubled by each of the next three
    squeeze: int = 16  # channels left after the two 1×1 convs (8·ndf -> 2·ndf -> squeeze)
    pool: int = 4  # adaptive average pool to pool×pool, so any crop size works
    hidden: int = 128  # width of the first fully connected layer


class DeblurCritic(nn.Module):
    """Image in [-1, 1] -> one unbounded score per image. No normalisation: the gradient penalty is
    defined per sample, and batch statistics would couple the samples (Gulrajani et al. 2017, §4)."""

    def __init__(self, config: CriticConfig = CriticConfig()) -> None:
        super().__init__()
        self.config = config
        ndf = config.ndf
        widths = [3, ndf, ndf * 2, ndf * 4, ndf * 8]
        layers: list[nn.Module] = []
        for cin, cout in zip(widths, widths[1:]):
            layers += [nn.Conv2d(cin, cout, kernel_size=4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
        layers += [
            nn.Conv2d(ndf * 8, ndf * 2, kernel_size=1),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf * 2, config.squeeze, kernel_size=1),
            nn.LeakyReLU(0.2, True),
            nn.AdaptiveAvgPool2d(config.pool),
        ]
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(config.squeeze * config.pool * config.pool, config.hidden),
            nn.LeakyReLU(0.2, True),
            nn.Linear(config.hidden, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x)).squeeze(1)
