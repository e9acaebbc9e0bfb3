"""DeOldify's generator, laid out so its published files load strictly: ``ColorizeArtistic_gen.pth`` and
``ColorizeStable_gen.pth`` (also ``ColorizeVideo_gen.pth``, which has Stable's layout).

DeOldify: Antic (2018-2019), a fastai ``DynamicUnet`` trained by NoGAN, with spectral norm (Miyato et al.
2018), self-attention (Zhang et al., SAGAN 2019) and ICNR pixel shuffle with blur (Aitken et al. 2017).
Code ↔ DeOldify/fastai: ``DeOldifyGenerator`` = ``DynamicUnetDeep``/``DynamicUnetWide``; ``resnet_body`` =
``create_body(resnet34/101)``; ``sn_conv_layer`` = ``custom_conv_layer``; ``custom_pixel_shuffle`` =
``CustomPixelShuffle_ICNR``; ``UnetBlockDeep``/``UnetBlockWide`` keep their names; ``WeightNormConv2d`` in
``PixelShuffleBlur`` = fastai's ``PixelShuffle_ICNR``; ``MergeInput`` = ``MergeLayer(dense=True)``;
``ResBlock`` = ``res_block``; ``SelfAttention`` is ``restora.nets.colorize``'s (same keys and maths).

Facts from ``shared/reference/models.md`` §4 and jantic/DeOldify (``deoldify/unet.py``, ``layers.py``,
``generators.py``, the fastai 1.0.60 it vendors); the code is written here. The generator is fastai's
``SequentialEx``, so every key starts with ``layers.N.``:

- ``layers.0`` the encoder, a torchvision ResNet without its pooling and classifier (fastai
  ``create_body``): 0 conv1, 1 bn1, 2 relu, 3 maxpool, 4-7 layer1-4, with torchvision's own module names
  inside (``layers.0.4.0.conv1.weight``, ``layers.0.5.0.downsample.0.weight``). torchvision is not used:
  it is not installed, and only the names and shapes matter for loading.
- ``layers.1`` BatchNorm, ``layers.2`` ReLU, ``layers.3`` the middle: two spectral-norm 3×3 convs ni→2ni→ni.
- ``layers.4..7`` the decoder blocks, one per encoder output whose size changes (children 6, 5, 4, 2):
  "deep" blocks (Artistic: shuf, bn, conv1, conv2) or "wide" ones (Stable: shuf, bn, conv), with
  self-attention on the second block only.
- ``layers.8`` a weight-norm pixel shuffle back to the input size, ``layers.9`` concatenation of the input
  (no weights), ``layers.10`` a residual block of two spectral-norm convs with bias, ``layers.11`` the 1×1
  spectral-norm conv to 3 channels, ``layers.12`` SigmoidRange(-3, 3) (no weights).

Spectral norm is the legacy ``torch.nn.utils.spectral_norm`` (keys ``weight_orig``/``weight_u``/
``weight_v``), as in the files. Weight norm is written here with the legacy keys ``weight_g``/``weight_v``
(the legacy ``torch.nn.utils.weight_norm`` warns that it is deprecated; its ``parametrizations``
successor names the keys differently).

Input: a grey photo as RGB in [0, 1] normalised with ImageNet's mean and std; output: RGB in the same
normalised space, within (-3, 3). ``grey_to_uv`` wraps both ends for Restora, which keeps only chroma.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm

from restora.imaging.colour import RGB_TO_YUV
from restora.nets.colorize import SelfAttention, icnr_

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
Y_RANGE = (-3.0, 3.0)
RENDER_BASE = 16  # DeOldify renders a square of side render_factor × 16
DEOLDIFY_RENDER_SIZE = 35 * RENDER_BASE  # its default render_factor for still images (visualize.py): 560 px
SKIP_CHILDREN = (6, 5, 4, 2)  # encoder children whose outputs feed decoder blocks 4..7 (deepest first)

# torchvision's ResNets: (block, blocks per stage). DeOldify published these two.
ENCODERS = {"resnet34": ("basic", (3, 4, 6, 3)), "resnet101": ("bottleneck", (3, 4, 23, 3))}
DECODERS = ("deep", "wide")


@dataclass(frozen=True)
class DeOldifyConfig:
    decoder: str  # "deep" (DynamicUnetDeep, Artistic) or "wide" (DynamicUnetWide, Stable and Video)
    encoder: str  # a key of ENCODERS
    nf_factor: float  # decoder width factor: 1.5 Artistic, 2 Stable

    def __post_init__(self) -> None:
        if self.decoder not in DECODERS:
            raise ValueError(f"decoder must be one of {DECODERS}, got {self.decoder!r}")
        if self.encoder not in ENCODERS:
            raise ValueError(f"encoder must be one of {tuple(ENCODERS)}, got {self.encoder!r}")

    def architecture(self) -> dict[str, Any]:
        """The weights registry's description of this configuration (``net`` tells the tool which net)."""
        return {"net": "deoldify", **asdict(self)}


