"""Which pixels to keep: a soft mask of the subject, from one of the segmenters.

- ``u2netp`` (shipped): U²-Netp, salient objects of any kind; rembg's ONNX file at 320×320.
- ``u2net`` (``restora models fetch u2net``): the full U²-Net, same preprocessing.
- ``person`` (shipped): Robust Video Matting (MobileNetV3), an alpha matte of people with their hair;
  chosen over MediaPipe's selfie model by the comparison in docs/background-segmenters.md.
- ``auto``: ``person`` when a face is large enough for the photo to be a portrait, else ``u2netp``.

With ``keep_box`` the segmenter looks only at the box (plus a margin), and GrabCut, seeded from its mask,
decides the pixels it was unsure of; nothing outside the box is kept. ``strokes`` (keep / remove brush
marks, with or without a box) are certain foreground / background for GrabCut and win over everything. The mask is returned at full
resolution; edges and compositing are the caller's (``restora.tools.background``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from restora.tools.background.faces import detect_faces, find_portrait_faces, is_portrait
from restora.tools.background.weights import TOOL, WEIGHTS, WEIGHTS_BY_NAME
from restora.tools.base import InvalidParams, Progress, settings_or_default

SEGMENTERS = ("auto", "u2netp", "u2net", "person")
PERSON_WEIGHTS = "rvm-mobilenetv3"
U2NET_SIZE = 320  # px: the square U²-Net was trained at (models.md §5.2)
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)
RVM_COARSE_SIDE = 320  # px: RVM's backbone sees the photo at about this size; its refiner works at full size
RVM_MAX_SIDE = 2048  # px: larger photos are matted at this size (the refiner's memory grows with pixels)
BOX_MARGIN = 0.1  # of the box's size on each side: context for the net and background samples for GrabCut
GRABCUT_SIDE = 400  # px: GrabCut's cost grows with pixels; the soft net mask carries the fine detail
GRABCUT_ROUNDS = 4
FAINT_PART = 0.25  # mask level above which a keep stroke claims the connected part it touches...
SURE_PART = 0.9  # ...unless most of that part is above this: the net was sure of it, only its fringe is faint

Box = tuple[int, int, int, int]


@dataclass
class Segmentation:
    alpha: np.ndarray  # H×W float32 in [0, 1], the photo's size: 1 = keep
    segmenter: str  # the one that ran: "auto" resolves to "person" or "u2netp"
    faces: list[Box] = field(default_factory=list)  # (x, y, w, h) of portrait-sized faces; empty when not looked for


def segment(
    rgb: np.ndarray,
    segmenter: str,
    *,
    settings: Any = None,
    keep_box: Box | None = None,
    progress: Progress | None = None,
    cached: Callable[[Any, Callable[[], Any]], Any] | None = None,
    strokes: np.ndarray | None = None,
    mirror: bool = True,
) -> Segmentation:
    """The subject's mask for an H×W×3 uint8 picture.

    ``cached`` is the tool's ``self.cached`` (built onnxruntime sessions are shared); None builds each time.
    ``strokes``: H×W int array painted by the user, > 0 keep, < 0 remove, 0 no wish.
    ``mirror``: U²-Net(p) also looks at the mirror image (:func:`mirror_mean`); False only to measure that.

    :raises InvalidParams: for an unknown segmenter or a box outside the photo.
    :raises restora.weights.MissingWeights: when the segmenter's weights are not here (``u2net`` until fetched).
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"segment needs an H×W×3 uint8 picture, got {rgb.dtype} {rgb.shape}")
    if segmenter not in SEGMENTERS:
        raise InvalidParams(f"the segmenter must be one of {', '.join(SEGMENTERS)}, not {segmenter!r}")
    if strokes is not None and strokes.shape != rgb.shape[:2]:
        raise InvalidParams(f"the keep/remove strokes are {strokes.shape[1]}×{strokes.shape[0]}, the photo {rgb.shape[1]}×{rgb.shape[0]}")
    report = progress or (lambda fraction: None)
    settings = settings_or_default(settings)
    if keep_box is None and (strokes is None or not strokes.any()):
        result = _segment_whole(rgb, segmenter, settings, cached, mirror)
        report(1.0)
        return result
    height, width = rgb.shape[:2]
    box = _clip_box(keep_box, rgb.shape) if keep_box is not None else (0, 0, width, height)
    x0, y0, x1, y1 = _with_margin(box, rgb.shape)
    crop = rgb[y0:y1, x0:x1]
    inner = _segment_whole(crop, segmenter, settings, cached, mirror)
    report(0.7)
    bx, by, bw, bh = box
    local_box = (bx - x0, by - y0, bw, bh)
    local_strokes = None if strokes is None else strokes[y0:y1, x0:x1]
    alpha = np.zeros(rgb.shape[:2], np.float32)
    alpha[y0:y1, x0:x1] = refine_in_box(crop, inner.alpha, local_box, local_strokes)
    faces = [(x + x0, y + y0, w, h) for x, y, w, h in inner.faces]
    report(1.0)
    return Segmentation(alpha, inner.segmenter, faces)


