"""The deblur tool: three methods for camera shake, all at full resolution.

- ``net``: a DeblurGAN-style generator run on the whole photo (below);
- ``kernel``: the shake's blur kernel estimated from the photo (three times; the estimate the others agree
  with best is kept) and deconvolved (restora.imaging.blind);
- ``auto`` (the default): the net runs first; if it changed the photo (it sees blur) the kernel is
  estimated three times, and a clear shake that the estimates agree on is deconvolved; otherwise the
  net's result stands. The net leaves sharp photos alone where deconvolution would over-sharpen them.

Unlike DeblurGAN's test script (which resizes to 640×360 and takes a random 256 crop, and leaves dropout
on), this runs on every pixel: the image goes to [-1, 1], is padded by reflection to a multiple of 4, and
large images are processed in overlapping tiles blended back smoothly, so memory stays bounded. Dropout
is off (eval mode). Alpha is kept as it was. torch is imported on first use only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from restora.i18n import N_
from restora.imaging.io import merge_alpha, split_alpha
from restora.imaging.tiling import apply_tiled
from restora.tools.base import (
    Argument, BaseTool, Command, Param, Progress, load_net, settings_or_default, weights_param,
)
from restora.tools.deblur.weights import WEIGHTS

# 1536 px: a photo up to about 1536×1152 (1.8 MP) runs in one pass. With 1024-px tiles a 1155×866 photo
# took two overlapping passes, 1.66 s instead of 0.98 s (shipped layout, 2 cores); a 12-MP photo in 1536-px
# tiles still peaks near 1 GB (`make bench`).
# One pass also lets InstanceNorm, in the official DeblurGAN weights, see the whole image.
DEFAULT_TILE = 1536
# The generator sees about ±100 px (two stride-2 convs and 2·n_blocks 3×3 convs at quarter resolution),
# so tiles overlap by that much and the seam region is blended where both tiles see enough context.
TILE_OVERLAP = 96
SIZE_MULTIPLE = 4  # two stride-2 downsamplers
MIN_SIDE = 16  # reflection padding inside the net needs a few pixels at quarter resolution

METHODS = ("auto", "net", "kernel")
# "auto" asks two questions, both calibrated on all 56 Debian photos, sharp and blurred (docs/training/deblur.md
# §9), never on the evaluation photos:
# 1. Does the net see blur? It was trained to leave sharp photos alone: it changed sharp photos by 45 dB
#    PSNR (median; 10 % below 39.6) and blurred ones by 35.8 (10 % above 42.6). Above AUTO_NET_UNCHANGED_DB
#    the photo is taken as sharp and the net's result is returned at once (the kernel estimate is skipped).
# 2. Is the estimated kernel a real shake? Sharp photos' estimates spread from 0.62 px, 90 % of them below
#    1.36 (periodic blinds reached 3.9), and blurred photos' at least 1.63 px. Below AUTO_MIN_SPREAD the net's
#    result is kept; otherwise the photo is deconvolved with the kernel.
# 3. Do the estimates agree? The kernel is measured from AUTO_VIEWS views of the photo: other parts of a
#    large photo or, of a small one, the same photo nudged by a pixel (sessions 5 and 6, §11 and §12): where
#    an estimate went wrong, another tends to land elsewhere. The estimate that agrees best with the others
#    is kept (restora.imaging.blind.medoid_kernel); if its mean agreement with them is below
#    AUTO_MIN_SUPPORT, the net's result is kept. On the 56 photos at 640 px, three views instead of session
#    5's two changed the trajectory gain by +0.17 ± 0.15 dB and its worst case from -1.76 to -0.61 dB
#    (on the evaluation photos, afterwards: -0.11 ± 0.11 dB; a tail guard more than a gain); the bar was
#    set as in session 5, the lowest that deconvolved none of the sharp photos.
AUTO_NET_UNCHANGED_DB = 42.0
AUTO_MIN_SPREAD = 1.6
AUTO_VIEWS = 3
AUTO_MIN_SUPPORT = 0.9
# "kernel" always deconvolves, with the best supported of three estimates: on the 56 photos at 640 px
# that raised its gain over a single estimate by +0.37 ± 0.26 dB on trajectory blur (worst case -7.57 ->
# -2.87 dB) and +0.32 ± 0.29 on linear blur (-13.74 -> -2.48), and sharp photos came back less damaged
# (+0.66 ± 0.29 dB against themselves; docs/training/deblur.md §12).
KERNEL_VIEWS = 3

DEBLUR_PARAMS = (
    Param(
        "method",
        "choice",
        default="auto",
        label=N_("Method"),
        help=N_("The trained net is quick and safe on slight blur. Measuring the shake is slower and much "
                "stronger on a still scene shaken hard, but can ring where the blur is slight or uneven. "
                "Automatic runs the net, and measures the shake (three times) where the net sees blur; "
                "a clear shake the measurements agree on is undone."),
        choices=METHODS,
        choice_labels=(N_("Automatic"), N_("Trained net"), N_("Measure the shake and undo it")),
    ),
    Param(
        "strength",
        "float",
        default=1.0,
        label=N_("Strength"),
        help=N_("1 applies the full correction; lower values blend back towards your photo (for slight blur)."),
        minimum=0.0,
        maximum=1.0,
    ),
    weights_param(),
    Param(
        "tile",
        "int",
        default=DEFAULT_TILE,
        label=N_("Tile size"),
        help=N_("Large photos are processed in overlapping tiles of this size to save memory."),
        minimum=128,
        maximum=4096,
        units="px",
        advanced=True,
    ),
)

COMMANDS = (
    ("train", Command(
        help="Train the deblur generator as a WGAN-GP (or weight-clipped WGAN) on blurred Debian photos.",
        config="restora.tools.deblur.training:DeblurTrainConfig",
        run="restora.tools.deblur.training:train_command",
        arguments=(
            Argument("data", "A photo set from `restora data debian`.", kind="dir", required=True, exists=True),
            Argument("out", "Run folder (checkpoints, metrics).", kind="path", required=True),
            Argument("resume", "Continue exactly from OUT/checkpoints/latest.pt with its saved recipe.", kind="flag"),
            Argument("no_progress", "No progress bar (for logs).", kind="flag"),
        ),
    )),
    ("eval", Command(
        help="Blur each photo (trajectory and linear kernels, fixed seeds), restore it, report mean PSNR/SSIM "
        "against unsharp masking, Wiener and Richardson-Lucy.",
        config="restora.tools.deblur.evaluate:EvalConfig",
        run="restora.tools.deblur.evaluate:eval_command",
        arguments=(
            Argument("data", "Folder of sharp photos (e.g. from `restora eval export-set`).", kind="dir",
                     required=True, exists=True),
            Argument("weights", "Deblur weights; default: the shipped ones.", kind="text", default=""),
            Argument("tile", "Tile size for the tool; default: the tool's own (1536).", kind="int"),
            Argument("json", "Write all numbers here.", kind="file"),
            Argument("method", "The tool's method(s) to score: net (reported as `output`), kernel, auto.",
                     kind="text", multiple=True, default=("net",), choices=METHODS),
            Argument("baselines_only", "Skip the tool: only blurred, unsharp, Wiener, Richardson-Lucy.", kind="flag"),
        ),
    )),
    ("data", Command(
        name="blur-pairs",
        help="Sharp/blurred pairs plus the kernel used (PNG and .npy) for every image in SRC.",
        config="restora.tools.deblur.blur_pairs:BlurPairsConfig",
        run="restora.tools.deblur.blur_pairs:blur_pairs_command",
        arguments=(
            Argument("src", "Sharp images.", kind="dir", required=True, exists=True),
            Argument("out", "Folder for sharp/, blurred/, kernels/.", kind="path", required=True),
        ),
    )),
)


def generator_for(weights_name: str, settings: Any) -> Any:
    """The generator for these weights, built once per process and file (shared by the web app's threads).

    :raises MissingWeights: before any torch work when the file is not on this machine.
    """
    return load_net("deblur", weights_name, settings, build_generator)


def build_generator(weights: Any) -> Any:
    """A DeblurGenerator in eval mode from :class:`restora.weights.LoadedWeights`, loaded strictly.

    :raises WeightsError: when the tensors do not fit the architecture.
    """
    from restora.nets.deblur import DeblurGenerator, GeneratorConfig
    from restora.weights import WeightsError, load_strict

    try:
        config = GeneratorConfig(**weights.architecture)
    except (TypeError, ValueError) as exc:
        raise WeightsError(f"{weights.source}: unknown generator architecture {weights.architecture}: {exc}") from None
    import torch

    net = DeblurGenerator(config)
    load_strict(net, weights)
    # channels-last lets oneDNN run these convolutions without reordering every activation: measured
    # 1.38 s -> 0.93 s for a 1024×1024 pass of the shipped ngf-16 / 9-block net on 2 cores (docs/training/deblur.md §7)
    net = net.to(memory_format=torch.channels_last)
    return net.eval()  # eval: dropout off, so the same photo always gives the same result


def pad_to_multiple(array: np.ndarray, multiple: int = SIZE_MULTIPLE, minimum: int = MIN_SIDE) -> np.ndarray:
    """Pad the bottom and right edges by mirroring so both sides are multiples of ``multiple``."""
    height, width = array.shape[:2]
    target_h = max(minimum, -(-height // multiple) * multiple)
    target_w = max(minimum, -(-width // multiple) * multiple)
    # "symmetric" works for any pad size, even on a 1-pixel image.
    return np.pad(array, ((0, target_h - height), (0, target_w - width), (0, 0)), mode="symmetric")


def uses_bfloat16(precision: str) -> bool:
    """Whether nets run in bfloat16 under the ``inference_precision`` setting ("auto" asks the CPU)."""
    if precision != "auto":
        return precision == "bfloat16"
    import torch

    try:  # private but stable since torch 2.1; without it, stay on float32
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:
        return False


def run_generator(net: Any, rgb: np.ndarray, *, tile: int, progress: Progress | None = None,
                  bfloat16: bool = False) -> np.ndarray:
    """uint8 H×W×3 -> uint8 H×W×3 through ``net`` (inputs and outputs in [-1, 1]).

    ``bfloat16``: convolutions in bfloat16 (autocast). The net's last step adds its tanh residual to the
    float32 input, so the 8-bit result differs from float32's by at most two levels, about 0.02 on average
    (docs/training/deblur.md §7), while oneDNN runs the convolutions on the CPU's bf16 units."""
    import torch

    height, width = rgb.shape[:2]
    signed = pad_to_multiple(rgb.astype(np.float32) / 127.5 - 1.0)
    tile = max(SIZE_MULTIPLE, tile // SIZE_MULTIPLE * SIZE_MULTIPLE)

    def restore(piece: np.ndarray) -> np.ndarray:
        # H×W×C memory already is channels-last: permute to N×C×H×W without copying
        batch = torch.from_numpy(np.ascontiguousarray(piece)).permute(2, 0, 1)[None]
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
            return net(batch)[0].float().permute(1, 2, 0).numpy()

    overlap = min(TILE_OVERLAP, tile // 4)
    restored = apply_tiled(signed, restore, tile=tile, overlap=overlap, align=SIZE_MULTIPLE, progress=progress)
    restored = restored[:height, :width]
    return np.clip(np.rint((restored + 1.0) * 127.5), 0, 255).astype(np.uint8)


def deblur_by_net(rgb: np.ndarray, weights: str, *, tile: int, progress: Progress | None,
                  settings: Any = None) -> np.ndarray:
    """uint8 H×W×3 -> uint8 H×W×3 through the generator (cached per process), in the configured precision."""
    settings = settings_or_default(settings)
    net = generator_for(weights, settings)
    bfloat16 = uses_bfloat16(settings.inference_precision)
    return run_generator(net, rgb, tile=tile, progress=progress, bfloat16=bfloat16)


def deblur_by_kernel(rgb: np.ndarray, progress: Progress | None, *, min_spread: float = 0.0,
                     views: int = 1, min_support: float = 0.0) -> np.ndarray | None:
    """uint8 H×W×3 -> uint8 H×W×3 by blind kernel estimation and deconvolution (restora.imaging.blind);
    None when the kernel spreads less than ``min_spread`` or (with several ``views``) the kept estimate's
    agreement with the others is below ``min_support``."""
    from restora.imaging.blind import blind_deblur

    if min(rgb.shape[:2]) < MIN_SIDE:  # too small to hold a blur worth measuring
        return None if min_spread > 0 else rgb.copy()
    result = blind_deblur(rgb.astype(np.float32) / 255.0, progress=progress, min_spread=min_spread,
                          views=views, min_support=min_support)
    if result.restored is None:
        return None
    return np.clip(np.rint(result.restored * 255.0), 0, 255).astype(np.uint8)


def deblur_auto(rgb: np.ndarray, weights: str, *, tile: int, progress: Progress | None,
                settings: Any = None) -> np.ndarray:
    """The net's result unless the net sees blur and the estimated kernel is a real shake that other
    estimates confirm, then the deconvolution's (AUTO_NET_UNCHANGED_DB, AUTO_MIN_SPREAD, AUTO_VIEWS,
    AUTO_MIN_SUPPORT)."""
    from restora.imaging.metrics import psnr

    first = (lambda f: progress(0.2 * f)) if progress else None
    by_net = deblur_by_net(rgb, weights, tile=tile, progress=first, settings=settings)
    border = 16 if min(rgb.shape[:2]) > 64 else 0  # as the calibration measured it
    if psnr(rgb, by_net, border=border) > AUTO_NET_UNCHANGED_DB:
        if progress:
            progress(1.0)
        return by_net
    rest = (lambda f: progress(0.2 + 0.8 * f)) if progress else None
    by_kernel = deblur_by_kernel(rgb, rest, min_spread=AUTO_MIN_SPREAD, views=AUTO_VIEWS,
                                 min_support=AUTO_MIN_SUPPORT)
    return by_net if by_kernel is None else by_kernel


@dataclass
class Deblur(BaseTool):
    name: str = "deblur"
    title: str = N_("Deblur")
    description: str = N_("Remove motion blur (camera shake) from a photo.")
    card: str = N_("Make a photo blurred by a shaking hand or a moving subject sharp again.")
    research: str = N_(
        "A ResNet generator trained as a Wasserstein GAN with gradient penalty on sharp and blurred pairs "
        "made by simulated camera shake (Kupyn et al., 2018). DeblurGAN scores 28.7 dB PSNR on the GoPro "
        "test set and DeblurGAN-v2 29.6 dB; the best recent models (NAFNet, Restormer, FFTformer, EVSSM) "
        "reach 33 to 34.5 dB. Restora trains its own weights on ordinary computers, so expect less than "
        "the paper's numbers.")
    params: tuple[Param, ...] = field(default=DEBLUR_PARAMS)
    weights: tuple = field(default=WEIGHTS)
    commands: tuple = field(default=COMMANDS)

    def prepare(self, *, settings: Any = None, weights: str = "", method: str = "auto", **_: Any) -> None:
        """Load the net now, so a missing file is reported before any image is read.

        :raises MissingWeights: when the weights are not on this machine.
        """
        if method != "kernel":
            generator_for(weights, settings_or_default(settings))

    def verify_weights(self, loaded: Any) -> None:
        """:raises WeightsError: unless every tensor of the generator is present with the right shape."""
        build_generator(loaded)

    def run(
        self,
        image: Image.Image,
        *,
        method: str = "auto",
        strength: float = 1.0,
        weights: str = "",
        tile: int = DEFAULT_TILE,
        progress: Progress | None = None,
        settings: Any = None,
    ) -> Image.Image:
        rgb, alpha = split_alpha(image)
        original = np.asarray(rgb.convert("RGB"))
        if method == "kernel":
            restored = deblur_by_kernel(original, progress, views=KERNEL_VIEWS)
        elif method == "auto":
            restored = deblur_auto(original, weights, tile=int(tile), progress=progress, settings=settings)
        else:
            restored = deblur_by_net(original, weights, tile=int(tile), progress=progress, settings=settings)
        if strength < 1.0:
            blended = original + float(strength) * (restored.astype(np.float32) - original)
            restored = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
        return merge_alpha(Image.fromarray(restored, "RGB"), alpha)