# deoldify/generators.py: gen_inference_deep(resnet34, nf_factor=1.5) for Artistic,
# gen_inference_wide(resnet101, nf_factor=2) for Stable (and Video).
PRESETS = {
    "artistic": DeOldifyConfig("deep", "resnet34", 1.5),
    "stable": DeOldifyConfig("wide", "resnet101", 2),
}


# --- the encoder: torchvision's ResNet, names kept -----------------------------------------------


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int, downsample: nn.Module | None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    """torchvision's bottleneck: the stride sits on the 3×3 conv (the layout its weights were trained with)."""

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int, downsample: nn.Module | None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


def resnet_body(name: str) -> nn.Sequential:
    """ResNet ``name`` cut before its pooling and classifier: conv1, bn1, relu, maxpool, layer1..layer4."""
    kind, counts = ENCODERS[name]
    block = BasicBlock if kind == "basic" else Bottleneck
    children: list[nn.Module] = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
                                 nn.MaxPool2d(3, 2, 1)]
    inplanes = 64
    for stage, count in enumerate(counts):
        planes, stride = 64 * 2**stage, 1 if stage == 0 else 2
        downsample = None
        if stride != 1 or inplanes != planes * block.expansion:
            downsample = nn.Sequential(nn.Conv2d(inplanes, planes * block.expansion, 1, stride, bias=False),
                                       nn.BatchNorm2d(planes * block.expansion))
        blocks = [block(inplanes, planes, stride, downsample)]
        inplanes = planes * block.expansion
        blocks += [block(inplanes, planes, 1, None) for _ in range(count - 1)]
        children.append(nn.Sequential(*blocks))
    return nn.Sequential(*children)


def skip_channels(encoder: str) -> tuple[int, ...]:
    """Channels of the encoder outputs at SKIP_CHILDREN (layer3, layer2, layer1, the stem's ReLU)."""
    expansion = 1 if ENCODERS[encoder][0] == "basic" else 4
    return 256 * expansion, 128 * expansion, 64 * expansion, 64


# --- fastai / DeOldify layers ------------------------------------------------------------------