def _segment_whole(rgb: np.ndarray, segmenter: str, settings: Any, cached: Any, mirror: bool = True) -> Segmentation:
    faces: list[Box] = []
    if segmenter == "auto":
        faces = find_portrait_faces(rgb)
        segmenter = "person" if is_portrait(faces, rgb.shape) else "u2netp"
    if segmenter == "person":
        return Segmentation(_run_rvm(rgb, _session(PERSON_WEIGHTS, settings, cached)), segmenter, faces)
    return Segmentation(_run_u2net(rgb, _session(segmenter, settings, cached), mirror), segmenter, faces)


# --- onnxruntime -------------------------------------------------------------------------------------


def _session(name: str, settings: Any, cached: Any) -> Any:
    """The onnxruntime session for the weights ``name``, checked against its sha256 when first built."""
    from restora.weights import check_sha256, find_weights, register_entry

    entry = WEIGHTS_BY_NAME[name]
    # The tool's registration normally does this; segment() also serves code that never registered it.
    for known in WEIGHTS:
        register_entry(known)
    path, _ = find_weights(entry.name, TOOL, settings)
    threads = settings.torch_threads or 2  # 2: this project's reference CPU; more only when asked

    def build() -> Any:
        import onnxruntime

        check_sha256(path, entry)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # onnxruntime's warnings about unused initializers are not the user's business
        # All graph optimisations (onnxruntime's default, written out): "extended" cost U²-Netp 15-20 % more CPU
        # (docs/background_profile.py --onnx-options).
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No memory arena: it kept ~200 MB per u2netp session after a run (612 -> 412 MB peak RSS at 1 MP; 433 MB
        # more held after runs, docs/background_profile.py --onnx-options), and the web process holds one
        # session per segmenter. It would save ~20 % of U²-Netp's CPU time (716 -> 543 ms at 1 MP).
        # No spinning: idle workers busy-wait for work otherwise, taking CPU from the site's other threads
        # (docs/background-segmenters.md).
        options.enable_cpu_mem_arena = False
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    if cached is None:
        return build()
    return cached(("background-onnx", str(path), path.stat().st_mtime_ns, threads), build)


def u2net_input(rgb: np.ndarray) -> np.ndarray:
    """rembg's U²-Net preprocessing: Lanczos to 320², divide by the maximum, ImageNet mean/std, 1×3×320×320."""
    from PIL import Image

    # reducing_gap: a large photo is first box-reduced, then Lanczos-filtered (same look, far faster)
    small = Image.fromarray(rgb).resize((U2NET_SIZE, U2NET_SIZE), Image.LANCZOS, reducing_gap=3.0)
    x = np.asarray(small, np.float32)
    x = x / max(float(x.max()), 1e-6)  # the reference divides by the picture's maximum, not by 255
    x = (x - IMAGENET_MEAN) / IMAGENET_STD
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None], np.float32)


