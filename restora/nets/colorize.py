"""A small DeOldify-family colorizer (U-Net on a ResNet encoder) and its patch critic.

Papers: Antic, DeOldify (2018-2019; ``shared/reference/models.md`` §4): a fastai ``DynamicUnet`` on a
ResNet, pixel-shuffle upsampling initialised with ICNR (Aitken et al. 2017) followed by a blur, spectral
norm (Miyato et al. 2018) and one self-attention layer (Zhang et al., SAGAN 2019). Zhang, Isola and Efros,
"Colorful Image Colorization" (ECCV 2016): chroma predicted as a distribution over quantised bins, read
out with the "annealed mean" so colours stay vivid.

Code ↔ paper: ``ColorizeGenerator`` = DeOldify's generator (but sized for a 2-core CPU, see below);
``ResidualBlock`` = ResNet's BasicBlock; ``UpBlock`` = DeOldify's ``UnetBlockDeep`` (shuf, bn on the skip,
conv1, conv2); ``PixelShuffleICNR`` = ``CustomPixelShuffle_ICNR`` with ``blur=True``; ``SelfAttention`` =
SAGAN's layer (o = γ·h·β + x); ``chroma_bins`` = Zhang's Q in-gamut ab bins, here over BT.601 U,V;
``ColorizeCritic`` = DeOldify's ``custom_gan_critic`` (patch logits, no sigmoid).

Where the layout differs from DeOldify's published weights (loading those is a separate module):
the input is the luminance Y alone (one channel, not a grey RGB with ImageNet statistics); the output is
U,V chroma of ``restora.imaging.colour`` (not RGB through SigmoidRange(-3, 3)); the encoder is written
here with far fewer channels (no ImageNet weights exist offline); the last decoder level works at half
the input resolution and the head predicts bin logits, upsampled bilinearly (chroma is smooth); module
names are descriptive, not ``layers.N``. Spectral norm is the legacy ``torch.nn.utils.spectral_norm``
(keys ``weight_orig``/``weight_u``/``weight_v``), as DeOldify's files use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm

from restora.imaging.colour import RGB_TO_YUV

Y_MEAN, Y_STD = 0.45, 0.25  # rough statistics of photo luminance, so the stem sees values near ±1


@dataclass(frozen=True)
class ColorizeNetConfig:
    # encoder widths per level: stem at 1/2, then one ResNet stage per further halving (to 1/32)
    widths: tuple[int, ...] = (16, 32, 64, 128, 192)
    blocks: tuple[int, ...] = (1, 1, 2, 2, 1)  # BasicBlocks per stage (the stem's entry is its count too)
    # decoder widths, from the 1/16 level up to the 1/2 level
    decoder: tuple[int, ...] = (128, 96, 64, 32)
    attention_level: int = 1  # index into ``decoder``: SA at 1/8, as DeOldify puts it in its second block
    bin_step: float = 0.07  # U,V bin size: 185 bins (0.05 gave 341 and a 1.2x slower training step)
    temperature: float = 0.38  # annealed mean (Zhang et al. 2016)

    def __post_init__(self) -> None:
        if len(self.widths) != len(self.blocks) or len(self.decoder) != len(self.widths) - 1:
            raise ValueError(f"decoder needs one width per encoder level but the last: {self}")
        if not 0 <= self.attention_level < len(self.decoder):
            raise ValueError("attention_level must index a decoder block")

    @property
    def multiple(self) -> int:
        """Input sides must be multiples of this (one halving per encoder level)."""
        return 2 ** len(self.widths)


@dataclass(frozen=True)
class CriticConfig:
    ndf: int = 32  # DeOldify uses 256 on a GPU
    n_blocks: int = 3
    dropout: float = 0.15


def chroma_bins(step: float) -> np.ndarray:
    """K×2 float32 U,V centres of the ``step``-sized bins that some RGB colour falls in (Zhang's Q)."""
    levels = np.linspace(0.0, 1.0, 33, dtype=np.float64)
    rgb = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    uv = rgb @ RGB_TO_YUV[1:].T
    cells = np.unique(np.round(uv / step).astype(np.int64), axis=0)
    return (cells * step).astype(np.float32)


def _sn_conv(cin: int, cout: int, kernel: int, stride: int = 1, bias: bool = False) -> nn.Conv2d:
    return spectral_norm(nn.Conv2d(cin, cout, kernel, stride, padding=(kernel - 1) // 2, bias=bias))  # 4×4/2 halves


def _conv_relu_bn(cin: int, cout: int) -> nn.Sequential:
    """DeOldify's ``custom_conv_layer`` with spectral norm: SN-conv (no bias), ReLU, BatchNorm."""
    return nn.Sequential(_sn_conv(cin, cout, 3), nn.ReLU(inplace=True), nn.BatchNorm2d(cout))


class ResidualBlock(nn.Module):
    """ResNet BasicBlock: relu(x' + bn(conv(relu(bn(conv(x)))))), x' projected when the shape changes."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)), inplace=True)
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x), inplace=True)


def icnr_(weight: torch.Tensor, scale: int = 2) -> None:
    """ICNR: every sub-pixel of the shuffle starts with the same kernel, so the upsampled map starts as a
    nearest-neighbour copy (no checkerboard) (Aitken et al. 2017)."""
    out_channels = weight.shape[0] // scale**2
    base = torch.empty(out_channels, *weight.shape[1:])
    nn.init.kaiming_normal_(base)
    with torch.no_grad():
        weight.copy_(base.repeat_interleave(scale**2, dim=0))


class PixelShuffleICNR(nn.Module):
    """SN-conv 1×1 (ICNR) + BN + ReLU, PixelShuffle(2), then the blur: replicate-pad (1,0,1,0), 2×2 mean."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        conv = nn.Conv2d(cin, cout * 4, 1, bias=False)
        icnr_(conv.weight)
        self.conv = nn.Sequential(spectral_norm(conv), nn.BatchNorm2d(cout * 4), nn.ReLU(inplace=True))
        self.shuffle = nn.PixelShuffle(2)
        self.blur = nn.Sequential(nn.ReplicationPad2d((1, 0, 1, 0)), nn.AvgPool2d(2, stride=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.blur(self.shuffle(self.conv(x)))


class SelfAttention(nn.Module):
    """SAGAN self-attention: β = softmax(fᵀg), o = γ·h·β + x, with γ starting at 0 (the layer starts off)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.query = spectral_norm(nn.Conv1d(channels, channels // 8, 1, bias=False))
        self.key = spectral_norm(nn.Conv1d(channels, channels // 8, 1, bias=False))
        self.value = spectral_norm(nn.Conv1d(channels, channels, 1, bias=False))
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        flat = x.reshape(n, c, h * w)
        f, g, v = self.query(flat), self.key(flat), self.value(flat)
        beta = torch.softmax(torch.bmm(f.transpose(1, 2), g), dim=1)  # (hw, hw): how much i feeds j
        return (self.gamma * torch.bmm(v, beta) + flat).reshape(n, c, h, w)


class UpBlock(nn.Module):
    """Upsample by 2, concatenate the batch-normalised encoder skip, two SN conv layers (+ SA)."""

    def __init__(self, cin: int, skip: int, cout: int, attention: bool) -> None:
        super().__init__()
        self.shuf = PixelShuffleICNR(cin, cin // 2)
        self.bn = nn.BatchNorm2d(skip)
        self.conv1 = _conv_relu_bn(cin // 2 + skip, cout)
        self.conv2 = _conv_relu_bn(cout, cout)
        self.attention = SelfAttention(cout) if attention else nn.Identity()

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        up = self.shuf(x)
        return self.attention(self.conv2(self.conv1(torch.cat([up, self.bn(skip)], dim=1))))


class ColorizeGenerator(nn.Module):
    """Y (N×1×H×W in [0, 1], sides multiples of ``config.multiple``) -> U,V (N×2×H×W)."""

    def __init__(self, config: ColorizeNetConfig = ColorizeNetConfig()) -> None:
        super().__init__()
        self.config = config
        w, b = config.widths, config.blocks
        stem = [nn.Conv2d(1, w[0], 3, 2, 1, bias=False), nn.BatchNorm2d(w[0]), nn.ReLU(inplace=True)]
        stem += [ResidualBlock(w[0], w[0], 1) for _ in range(b[0])]
        stages = [nn.Sequential(*stem)]
        for level in range(1, len(w)):
            blocks = [ResidualBlock(w[level - 1], w[level], 2)]
            blocks += [ResidualBlock(w[level], w[level], 1) for _ in range(b[level] - 1)]
            stages.append(nn.Sequential(*blocks))
        self.encoder = nn.ModuleList(stages)
        deepest = w[-1]
        self.middle = nn.Sequential(_conv_relu_bn(deepest, deepest * 2), _conv_relu_bn(deepest * 2, deepest))
        ups, cin = [], deepest
        for i, cout in enumerate(config.decoder):
            ups.append(UpBlock(cin, w[-2 - i], cout, attention=i == config.attention_level))
            cin = cout
        self.decoder = nn.ModuleList(ups)
        bins = torch.from_numpy(chroma_bins(config.bin_step))
        self.register_buffer("bins", bins, persistent=False)  # derived from bin_step, not stored
        # the head sees the decoder's features and the (downsampled) input itself, as DeOldify's MergeLayer
        self.head = nn.Sequential(_sn_conv(cin + 1, cin, 3, bias=True), nn.ReLU(inplace=True),
                                  nn.Conv2d(cin, len(bins), 1))

    def logits(self, y: torch.Tensor) -> torch.Tensor:
        """Bin logits (N×K×H/2×W/2)."""
        m = self.config.multiple
        if y.shape[-1] % m or y.shape[-2] % m:
            raise ValueError(f"input sides must be multiples of {m}, got {tuple(y.shape[-2:])}")
        x = (y - Y_MEAN) / Y_STD
        skips = []
        for stage in self.encoder:
            x = stage(x)
            skips.append(x)
        x = self.middle(skips.pop())
        for block in self.decoder:
            x = block(x, skips.pop())
        small = F.avg_pool2d(y, 2)
        return self.head(torch.cat([x, (small - Y_MEAN) / Y_STD], dim=1))

    def decode(self, logits: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        """Annealed mean of the bins, upsampled bilinearly to ``size``: U,V (N×2×H×W)."""
        weights = torch.softmax(logits / self.config.temperature, dim=1)
        uv = torch.einsum("nkhw,kc->nchw", weights, self.bins)
        return F.interpolate(uv, size=size, mode="bilinear", align_corners=False)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return self.decode(self.logits(y), tuple(y.shape[-2:]))


class ColorizeCritic(nn.Module):
    """DeOldify's patch critic on Y,U,V (N×3×H×W): SN convs, LeakyReLU 0.2, Dropout2d, SA in block 1,
    a final 4×4 conv to one logit per patch (N×P, no sigmoid: trained with BCE-with-logits)."""

    def __init__(self, config: CriticConfig = CriticConfig()) -> None:
        super().__init__()
        nf = config.ndf
        layers: list[nn.Module] = [_sn_conv(3, nf, 4, 2, bias=True), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Dropout2d(config.dropout / 2)]
        for i in range(config.n_blocks):
            layers += [_sn_conv(nf, nf, 3, bias=True), nn.LeakyReLU(0.2, inplace=True), nn.Dropout2d(config.dropout)]
            layers += [_sn_conv(nf, nf * 2, 4, 2, bias=True), nn.LeakyReLU(0.2, inplace=True)]
            if i == 0:
                layers.append(SelfAttention(nf * 2))
            nf *= 2
        layers += [_sn_conv(nf, nf, 3, bias=True), nn.LeakyReLU(0.2, inplace=True),
                   spectral_norm(nn.Conv2d(nf, 1, 4, bias=False))]
        self.layers = nn.Sequential(*layers)

    def forward(self, yuv: torch.Tensor) -> torch.Tensor:
        return self.layers(yuv).flatten(1)


def remove_spectral_norms(net: nn.Module) -> nn.Module:
    """Fold every spectral norm into a plain weight (for inference: no σ recomputed per forward)."""
    from torch.nn.utils import remove_spectral_norm

    for module in net.modules():
        if hasattr(module, "weight_orig"):
            remove_spectral_norm(module)
    return net