def sn_conv_layer(ni: int, nf: int, ks: int = 3, *, activation: bool = True, batchnorm: bool = True,
                  attention: bool = False) -> nn.Sequential:
    """DeOldify's ``custom_conv_layer`` with spectral norm: [SN-conv, ReLU?, BN?, SelfAttention?]; the conv
    has a bias only where no BatchNorm follows (fastai's rule)."""
    conv = nn.Conv2d(ni, nf, ks, padding=(ks - 1) // 2, bias=not batchnorm)
    nn.init.kaiming_normal_(conv.weight)
    if conv.bias is not None:
        nn.init.zeros_(conv.bias)
    layers: list[nn.Module] = [spectral_norm(conv)]
    if activation:
        layers.append(nn.ReLU(inplace=True))
    if batchnorm:
        layers.append(nn.BatchNorm2d(nf))
    if attention:
        layers.append(SelfAttention(nf))
    return nn.Sequential(*layers)


class WeightNormConv2d(nn.Module):
    """Conv2d under weight norm (Salimans & Kingma 2016), w = g·v/‖v‖ per output channel; the legacy keys."""

    def __init__(self, ni: int, nf: int, ks: int = 1) -> None:
        super().__init__()
        v = torch.empty(nf, ni, ks, ks)
        nn.init.kaiming_normal_(v)
        self.weight_g = nn.Parameter(v.flatten(1).norm(dim=1).reshape(nf, 1, 1, 1))
        self.weight_v = nn.Parameter(v)
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        norm = self.weight_v.flatten(1).norm(dim=1).reshape(-1, 1, 1, 1)
        return F.conv2d(x, self.weight_v * (self.weight_g / norm), self.bias, padding=self.weight_v.shape[-1] // 2)


class PixelShuffleBlur(nn.Module):
    """fastai's ``PixelShuffle_ICNR`` / DeOldify's ``CustomPixelShuffle_ICNR``: ``conv`` to 4× the
    channels, ReLU, PixelShuffle(2), then the blur (replicate-pad (1,0,1,0), 2×2 mean, stride 1), which
    both always apply (their ``if self.blur`` tests a module, which is always true)."""

    def __init__(self, conv: nn.Module) -> None:
        super().__init__()
        self.conv = conv
        self.shuf = nn.PixelShuffle(2)
        self.pad = nn.ReplicationPad2d((1, 0, 1, 0))
        self.blur = nn.AvgPool2d(2, stride=1)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.blur(self.pad(self.shuf(self.relu(self.conv(x)))))


def custom_pixel_shuffle(ni: int, nf: int) -> PixelShuffleBlur:
    """``CustomPixelShuffle_ICNR(ni, nf)`` with spectral norm: conv = [SN-conv 1×1 no bias, BN], ICNR init."""
    conv = sn_conv_layer(ni, nf * 4, 1, activation=False)
    icnr_(conv[0].weight_orig)
    return PixelShuffleBlur(conv)


class _UnetBlock(nn.Module):
    """What both of DeOldify's blocks share: upsample, resize to the skip if needed, cat with BN(skip), ReLU."""

    shuf: PixelShuffleBlur
    bn: nn.BatchNorm2d

    def merged(self, up_in: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        up = self.shuf(up_in)
        if up.shape[-2:] != skip.shape[-2:]:  # odd sizes upstream (e.g. 560 px → 35 → 18 → 36 ≠ 35)
            up = F.interpolate(up, skip.shape[-2:], mode="nearest")
        return F.relu(torch.cat([up, self.bn(skip)], dim=1))


class UnetBlockDeep(_UnetBlock):
    """``UnetBlockDeep``: shuf (up_in → up_in/2), bn on the skip, conv1, conv2 (+ self-attention)."""

    def __init__(self, up_in: int, x_in: int, nf_factor: float, final_div: bool, attention: bool) -> None:
        super().__init__()
        self.shuf = custom_pixel_shuffle(up_in, up_in // 2)
        self.bn = nn.BatchNorm2d(x_in)
        ni = up_in // 2 + x_in
        nf = int((ni if final_div else ni // 2) * nf_factor)
        self.conv1 = sn_conv_layer(ni, nf)
        self.conv2 = sn_conv_layer(nf, nf, attention=attention)
        self.out_channels = nf

    def forward(self, up_in: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return self.conv2(self.conv1(self.merged(up_in, skip)))


class UnetBlockWide(_UnetBlock):
    """``UnetBlockWide``: shuf (up_in → n_out/2), bn on the skip, one conv to n_out/2 (+ self-attention)."""

    def __init__(self, up_in: int, x_in: int, n_out: int, attention: bool) -> None:
        super().__init__()
        half = n_out // 2
        self.shuf = custom_pixel_shuffle(up_in, half)
        self.bn = nn.BatchNorm2d(x_in)
        self.conv = sn_conv_layer(half + x_in, half, attention=attention)
        self.out_channels = half

    def forward(self, up_in: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return self.conv(self.merged(up_in, skip))


class MergeInput(nn.Module):
    """fastai ``MergeLayer(dense=True)``: concatenates the net's input; no weights (``layers.9``)."""

    def forward(self, x: torch.Tensor, first: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, first], dim=1)


class ResBlock(nn.Module):
    """fastai ``res_block(ni, norm_type=Spectral)``: x + [SN-conv 3×3 with bias, ReLU]×2 (keys ``layers.{0,1}``)."""

    def __init__(self, ni: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList([sn_conv_layer(ni, ni, batchnorm=False), sn_conv_layer(ni, ni, batchnorm=False)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.layers[1](self.layers[0](x))


class SigmoidRange(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        low, high = Y_RANGE
        return torch.sigmoid(x) * (high - low) + low


# --- the generator -----------------------------------------------------------------------------


class DeOldifyGenerator(nn.Module):
    """Normalised grey RGB (N×3×H×W) -> normalised RGB in (-3, 3); ``grey_to_uv`` for Restora's Y -> U,V."""

    def __init__(self, config: DeOldifyConfig) -> None:
        super().__init__()
        self.config = config
        kind, _ = ENCODERS[config.encoder]
        ni = 512 * (1 if kind == "basic" else 4)
        middle = nn.Sequential(sn_conv_layer(ni, ni * 2), sn_conv_layer(ni * 2, ni))
        layers: list[nn.Module] = [resnet_body(config.encoder), nn.BatchNorm2d(ni), nn.ReLU(), middle]
        up_in, skips = ni, skip_channels(config.encoder)
        for i, x_in in enumerate(skips):
            final = i == len(skips) - 1
            attention = i == len(skips) - 3  # the second block (DeOldify: i == len(sfs_idxs) - 3)
            if config.decoder == "deep":
                block: _UnetBlock = UnetBlockDeep(up_in, x_in, config.nf_factor, not final, attention)
            else:
                nf = int(512 * config.nf_factor)
                block = UnetBlockWide(up_in, x_in, nf // 2 if final else nf, attention)
            layers.append(block)
            up_in = block.out_channels
        conv = WeightNormConv2d(up_in, up_in * 4)
        icnr_(conv.weight_v)
        with torch.no_grad():  # g = ‖v‖ again after ICNR, as weight norm starts with w = v
            conv.weight_g.copy_(conv.weight_v.flatten(1).norm(dim=1).reshape(-1, 1, 1, 1))
        layers += [PixelShuffleBlur(nn.Sequential(conv)), MergeInput(), ResBlock(up_in + 3),
                   sn_conv_layer(up_in + 3, 3, 1, activation=False, batchnorm=False), SigmoidRange()]
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        body = self.layers[0]
        skips: dict[int, torch.Tensor] = {}
        h = x
        for index, child in enumerate(body):
            h = child(h)
            if index in SKIP_CHILDREN:
                # the stem's ReLU output is kept before maxpool, which makes a new tensor (no in-place reuse)
                skips[index] = h
        h = self.layers[3](self.layers[2](self.layers[1](h)))
        for block, index in zip(self.layers[4:8], SKIP_CHILDREN):
            h = block(h, skips[index])
        h = self.layers[9](self.layers[8](h), x)
        return self.layers[12](self.layers[11](self.layers[10](h)))

    def grey_to_uv(self, y: torch.Tensor) -> torch.Tensor:
        """Y (N×1×H×W in [0, 1]) -> U,V (N×2×H×W) of ``restora.imaging.colour``, DeOldify's way: the grey as
        RGB with ImageNet statistics in, the output denormalised to RGB, clipped to [0, 1], its chroma out."""
        mean = torch.tensor(IMAGENET_MEAN, dtype=y.dtype, device=y.device).view(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD, dtype=y.dtype, device=y.device).view(1, 3, 1, 1)
        rgb = self((y.expand(-1, 3, -1, -1) - mean) / std) * std + mean
        # DeOldify casts to uint8 without a clip; clipping keeps out-of-range values from wrapping around.
        rgb = rgb.clamp(0.0, 1.0)
        to_uv = torch.tensor(RGB_TO_YUV[1:], dtype=y.dtype, device=y.device)
        return torch.einsum("ck,nkhw->nchw", to_uv, rgb)


# --- telling the published files apart -------------------------------------------------------------


def unwrap_state_dict(raw: Any) -> dict[str, Any]:
    """fastai's ``Learner.save`` writes ``{'model': state_dict, 'opt': ...}`` (or the bare state dict when
    saved without the optimiser): the state dict, with a DataParallel ``module.`` prefix removed.

    :raises ValueError: when ``raw`` holds no state dict.
    """
    if isinstance(raw, Mapping) and isinstance(raw.get("model"), Mapping):
        raw = raw["model"]
    if not isinstance(raw, Mapping) or not raw or not all(isinstance(key, str) for key in raw):
        raise ValueError("it does not hold a state dict")
    if all(key.startswith("module.") for key in raw):
        return {key.removeprefix("module."): value for key, value in raw.items()}
    return dict(raw)


def detect_config(state: Mapping[str, Any]) -> DeOldifyConfig:
    """The configuration of a DeOldify generator's state dict, from its keys and shapes.

    Decoder: deep blocks have ``layers.4.conv1``, wide ones ``layers.4.conv``. Encoder: bottleneck ResNets
    have ``conv3`` in their blocks; the number of blocks in ``layer3`` tells the depth. Width: the first
    decoder conv's output channels (deep: int(ni·nf_factor); wide: 512·nf_factor/2).

    :raises ValueError: for a file that is not a DeOldify generator, naming what is missing.
    """
    if "layers.0.0.weight" not in state:
        raise ValueError("it is not a DeOldify generator (no layers.0.0.weight, the encoder's first conv)")
    kind = "bottleneck" if "layers.0.4.0.conv3.weight" in state else "basic"
    layer3 = 1 + max((int(key.split(".")[3]) for key in state if key.startswith("layers.0.6.")), default=-1)
    counts = {name: spec for name, spec in ENCODERS.items() if spec[0] == kind and spec[1][2] == layer3}
    if not counts:
        raise ValueError(f"its encoder is a {kind}-block ResNet with {layer3} blocks in layer3, which is "
                         f"none of DeOldify's ({', '.join(ENCODERS)})")
    encoder = next(iter(counts))
    up_in = 512 * (1 if kind == "basic" else 4)
    x_in = skip_channels(encoder)[0]
    if "layers.4.conv1.0.weight_orig" in state:
        nf = int(state["layers.4.conv1.0.weight_orig"].shape[0])
        return DeOldifyConfig("deep", encoder, nf / (up_in // 2 + x_in))
    if "layers.4.conv.0.weight_orig" in state:
        nf = 2 * int(state["layers.4.conv.0.weight_orig"].shape[0])
        factor = nf / 512
        return DeOldifyConfig("wide", encoder, int(factor) if factor.is_integer() else factor)
    raise ValueError("it is not a DeOldify generator (no decoder block: neither layers.4.conv1.0.weight_orig "
                     "nor layers.4.conv.0.weight_orig)")


def preset_name(config: DeOldifyConfig) -> str | None:
    """"artistic", "stable" or None."""
    return next((name for name, preset in PRESETS.items() if preset == config), None)


def load_deoldify(state: Mapping[str, Any], config: DeOldifyConfig) -> DeOldifyGenerator:
    """A generator of ``config`` holding ``state`` (strict: every key, every shape), in eval mode.

    Built on the meta device and filled by assignment, so a 0.8 GB Stable file is not held twice and its
    random initialisation is never computed.

    :raises ValueError: naming the first missing, unexpected or misshapen keys.
    """
    with torch.device("meta"):
        net = DeOldifyGenerator(config)
    expected = net.state_dict()
    wrong = [f"{key} {tuple(state[key].shape)} (expected {tuple(value.shape)})" for key, value in expected.items()
             if key in state and hasattr(state[key], "shape") and tuple(state[key].shape) != tuple(value.shape)]
    if wrong:
        raise ValueError(f"{len(wrong)} tensors have the wrong shape for DeOldify {config}: {', '.join(wrong[:3])}")
    # load_state_dict's pre-hooks also accept files of older PyTorch (spectral norm without weight_v,
    # BatchNorm without num_batches_tracked); what they cannot mend is reported below.
    # float32 throughout (a file saved in half precision would otherwise make a half-precision net)
    tensors = {k: v.float() if torch.is_tensor(v) and v.is_floating_point() else v for k, v in state.items()}
    result = net.load_state_dict(tensors, strict=False, assign=True)
    problems = []
    if result.missing_keys:
        problems.append(f"{len(result.missing_keys)} missing ({', '.join(result.missing_keys[:3])})")
    if result.unexpected_keys:
        problems.append(f"{len(result.unexpected_keys)} unexpected ({', '.join(result.unexpected_keys[:3])})")
    if problems:
        raise ValueError(f"it does not fit DeOldify {config}: keys " + "; ".join(problems))
    return net.eval()