def u2net_output(fused: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The fused map min-max rescaled (as the reference's normPRED does) and resized to ``shape``."""
    import cv2

    d = fused.reshape(fused.shape[-2:]).astype(np.float32)
    low, high = float(d.min()), float(d.max())
    d = (d - low) / (high - low) if high > low else np.zeros_like(d)
    height, width = shape[:2]
    return np.clip(cv2.resize(d, (width, height), interpolation=cv2.INTER_LINEAR), 0.0, 1.0)


def mirror_mean(run_net: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """``run_net(x)`` averaged with the mirror image of ``run_net(mirrored x)``: the fused map of U²-Net(p).

    The net's two looks at a photo disagree most where it is unsure (a thin leg, a salient thing in the
    scene); their mean raised IoU by 1.4 points on both the val split (0.844 -> 0.858, 60 pairs) and the
    'other' pairs (0.837 -> 0.851, 360) of `restora data background` (`restora eval background --split
    val|other --segmenter u2netp --edges none`, with and without ``--no-mirror``; docs/training/background.md),
    and by 0.3-0.5 on the eval split, run once after, for twice the net's time (about 0.25 s more: 0.79 s in all
    for a megapixel object photo). Left-right only: photos are not symmetric upside down.
    """
    fused = run_net(x)
    mirrored = run_net(np.ascontiguousarray(x[..., ::-1]))
    return (fused + mirrored[..., ::-1]) / 2


def _run_u2net(rgb: np.ndarray, session: Any, mirror: bool = True) -> np.ndarray:
    name = session.get_inputs()[0].name
    # Only d0, the fused map: asking for the six side outputs too would copy six more 320² maps out.
    output = session.get_outputs()[0].name

    def run_net(x: np.ndarray) -> np.ndarray:
        return session.run([output], {name: x})[0]

    x = u2net_input(rgb)
    fused = mirror_mean(run_net, x) if mirror else run_net(x)
    return u2net_output(fused, rgb.shape)


def _run_rvm(rgb: np.ndarray, session: Any) -> np.ndarray:
    """Robust Video Matting on one frame: zero recurrent state, the backbone at about 320 px."""
    import cv2

    height, width = rgb.shape[:2]
    work = rgb
    # Too large: the full-resolution refiner needs memory per pixel. Too small: the backbone's 1/16 map vanishes.
    scale = min(RVM_MAX_SIDE / max(height, width), 1.0) if max(height, width) > RVM_MAX_SIDE else max(1.0, 64 / min(height, width))
    if scale != 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        work = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    src = np.ascontiguousarray((work.astype(np.float32) / 255.0).transpose(2, 0, 1)[None])
    state = np.zeros((1, 1, 1, 1), np.float32)  # a single picture: no previous frame to remember
    ratio = np.array([min(1.0, RVM_COARSE_SIDE / max(work.shape[:2]))], np.float32)
    inputs = {"src": src, "r1i": state, "r2i": state, "r3i": state, "r4i": state, "downsample_ratio": ratio}
    alpha = session.run(["pha"], inputs)[0][0, 0].astype(np.float32)
    if alpha.shape != (height, width):
        alpha = cv2.resize(alpha, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.clip(alpha, 0.0, 1.0)


# --- keep box ------------------------------------------------------------------------------------------


def _clip_box(box: Box, shape: tuple[int, ...]) -> Box:
    x, y, w, h = (int(v) for v in box)
    height, width = shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise InvalidParams(f"the box to keep ({x},{y},{w},{h}) lies outside the {width}×{height} photo")
    return x0, y0, x1 - x0, y1 - y0


def _with_margin(box: Box, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    x, y, w, h = box
    mx, my = max(8, round(BOX_MARGIN * w)), max(8, round(BOX_MARGIN * h))
    height, width = shape[:2]
    return max(0, x - mx), max(0, y - my), min(width, x + w + mx), min(height, y + h + my)


def refine_in_box(rgb: np.ndarray, alpha: np.ndarray, box: Box, strokes: np.ndarray | None = None) -> np.ndarray:
    """``alpha`` corrected by GrabCut inside ``box`` and zero outside it; ``strokes`` > 0 kept, < 0 removed.

    GrabCut starts from the net: outside the box, and far from anything the net kept, is certain background;
    the net's confident interior is certain foreground; the band around the net's outline is "probably" what
    the net says. Where GrabCut and the net agree the net's soft edge is kept; where they disagree GrabCut's
    (feathered) answer wins, so a subject the net half missed is filled in and a salient neighbour poking
    into the box is cut away. A remove stroke on something the net kept turns that whole part (its
    connected piece of the net's mask) to "probably background", unless a keep stroke touches it too.
    """
    import cv2

    height, width = alpha.shape
    x, y, w, h = box
    inside = np.zeros((height, width), bool)
    inside[y : y + h, x : x + w] = True
    scale = min(1.0, GRABCUT_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))

    def shrink(plane: np.ndarray) -> np.ndarray:
        # INTER_AREA then "> 0": a thin stroke survives the shrink as long as it covers part of a pixel
        return cv2.resize(plane.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0

    small_rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    small_alpha = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
    small_inside = cv2.resize(inside.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)
    kept = small_alpha >= 0.5
    keep = remove = None
    unwanted = np.zeros_like(kept)
    small_keep = small_remove = np.zeros_like(kept)
    if strokes is not None:
        keep, remove = strokes > 0, strokes < 0
        small_keep, small_remove = shrink(keep), shrink(remove)
        _, parts = cv2.connectedComponents(kept.astype(np.uint8), connectivity=8)
        labels = np.setdiff1d(np.unique(parts[small_remove]), np.unique(parts[small_keep]))
        unwanted = np.isin(parts, labels[labels > 0])
        # A keep stroke on something the net only half kept (a second subject it was unsure of: a mask of
        # 0.3-0.8 over a cat beside a cup) claims that whole faint part, as a remove stroke drops a whole part.
        # Not a part the net was sure of (mostly above SURE_PART): there the stroke would claim the soft fringe
        # around the subject too, a halo's worth of background.
        count, faint = cv2.connectedComponents((small_alpha >= FAINT_PART).astype(np.uint8), connectivity=8)
        sure_share = _mean_per_label(small_alpha > SURE_PART, faint, count)
        claimed = [label for label in np.setdiff1d(np.unique(faint[small_keep]), [0]) if sure_share[label] < 0.5]
        small_keep_part = np.isin(faint, claimed) & ~small_remove
    else:
        small_keep_part = np.zeros_like(kept)
    wanted = (kept & ~unwanted) | small_keep | small_keep_part
    mask = np.full(size[::-1], cv2.GC_BGD, np.uint8)
    if wanted[small_inside].sum() < 0.01 * small_inside.sum():
        # The net kept nothing here: let GrabCut guess from the box alone, as in its original use.
        mask[small_inside] = cv2.GC_PR_FGD
    else:
        # GrabCut may move the outline by up to a band's width: further out, the net's "background" stands
        # (without this, a whole-photo refinement grew the subject into a background of similar colours).
        reach = max(8, round(0.08 * max(size)))
        near = cv2.dilate(wanted.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1,) * 2))
        mask[small_inside & near.astype(bool)] = cv2.GC_PR_BGD
        mask[small_inside & wanted] = cv2.GC_PR_FGD
        sure = cv2.erode((small_alpha > 0.9).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        mask[small_inside & sure & ~unwanted] = cv2.GC_FGD
    mask[small_inside & unwanted] = cv2.GC_PR_BGD
    mask[small_inside & small_keep] = cv2.GC_FGD
    mask[small_remove] = cv2.GC_BGD
    if not np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).any() or not np.isin(mask, (cv2.GC_BGD, cv2.GC_PR_BGD)).any():
        return _finish(alpha, inside, keep, remove)  # nothing to tell apart: the net's mask stands
    models = (np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64))
    try:
        cv2.grabCut(small_rgb, mask, None, *models, GRABCUT_ROUNDS, cv2.GC_INIT_WITH_MASK)
    except cv2.error:  # a degenerate colour model (a flat box): keep the net's answer
        return _finish(alpha, inside, keep, remove)
    chosen = _main_components(np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)))
    soft = cv2.resize(chosen.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    feather = max(1.0, 0.5 / scale)  # about half a GrabCut pixel: hides the upsampling staircase
    soft = cv2.GaussianBlur(soft, (0, 0), feather)
    trust_grabcut = (alpha >= 0.5) != (soft >= 0.5)
    if unwanted.any():  # the removed part's soft rim too, which the net and GrabCut both call background
        rim = max(2, round(0.02 * max(size)))  # U²-Net's 320-px mask, enlarged, fades over several pixels
        grown = cv2.dilate(unwanted.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim + 1,) * 2))
        trust_grabcut |= cv2.resize(grown, (width, height), interpolation=cv2.INTER_NEAREST).astype(bool)
    return _finish(np.where(trust_grabcut, soft, alpha), inside, keep, remove)


def _mean_per_label(values: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """The mean of ``values`` over each label 0..count-1 of ``labels`` (0 where a label has no pixel)."""
    sums = np.bincount(labels.ravel(), weights=values.ravel().astype(np.float64), minlength=count)
    sizes = np.bincount(labels.ravel(), minlength=count)
    return sums / np.maximum(sizes, 1)


def _finish(alpha: np.ndarray, inside: np.ndarray, keep: np.ndarray | None, remove: np.ndarray | None) -> np.ndarray:
    if keep is not None and remove is not None:
        alpha = np.where(keep, 1.0, np.where(remove, 0.0, alpha))  # the user's strokes are final
    return np.where(inside, alpha, 0.0).astype(np.float32)


def _main_components(foreground: np.ndarray) -> np.ndarray:
    """The foreground's large parts: specks under a tenth of the largest part are background that GrabCut kept."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(foreground.astype(np.uint8), connectivity=8)
    if count <= 2:
        return foreground
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= 0.1 * areas.max()) + 1
    return np.isin(labels, keep)


__all__ = ["SEGMENTERS", "Segmentation", "detect_faces", "mirror_mean", "refine_in_box", "segment", "u2net_input",
           "u2net_output"]
