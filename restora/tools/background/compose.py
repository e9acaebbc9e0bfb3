"""From a segmentation to the tool's picture: refine the edges, then build what was asked for.

Kept apart from the segmenters so it can be run (and tested) with any mask: the tool calls
``segment`` and hands the result here.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from restora.imaging import composite, matting
from restora.imaging.io import JPEG_QUALITY_KEY, MAX_KB_KEY
from restora.tools.background import id_photo
from restora.tools.base import Progress, ToolOutput

BACKGROUNDS = ("colour", "gradient", "blur", "picture", "transparent")
MASK_SUBJECT = (255, 255, 255)  # the template image: subject white on black, as matting tools show a matte
MASK_BACKGROUND = (0, 0, 0)
MASK_VIEW = "mask"  # the view every run but a mask-only one gives: the alpha the result was built with


def render(rgb: np.ndarray, alpha: np.ndarray, faces: list, *, background: str = "colour", color: str = "white",
           color2: str = "blue", picture: Image.Image | None = None, picture_fit: str = "cover",
           edges: str = "fine", mask_only: bool = False, id_photo_size: str = "none", sheet: str = "none",
           max_kb: int = 0, soft_matte: bool = False, strokes: np.ndarray | None = None,
           progress: Progress | None = None) -> ToolOutput:
    """The result for the photo ``rgb`` (H×W×3 uint8) whose subject mask is ``alpha`` (H×W, 0..1), and unless
    the result is the mask itself, the ``mask`` view: the refined alpha the result was built with, subject
    white on black, at the result's geometry (an ID photo's crop; for a print sheet, that one photo's, not the sheet).

    ``soft_matte``: ``alpha`` is a matting net's real matte (person matting), not an enlarged mask.
    ``strokes``: the user's keep/remove marks (H×W, > 0 keep, < 0 remove); they have the last word over the
    edge refinement, which re-solves the band around the outline and would otherwise bring back part of
    a remove mark that lies near an edge.
    """
    report = progress or (lambda fraction: None)
    matte = matting.refine(rgb, alpha, edges, soft=soft_matte)
    if strokes is not None:
        _hold_marks(rgb, matte, strokes)
    report(0.5)
    if id_photo_size != "none":
        result, placement = _id_photo(rgb, matte, faces, id_photo.SIZES[id_photo_size], background, color, color2)
        used_alpha = np.asarray(result.getchannel("A"), np.float32) / 255.0  # the crop's, resampled with it
        result = _mask(used_alpha) if mask_only else result.convert("RGB")
        if sheet != "none":
            result = id_photo.layout_sheet(result, sheet)
        result.info.update({"dpi": (id_photo.DPI, id_photo.DPI), "restora_id_head_mm": placement.head_mm,
                            "restora_id_top_mm": placement.top_mm})
    else:
        used_alpha = matte.alpha
        if mask_only:
            result = _mask(used_alpha)
        elif background == "transparent":
            result = composite.cutout(rgb, matte)
        else:
            result = Image.fromarray(composite.composite_matte(rgb, matte, _background(
                rgb, alpha, background, color, color2, picture, picture_fit)), "RGB")
    report(0.9)
    if max_kb:
        _, quality = id_photo.jpeg_within(result, max_kb)
        # The tool returns a picture, not a file: the save path writes a JPEG at this quality (imaging.io).
        result.info[MAX_KB_KEY] = max_kb
        result.info[JPEG_QUALITY_KEY] = quality
    report(1.0)
    # Kept beside a cut-out too: its alpha is invisible on most viewers, the mask shows what was kept.
    return ToolOutput(result, {} if mask_only else {MASK_VIEW: _mask(used_alpha)})


def _hold_marks(rgb: np.ndarray, matte: matting.Matte, strokes: np.ndarray) -> None:
    """Alpha 1 under keep marks and 0 under remove marks, and there the photo's own colours, as a Matte has
    wherever alpha is 0 or 1: the edge band's estimated subject colours (made for a half-transparent pixel)
    showed up to 107 levels off under a keep mark."""
    matte.alpha = np.where(strokes < 0, 0.0, np.where(strokes > 0, 1.0, matte.alpha)).astype(np.float32)
    marked = strokes[matte.ys, matte.xs] != 0
    matte.colours[marked] = rgb[matte.ys[marked], matte.xs[marked]].astype(np.float32) / 255.0


def _mask(alpha: np.ndarray) -> Image.Image:
    """The template image: the matte as a picture, subject and background each one flat colour."""
    return composite.mask_picture(alpha, MASK_SUBJECT, MASK_BACKGROUND)


def _background(rgb: np.ndarray, alpha: np.ndarray, background: str, color: str, color2: str,
                picture: Image.Image | None, picture_fit: str) -> np.ndarray:
    size = (rgb.shape[1], rgb.shape[0])
    if background == "colour":
        return composite.flat(size, composite.resolve_colour(color))
    if background == "gradient":
        return composite.vertical_gradient(size, composite.resolve_colour(color), composite.resolve_colour(color2))
    if background == "blur":
        return composite.blurred_background(rgb, alpha)
    if background == "picture":
        if picture is None:
            raise ValueError("a picture background needs a picture")  # Background.check refuses this first
        return composite.picture_background(picture, size, picture_fit, composite.resolve_colour(color))
    raise ValueError(f"unknown background {background!r}")


def _id_photo(rgb: np.ndarray, matte: matting.Matte, faces: list, size: id_photo.IdSize, background: str,
              color: str, color2: str) -> tuple[Image.Image, id_photo.Placement]:
    """The ID photo as RGBA at its print size: the cut-out placed by the face, on a colour or gradient."""
    face = id_photo.the_one_face(faces)
    placement = id_photo.place_head(size, face, matte.alpha)
    subject = id_photo.crop_cutout(composite.cutout(rgb, matte), placement, size)
    if background == "gradient":
        backdrop = composite.vertical_gradient(subject.size, composite.resolve_colour(color), composite.resolve_colour(color2))
    else:
        backdrop = composite.flat(subject.size, composite.resolve_colour(color))
    layers = np.asarray(subject)
    placed = composite.composite(layers[..., :3], layers[..., 3].astype(np.float32) / 255.0, backdrop)
    return Image.fromarray(np.dstack([placed, layers[..., 3]]), "RGBA"), placement

