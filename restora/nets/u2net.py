"""U²-Net and U²-Netp, salient-object segmentation nets.

Paper: Qin et al., "U²-Net: Going Deeper with Nested U-Structure for Salient Object Detection",
Pattern Recognition 106, 2020. Module names follow the reference implementation (xuebinqin/U-2-Net,
``model/u2net.py``; ``shared/reference/models.md`` §5.1), so the published ``u2net.pth``, ``u2netp.pth``
and ``u2net_human_seg.pth`` load with ``strict=True``; :func:`state_dict_from_onnx` fills the same net
from an ONNX export (rembg's ``u2netp.onnx``), whose batch norms were folded into the convolutions.

Code ↔ paper: ``REBNCONV`` = a conv-BN-ReLU layer; ``RSU7``..``RSU4`` = RSU-L blocks (residual U-blocks of
height L); ``RSU4F`` = RSU-4F (dilations instead of pooling); ``stage1..6`` = En_1..En_6; ``stage5d..1d`` =
De_5..De_1; ``side1..6`` = the side-output convs giving S_side^(1..6); ``outconv`` = the 1×1 fusion giving
S_fuse. ``forward`` returns (S_fuse, S_side^(1), ..., S_side^(6)) as probabilities, like the reference;
``logits=True`` gives them before the sigmoid, for training with ``BCEWithLogits``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

VARIANTS = ("u2net", "u2netp")


@dataclass(frozen=True)
class U2NetConfig:
    variant: str = "u2netp"  # "u2net" (44 M parameters, 176 MB) or "u2netp" (1.1 M, 4.7 MB)

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {self.variant!r}")


def _upsample_like(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    # Bilinear to the skip connection's size, half-pixel centres: the reference's F.upsample default,
    # and what the ONNX export's Resize nodes do.
    return F.interpolate(x, size=like.shape[2:], mode="bilinear", align_corners=False)


class REBNCONV(nn.Module):
    """3×3 conv (dilated by ``dilation``) → BatchNorm → ReLU; keys ``conv_s1.*``, ``bn_s1.*``."""

    def __init__(self, in_ch: int, out_ch: int, dilation: int = 1) -> None:
        super().__init__()
        self.conv_s1 = nn.Conv2d(in_ch, out_ch, 3, padding=dilation, dilation=dilation)
        self.bn_s1 = nn.BatchNorm2d(out_ch)
        self.relu_s1 = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu_s1(self.bn_s1(self.conv_s1(x)))


class _RSU(nn.Module):
    """RSU-L: an input conv, then a small U-Net of height L whose output is added to the input conv's.

    Encoder ``rebnconv1..rebnconv{L-1}`` with 2× max-pooling after each but the last, a dilated
    ``rebnconv{L}`` at the bottom, decoder ``rebnconv{L-1}d..rebnconv1d`` on (upsampled, skip) pairs.
    """

    height = 0

    def __init__(self, in_ch: int, mid_ch: int, out_ch: int) -> None:
        super().__init__()
        levels = self.height
        self.rebnconvin = REBNCONV(in_ch, out_ch)
        # The reference's attribute names are the state-dict keys, so the layers are added by name.
        self.add_module("rebnconv1", REBNCONV(out_ch, mid_ch))
        for level in range(2, levels):
            self.add_module(f"rebnconv{level}", REBNCONV(mid_ch, mid_ch))
        self.add_module(f"rebnconv{levels}", REBNCONV(mid_ch, mid_ch, dilation=2))
        for level in range(levels - 1, 1, -1):
            self.add_module(f"rebnconv{level}d", REBNCONV(2 * mid_ch, mid_ch))
        self.add_module("rebnconv1d", REBNCONV(2 * mid_ch, out_ch))
        self.pool = nn.MaxPool2d(2, stride=2, ceil_mode=True)  # ceil: odd sizes keep their last row
        self.encoder = [self.get_submodule(f"rebnconv{level}") for level in range(1, levels + 1)]
        self.decoder = [self.get_submodule(f"rebnconv{level}d") for level in range(levels - 1, 0, -1)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hxin = self.rebnconvin(x)
        skips = [self.encoder[0](hxin)]
        for layer in self.encoder[1:-1]:
            skips.append(layer(self.pool(skips[-1])))
        hx = self.encoder[-1](skips[-1])  # the bottom: dilated, no pooling before it
        for index, layer in enumerate(self.decoder):
            skip = skips[-1 - index]
            hx = layer(torch.cat((_upsample_like(hx, skip) if index else hx, skip), 1))
        return hx + hxin


class RSU7(_RSU):
    height = 7


class RSU6(_RSU):
    height = 6


class RSU5(_RSU):
    height = 5


class RSU4(_RSU):
    height = 4


class RSU4F(nn.Module):
    """RSU-4F: like RSU-4 at full resolution, dilations 1, 2, 4, 8 instead of pooling."""

    def __init__(self, in_ch: int, mid_ch: int, out_ch: int) -> None:
        super().__init__()
        self.rebnconvin = REBNCONV(in_ch, out_ch)
        self.rebnconv1 = REBNCONV(out_ch, mid_ch)
        self.rebnconv2 = REBNCONV(mid_ch, mid_ch, dilation=2)
        self.rebnconv3 = REBNCONV(mid_ch, mid_ch, dilation=4)
        self.rebnconv4 = REBNCONV(mid_ch, mid_ch, dilation=8)
        self.rebnconv3d = REBNCONV(2 * mid_ch, mid_ch, dilation=4)
        self.rebnconv2d = REBNCONV(2 * mid_ch, mid_ch, dilation=2)
        self.rebnconv1d = REBNCONV(2 * mid_ch, out_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hxin = self.rebnconvin(x)
        hx1 = self.rebnconv1(hxin)
        hx2 = self.rebnconv2(hx1)
        hx3 = self.rebnconv3(hx2)
        hx4 = self.rebnconv4(hx3)
        hx3d = self.rebnconv3d(torch.cat((hx4, hx3), 1))
        hx2d = self.rebnconv2d(torch.cat((hx3d, hx2), 1))
        return self.rebnconv1d(torch.cat((hx2d, hx1), 1)) + hxin


# (block, in, mid, out) per stage, from the reference's constructors (models.md §5.1).
_STAGES = {
    "u2net": {
        "stage1": (RSU7, 3, 32, 64), "stage2": (RSU6, 64, 32, 128), "stage3": (RSU5, 128, 64, 256),
        "stage4": (RSU4, 256, 128, 512), "stage5": (RSU4F, 512, 256, 512), "stage6": (RSU4F, 512, 256, 512),
        "stage5d": (RSU4F, 1024, 256, 512), "stage4d": (RSU4, 1024, 128, 256), "stage3d": (RSU5, 512, 64, 128),
        "stage2d": (RSU6, 256, 32, 64), "stage1d": (RSU7, 128, 16, 64),
    },
    "u2netp": {
        "stage1": (RSU7, 3, 16, 64), "stage2": (RSU6, 64, 16, 64), "stage3": (RSU5, 64, 16, 64),
        "stage4": (RSU4, 64, 16, 64), "stage5": (RSU4F, 64, 16, 64), "stage6": (RSU4F, 64, 16, 64),
        "stage5d": (RSU4F, 128, 16, 64), "stage4d": (RSU4, 128, 16, 64), "stage3d": (RSU5, 128, 16, 64),
        "stage2d": (RSU6, 128, 16, 64), "stage1d": (RSU7, 128, 16, 64),
    },
}
# Channels into side1..side6: the outputs of stage1d..stage5d and stage6.
_SIDES = {"u2net": (64, 64, 128, 256, 512, 512), "u2netp": (64,) * 6}


class U2Net(nn.Module):
    """U²-Net (``U2NET`` in the reference) or U²-Netp (``U2NETP``), one input image, one output mask."""

    def __init__(self, config: U2NetConfig = U2NetConfig()) -> None:
        super().__init__()
        self.config = config
        for name, (block, in_ch, mid_ch, out_ch) in _STAGES[config.variant].items():
            self.add_module(name, block(in_ch, mid_ch, out_ch))
        for index, channels in enumerate(_SIDES[config.variant], start=1):
            self.add_module(f"side{index}", nn.Conv2d(channels, 1, 3, padding=1))
        self.outconv = nn.Conv2d(6, 1, 1)
        self.pool = nn.MaxPool2d(2, stride=2, ceil_mode=True)

    def forward(self, x: torch.Tensor, logits: bool = False) -> tuple[torch.Tensor, ...]:
        encoders = [self.stage1, self.stage2, self.stage3, self.stage4, self.stage5]
        decoders = [self.stage5d, self.stage4d, self.stage3d, self.stage2d, self.stage1d]
        skips = [encoders[0](x)]
        for stage in encoders[1:]:
            skips.append(stage(self.pool(skips[-1])))
        hx = self.stage6(self.pool(skips[-1]))
        features = [hx]  # stage6, stage5d, ..., stage1d: what side6..side1 look at
        for stage, skip in zip(decoders, reversed(skips)):
            hx = stage(torch.cat((_upsample_like(hx, skip), skip), 1))
            features.append(hx)
        sides = [self.side1, self.side2, self.side3, self.side4, self.side5, self.side6]
        maps = []
        for side, feature in zip(sides, reversed(features)):
            d = side(feature)
            maps.append(d if d.shape[2:] == x.shape[2:] else _upsample_like(d, x))
        fused = self.outconv(torch.cat(maps, 1))
        outputs = (fused, *maps)
        return outputs if logits else tuple(torch.sigmoid(d) for d in outputs)


def build_u2net(variant: str) -> U2Net:
    return U2Net(U2NetConfig(variant))


def _rebnconvs_in_call_order(net: U2Net, size: int = 64) -> list[str]:
    """The names of the REBNCONV layers in the order a forward pass runs them (an ONNX export's node order)."""
    order: list[str] = []
    hooks = [
        module.conv_s1.register_forward_hook(lambda *_, name=name: order.append(name))
        for name, module in net.named_modules()
        if isinstance(module, REBNCONV)
    ]
    try:
        with torch.no_grad():
            net(torch.zeros(1, 3, size, size))
    finally:
        for hook in hooks:
            hook.remove()
    return order


SIDE_CONVS = ("side1", "side2", "side3", "side4", "side5", "side6", "outconv")  # plain convs: kept their names


def _folded_convs(net: U2Net, nodes: list, variant: str) -> list[tuple[Any, str]]:
    """(ONNX Conv node, REBNCONV layer name) pairs: the export's folded convolutions (numeric names) in the
    order the graph runs them, matched to the layers in the order a forward pass runs them.

    :raises ValueError: when their numbers differ.
    """
    convs = [node for node in nodes if node.op_type == "Conv"]
    folded = [node for node in convs if node.inputs[1].split(".")[0] not in SIDE_CONVS]
    layers = _rebnconvs_in_call_order(net)
    if len(folded) != len(layers):
        raise ValueError(f"the ONNX graph has {len(folded)} folded convolutions, {variant} has {len(layers)} layers")
    return list(zip(folded, layers))


def state_dict_from_onnx(initializers: dict, nodes: list, variant: str) -> dict[str, torch.Tensor]:
    """A strict state dict for ``U2Net(U2NetConfig(variant))`` from an ONNX export's initializers and nodes.

    The export folded each BatchNorm into its convolution, so each conv gets the folded weight and bias and
    its BatchNorm becomes the identity (scale 1, shift 0, mean 0, variance 1 − eps): the net computes the
    same function, and fine-tuning starts from it. The folded convs carry numeric names; they are matched
    to the REBNCONV layers by the order in which the graph runs them, shapes checked at every step.

    :raises ValueError: when the graph's convolutions do not fit the net.
    """
    net = build_u2net(variant).eval()
    state = {key: value.clone() for key, value in net.state_dict().items()}
    updates: dict[str, torch.Tensor] = {}
    for node, layer in _folded_convs(net, nodes, variant):
        if len(node.inputs) < 3:
            raise ValueError(f"ONNX convolution {node.outputs[0]!r} has no bias, so it was not folded from a BatchNorm")
        updates[f"{layer}.conv_s1.weight"] = torch.from_numpy(initializers[node.inputs[1]])
        updates[f"{layer}.conv_s1.bias"] = torch.from_numpy(initializers[node.inputs[2]])
        bn = net.get_submodule(f"{layer}.bn_s1")
        updates[f"{layer}.bn_s1.weight"] = torch.ones(bn.num_features)
        updates[f"{layer}.bn_s1.bias"] = torch.zeros(bn.num_features)
        updates[f"{layer}.bn_s1.running_mean"] = torch.zeros(bn.num_features)
        updates[f"{layer}.bn_s1.running_var"] = torch.full((bn.num_features,), 1.0 - bn.eps)
    for name in SIDE_CONVS:
        for part in ("weight", "bias"):
            key = f"{name}.{part}"
            if key not in initializers:
                raise ValueError(f"the ONNX graph has no initializer {key!r}")
            updates[key] = torch.from_numpy(initializers[key])
    for key, value in updates.items():
        if tuple(value.shape) != tuple(state[key].shape):
            raise ValueError(f"{key}: the ONNX graph gives shape {tuple(value.shape)}, {variant} needs {tuple(state[key].shape)}")
        state[key] = value.to(state[key].dtype)
    return state


def onnx_initializers_from_state_dict(state: dict[str, torch.Tensor], nodes: list, variant: str) -> dict[str, np.ndarray]:
    """The inverse of :func:`state_dict_from_onnx`: the initializers an ONNX export of ``variant`` would hold
    for ``state`` (each BatchNorm, trained or not, folded back into its convolution:
    W·γ/√(var + eps) and (b − mean)·γ/√(var + eps) + β), keyed by the graph's own initializer names.

    :raises ValueError: when the graph's convolutions do not fit the net.
    """
    net = build_u2net(variant).eval()
    arrays = {}
    with torch.no_grad():
        for node, layer in _folded_convs(net, nodes, variant):
            eps = net.get_submodule(f"{layer}.bn_s1").eps
            scale = state[f"{layer}.bn_s1.weight"] / torch.sqrt(state[f"{layer}.bn_s1.running_var"] + eps)
            weight = state[f"{layer}.conv_s1.weight"] * scale[:, None, None, None]
            bias = (state[f"{layer}.conv_s1.bias"] - state[f"{layer}.bn_s1.running_mean"]) * scale + state[f"{layer}.bn_s1.bias"]
            arrays[node.inputs[1]] = weight.float().numpy()
            arrays[node.inputs[2]] = bias.float().numpy()
        for name in SIDE_CONVS:
            for part in ("weight", "bias"):
                arrays[f"{name}.{part}"] = state[f"{name}.{part}"].float().numpy()
    return arrays
