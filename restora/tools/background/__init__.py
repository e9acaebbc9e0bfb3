"""The background tool: keep the person or object, replace everything else; ID photos at standard sizes.

``run`` = segment (restora.tools.background.segment: U²-Netp, U²-Net or person matting; inside the keep box
and around the keep/remove marks when given, read by restora.tools.marks) -> refine the edges at full
resolution (restora.imaging.matting; the marks have the last word) -> build the picture (compose.render): a
colour, a gradient, the photo's own background blurred, another picture, a transparent cut-out, the mask
as a picture, or an ID photo cropped by the face with an optional print sheet. Every run but a mask-only one
also returns the ``mask`` view (the alpha the result was built with), so people can judge what was
kept. The input's own alpha is ignored: the subject is found in its colours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from restora.i18n import N_
from restora.imaging.composite import PICTURE_FITS
from restora.imaging.matting import EDGES
from restora.tools.background import id_photo as id_photo_rules  # `id_photo` is also a parameter
from restora.tools.background.compose import BACKGROUNDS, MASK_VIEW, render
from restora.tools.background.segment import SEGMENTERS, detect_faces, segment  # onnxruntime loads lazily
from restora.tools.background.weights import WEIGHTS
from restora.tools.base import (Argument, BaseTool, Command, InvalidParams, Param, Progress, ToolOutput, View,
                                settings_or_default)
from restora.tools.marks import strokes_from_picture

ID_PHOTO_CHOICES = ("none", *(size.key for size in id_photo_rules.ID_SIZES))
SHEET_CHOICES = ("none", *id_photo_rules.SHEETS)
SEGMENT_SHARE = 0.6  # of the progress bar: the segmenter is most of the time

BACKGROUND_PARAMS = (
    Param("segmenter", "choice", default="auto", label=N_("Subject finder"),
          help=N_("auto: person matting for a portrait, U²-Netp for anything else; u2net: the larger, slower "
                  "U²-Net (fetched with `restora models fetch u2net`); person: for people, with hair"),
          choices=SEGMENTERS,
          choice_labels=(N_("Automatic"), N_("U²-Netp (fast)"), N_("U²-Net (large)"), N_("Person matting"))),
    Param("background", "choice", default="colour", label=N_("New background"),
          help=N_("a flat colour, a vertical gradient, the photo's own background blurred, another picture, "
                  "or transparent (a PNG cut-out)"),
          choices=BACKGROUNDS,
          choice_labels=(N_("Colour"), N_("Gradient"), N_("Blurred original"), N_("Picture"), N_("Transparent"))),
    Param("color", "colour", default="white", label=N_("Colour"), flag="--color",
          help=N_("white, blue or red (the usual ID-photo colours) or #RRGGBB; the gradient's top colour"),),
    Param("color2", "colour", default="blue", label=N_("Gradient bottom colour"), flag="--color2",
          help=N_("the gradient's bottom colour: a name or #RRGGBB")),
    Param("picture", "image", default=None, label=N_("Background picture"),
          help=N_("the picture to put behind the subject (with the Picture background)")),
    Param("picture_fit", "choice", default="cover", label=N_("Picture fit"),
          help=N_("cover: fill, cropping the overflow; fit: show it whole on the colour; tile: repeat it"),
          choices=PICTURE_FITS, choice_labels=(N_("Cover"), N_("Fit"), N_("Tile"))),
    Param("edges", "choice", default="fine", label=N_("Edges"),
          help=N_("fine: closed-form matting in the edge band, keeps hair the subject finder half lost (about "
                  "0.15 s for a megapixel); fast: the edge snapped to the photo by a guided filter (about 0.1 s)"),
          choices=EDGES, choice_labels=(N_("Fast"), N_("Fine")), advanced=True),
    Param("keep", "box", default=None, label=N_("Keep this area"),
          help=N_("X,Y,W,H: a box around what to keep, when the photo has other things in it")),
    Param("strokes", "strokes", default=None, label=N_("Keep / remove marks"),
          help=N_("paint green over what to keep and red over what to remove (a PNG the photo's size, "
                  "transparent elsewhere); the mask is worked out again around the marks, inside the keep box "
                  "when there is one")),
    Param("mask_only", "bool", default=False, label=N_("Mask only"),
          help=N_("return the mask as a picture: the subject white on black")),
    Param("id_photo", "choice", default="none", label=N_("ID photo size"),
          help=N_("crop to a standard ID-photo size at 300 dpi, the head sized and placed as the standard asks"),
          choices=ID_PHOTO_CHOICES, choice_labels=(N_("None"), *(size.choice_label for size in id_photo_rules.ID_SIZES))),
    Param("sheet", "choice", default="none", label=N_("Print sheet"),
          help=N_("6inch: as many copies of the ID photo as fit on a 4×6 in print, with cut lines"),
          choices=SHEET_CHOICES, choice_labels=(N_("None"), N_("4×6 in print"))),
    Param("max_kb", "int", default=0, label=N_("File size limit"), units="KB", minimum=0, maximum=100_000,
          help=N_("for upload forms: the JPEG is saved at the best quality that fits; 0 for no limit")),
)


COMMANDS = (
    ("data", Command(
        help="Photo + matte pairs: Tux Paint's photographic stamps pasted on crops of Debian photos (blur, noise, "
        "JPEG, feathered edges), whole stamp categories held out for val and eval; GCompris cut-outs as 'other'.",
        config="restora.tools.background.data:BackgroundDataConfig",
        run="restora.tools.background.data:data_command",
        arguments=(
            Argument("out", "Folder for the pairs and manifest.json.", kind="path", required=True),
            Argument("cache", "Folder of downloaded .deb files (reused when present).", kind="path", default=Path("debs")),
        ),
    )),
    ("eval", Command(
        help="IoU (alpha > 0.5), MAE and max-F (beta^2 = 0.3) of each segmenter against the true mattes, as it "
        "comes and after fast and fine edge refinement; a picture grid (photo | mask | matte | composite).",
        config="restora.tools.background.evaluate:BackgroundEvalConfig",
        run="restora.tools.background.evaluate:eval_command",
        arguments=(
            Argument("data", "A set from `restora data background` (its eval split by default).", kind="dir", exists=True),
            Argument("pictures", "Any folder of picture + matte pairs (NAME.jpg|png and NAME.png in a mattes/ "
                     "sub-folder, or NAME_matte.png beside it).", kind="dir", exists=True),
            Argument("json", "Write all numbers here.", kind="file"),
            Argument("grid", "Write the picture grid here (PNG).", kind="file"),
        ),
    )),
    ("train", Command(
        help="Fine-tune U²-Netp from the shipped weights with the reference deep supervision (BCE over the six "
        "side outputs and the fused one); resumable, seeded; metrics.csv, loss.png, checkpoints, safetensors.",
        config="restora.tools.background.training:BackgroundTrainConfig",
        run="restora.tools.background.training:train_command",
        arguments=(
            Argument("data", "A set from `restora data background`.", kind="dir", required=True, exists=True),
            Argument("out", "Run folder (checkpoints, metrics, plot, exported weights).", kind="path", required=True),
            Argument("resume", "Continue exactly from OUT/checkpoints/latest.pt.", kind="flag"),
            Argument("no_progress", "No progress bar (for logs).", kind="flag"),
        ),
    )),
)


@dataclass
class Background(BaseTool):
    name: str = "background"
    title: str = N_("Background")
    description: str = N_("Keep the person or object and replace the background with a colour, a gradient, a "
                          "blur or a picture; make ID photos at standard sizes.")
    card: str = N_("Replace the background, or make an ID photo")
    params: tuple[Param, ...] = field(default=BACKGROUND_PARAMS)
    weights: tuple = field(default=WEIGHTS)
    commands: tuple = field(default=COMMANDS)
    views: tuple[View, ...] = (View(MASK_VIEW, N_("Mask")),)

    def check(self, values: dict[str, Any]) -> None:
        background, id_size = values["background"], values["id_photo"]
        if background == "picture" and values["picture"] is None:
            raise InvalidParams(N_("the Picture background needs a picture: give one, or choose another background"))
        if id_size != "none" and background not in ("colour", "gradient"):
            raise InvalidParams(N_("an ID photo needs a colour or gradient background, not a blurred, picture or "
                                   "transparent one"))
        if values["sheet"] != "none" and id_size == "none":
            raise InvalidParams(N_("a print sheet is made of ID photos: choose an ID photo size too"))
        if values["max_kb"] and background == "transparent" and not values["mask_only"]:
            raise InvalidParams(N_("a file size limit saves a JPEG, which cannot be transparent"))
        if values["max_kb"] and values["max_kb"] < 5:
            raise InvalidParams(N_("a file size limit under 5 KB cannot hold a photo"))

    def prepare(self, *, settings=None, **params: Any) -> None:
        """Report a missing U²-Net file before any photo is read (the other segmenters check their own)."""
        if params.get("segmenter") in ("u2netp", "u2net"):
            from restora.weights import find_weights, register_entry

            for entry in self.weights:  # a tool used without the registry (a script) has not registered them
                register_entry(entry)
            find_weights(params["segmenter"], self.name, settings_or_default(settings))

    def run(self, image: Image.Image, *, progress: Progress | None = None, settings=None, segmenter: str = "auto",
            background: str = "colour", color: str = "white", color2: str = "blue", picture: Image.Image | None = None,
            picture_fit: str = "cover", edges: str = "fine", keep: tuple[int, int, int, int] | None = None,
            strokes: Image.Image | None = None, mask_only: bool = False, id_photo: str = "none", sheet: str = "none",
            max_kb: int = 0) -> ToolOutput:
        rgb = np.asarray(image.convert("RGB"))  # the input's alpha is ignored on purpose
        report = progress or (lambda fraction: None)
        faces: list = []
        if id_photo != "none":
            # Looked for first, so a photo without exactly one face is refused before the segmenter runs.
            faces = [id_photo_rules.the_one_face(detect_faces(rgb))]
        marks = None if strokes is None else strokes_from_picture(strokes, image.size)
        found = segment(rgb, segmenter, settings=settings_or_default(settings), keep_box=keep, strokes=marks,
                        progress=lambda f: report(SEGMENT_SHARE * f), cached=self.cached)
        report(SEGMENT_SHARE)
        return render(rgb, found.alpha, faces, background=background, color=color, color2=color2, picture=picture,
                      picture_fit=picture_fit, edges=edges, mask_only=mask_only, id_photo_size=id_photo, sheet=sheet,
                      max_kb=max_kb, soft_matte=found.segmenter == "person", strokes=marks,
                      progress=lambda f: report(SEGMENT_SHARE + (1 - SEGMENT_SHARE) * f))
