"""Running the colorize net on a photo: chroma at the render size, upsampled to the photo's own size.

The net sees the luminance shrunk so its long side is ``render_size`` (each side a multiple of the net's
32); its U,V come back bilinearly upsampled to the full photo, where they are merged with the photo's own
full-resolution Y by the caller (``restora.imaging.colour.yuv_to_rgb``). So the cost of the net does not
grow with the photo, and no detail of the original is ever lost. torch is imported on first use.

DeOldify's published generators (``restora.nets.deoldify``, weights whose architecture says
``"net": "deoldify"``) go through the same two functions: they see the luminance stretched to a square of
``render_size`` (a multiple of 16), as DeOldify itself renders, and give their chroma the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from restora.nets.colorize import ColorizeGenerator

DEFAULT_RENDER_SIZE = 256  # long side in pixels the net sees; larger = finer colour, slower
ARCHITECTURE_KEYS = ("widths", "blocks", "decoder", "attention_level", "bin_step", "temperature")


def render_shape(height: int, width: int, render_size: int, multiple: int) -> tuple[int, int]:
    """(h, w) with the long side near ``render_size``, aspect kept, both multiples of ``multiple``."""
    scale = render_size / max(height, width)
    return (max(multiple, round(height * scale / multiple) * multiple),
            max(multiple, round(width * scale / multiple) * multiple))


def predict_chroma(y: np.ndarray, net: "ColorizeGenerator", render_size: int = DEFAULT_RENDER_SIZE) -> np.ndarray:
    """U,V (H×W×2 float32) for the luminance ``y`` (H×W float32 in [0, 1]); ``net`` in eval mode (ours or
    DeOldify's)."""
    import torch
    import torch.nn.functional as F

    from restora.nets.deoldify import RENDER_BASE, DeOldifyGenerator

    if y.ndim != 2:
        raise ValueError(f"y must be H×W, got shape {y.shape}")
    height, width = y.shape
    deoldify = isinstance(net, DeOldifyGenerator)
    if deoldify:
        # DeOldify stretches every photo to a square (its filters.py: padding looked worse)
        side = max(RENDER_BASE, round(render_size / RENDER_BASE) * RENDER_BASE)
        h, w = side, side
    else:
        h, w = render_shape(height, width, render_size, net.config.multiple)
    small = Image.fromarray(np.asarray(y, dtype=np.float32), mode="F").resize((w, h), Image.Resampling.BILINEAR,
                                                                              reducing_gap=2.0)
    tensor = torch.from_numpy(np.asarray(small, dtype=np.float32).copy())[None, None]
    with torch.inference_mode():
        uv = net.grey_to_uv(tensor) if deoldify else net(tensor)
        full = F.interpolate(uv, size=(height, width), mode="bilinear", align_corners=False)
    return full[0].permute(1, 2, 0).contiguous().numpy()


def build_generator(loaded_weights: Any) -> "ColorizeGenerator":
    """The generator for ``restora.weights.LoadedWeights`` (architecture from the file's metadata), loaded
    strictly, spectral norms folded into plain weights, in eval mode.

    :raises WeightsError: when a DeOldify file does not fit its configuration (naming the first keys).
    """
    from restora.nets.colorize import ColorizeGenerator, ColorizeNetConfig, remove_spectral_norms

    arch = loaded_weights.architecture
    if arch.get("net") == "deoldify":
        return build_deoldify(loaded_weights)
    config = ColorizeNetConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in arch.items()
                                  if k in ARCHITECTURE_KEYS})
    net = ColorizeGenerator(config)
    net.load_state_dict(loaded_weights.state_dict, strict=True)
    return remove_spectral_norms(net.eval())


def build_deoldify(loaded_weights: Any) -> Any:
    """DeOldify's generator for its published weights (``restora.nets.deoldify``), strictly loaded."""
    from restora.nets.colorize import remove_spectral_norms
    from restora.nets.deoldify import DeOldifyConfig, load_deoldify
    from restora.weights import WeightsError

    arch = loaded_weights.architecture
    missing = [key for key in ("decoder", "encoder", "nf_factor") if key not in arch]
    if missing:
        raise WeightsError(f"{loaded_weights.source}: its DeOldify architecture lacks {', '.join(missing)}")
    try:
        config = DeOldifyConfig(arch["decoder"], arch["encoder"], arch["nf_factor"])
        net = load_deoldify(loaded_weights.state_dict, config)
    except ValueError as exc:
        raise WeightsError(f"{loaded_weights.source}: {exc}") from None
    return remove_spectral_norms(net)


def architecture_of(config: Any) -> dict[str, Any]:
    """The safetensors metadata that rebuilds a generator of ``config`` (a ColorizeNetConfig)."""
    return {"net": "colorize-unet", **{k: getattr(config, k) for k in ARCHITECTURE_KEYS}}
