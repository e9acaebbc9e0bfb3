"""``restora eval background``: each segmenter's masks scored against true mattes.

Sets: the held-out composites of ``restora data background`` (``--data``, split ``eval`` by default:
stamp categories and background photos no training ever saw) and any folder of picture + matte pairs
(``--pictures``). Segmenters: ``u2netp`` (shipped), ``u2net`` (when fetched; otherwise reported as
skipped), ``person`` (RVM), and U²-Netp with fine-tuned weights (``--weights``, a ``.safetensors`` from
``restora train background``, run by PyTorch with the same pre- and post-processing as the ONNX file).
Each mask is scored as the segmenter gives it (``none``) and after edge refinement
(``restora.imaging.matting.refine``: ``fast`` and ``fine``), at the picture's full size:

- IoU of ``alpha > 0.5`` against ``true matte > 0.5`` (1 when both are empty);
- MAE: mean |alpha − true matte| over all pixels;
- max-F (β² = 0.3, as salient-object papers since Achanta et al. 2009): the true matte thresholded at 0.5,
  the mask at 255 thresholds k/255; precision and recall per picture and threshold give F; F is
  averaged over the pictures at each threshold and the maximum over thresholds reported (the protocol
  of the U²-Net paper's tables).
"""

from __future__ import annotations

import dataclasses
import json as json_module
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from restora.options import option

BETA2 = 0.3
LEVELS = 255  # thresholds k/255, k = 1..255
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
SEGMENTER_NAMES = ("u2netp", "u2net", "person")
EDGE_STEPS = ("none", "fast", "fine")
GRID_COLOUR = np.array([40, 90, 200], np.float32)  # a blue ID-photo background: halos show on it
GRID_CELL = 192


@dataclass(frozen=True)
class BackgroundEvalConfig:
    segmenter: str = option("all", "segmenters to score, comma-separated: u2netp, u2net (skipped unless fetched), "
                            "person; all = the three")
    weights: str = option("", "also score U²-Netp with these fine-tuned weights (.safetensors from `restora train "
                          "background`)")
    edges: str = option("none,fast,fine", "edge steps, comma-separated: none (the mask as it comes), fast, fine")
    split: str = option("eval", "which split of --data to score", choices=("train", "val", "eval", "other"))
    limit: int = option(0, "score at most this many pairs per set, evenly spread (0 = all)")
    grid_rows: int = option(6, "pictures in the grid (from the first set, evenly spread)")
    grid_segmenter: str = option("u2netp", "the segmenter shown in the grid (a name, or 'finetuned')")
    threads: int = option(2, "onnxruntime / torch threads")
    mirror: bool = option(True, "U²-Net(p) also looks at the mirror image, as the tool does; --no-mirror scores "
                          "one look")


# --- metrics --------------------------------------------------------------------------------------------


def iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    """|A ∩ T| / |A ∪ T| of the masks alpha > 0.5 and truth > 0.5; 1.0 when both are empty."""
    a, t = alpha > 0.5, truth > 0.5
    union = int(np.count_nonzero(a | t))
    return 1.0 if union == 0 else int(np.count_nonzero(a & t)) / union


def mae(alpha: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean(np.abs(alpha.astype(np.float64) - truth.astype(np.float64))))


def f_curve(alpha: np.ndarray, truth: np.ndarray, beta2: float = BETA2) -> np.ndarray:
    """F_β at the thresholds k/255, k = 1..255 (a pixel is kept when its 8-bit alpha is at least k).

    Precision is 0 where nothing is kept, recall 0 where the truth is empty, F 0 where both are 0.
    """
    levels = np.clip(np.floor(alpha.astype(np.float64) * LEVELS + 0.5), 0, LEVELS).astype(np.int64).ravel()
    positive = truth.ravel() > 0.5
    tp_hist = np.bincount(levels[positive], minlength=LEVELS + 1)
    all_hist = np.bincount(levels, minlength=LEVELS + 1)
    tp = np.cumsum(tp_hist[::-1])[::-1][1:].astype(np.float64)  # kept and true, for k = 1..255
    kept = np.cumsum(all_hist[::-1])[::-1][1:].astype(np.float64)
    precision = np.divide(tp, kept, out=np.zeros_like(tp), where=kept > 0)
    total = float(positive.sum())
    recall = tp / total if total > 0 else np.zeros_like(tp)
    denominator = beta2 * precision + recall
    return np.divide((1 + beta2) * precision * recall, denominator, out=np.zeros_like(tp), where=denominator > 0)


def summarise(ious: list[float], maes: list[float], curves: list[np.ndarray], seconds: float) -> dict[str, float]:
    """Means over the pictures; max-F is the maximum over thresholds of the mean F curve."""
    mean_curve = np.mean(curves, axis=0)
    return {"iou": float(np.mean(ious)), "iou_median": float(np.median(ious)), "mae": float(np.mean(maes)),
            "max_f": float(mean_curve.max()),
            "max_f_threshold": (int(mean_curve.argmax()) + 1) / LEVELS, "iou_at_least_0.9": float(np.mean(np.asarray(ious) >= 0.9)),
            "seconds_per_picture": seconds / max(1, len(ious)), "pictures": len(ious)}


# --- pairs ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    name: str
    image: Path
    matte: Path
    category: str = ""


def list_picture_pairs(folder: Path) -> list[Pair]:
    """Pairs in a folder: ``NAME.jpg`` (or png/webp) with ``mattes/NAME.png``, ``NAME_matte.png`` or, for a
    JPEG/WebP picture, ``NAME.png`` beside it.

    :raises FileNotFoundError: when no pair is found.
    """
    folder = Path(folder)
    pairs = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in IMAGE_SUFFIXES or path.stem.endswith("_matte") or not path.is_file():
            continue
        candidates = [folder / "mattes" / f"{path.stem}.png", folder / f"{path.stem}_matte.png"]
        if path.suffix.lower() != ".png":
            candidates.append(folder / f"{path.stem}.png")
        matte = next((c for c in candidates if c.exists()), None)
        if matte is not None:
            pairs.append(Pair(path.name, path, matte))
    if not pairs:
        raise FileNotFoundError(f"no picture + matte pairs in {folder} (NAME.jpg with mattes/NAME.png, NAME_matte.png "
                                "or NAME.png)")
    return pairs


def load_pair(pair: Pair) -> tuple[np.ndarray, np.ndarray]:
    """(picture uint8 H×W×3, true matte float32 H×W in [0, 1]).

    :raises ValueError: when the two differ in size.
    """
    with Image.open(pair.image) as image:
        rgb = np.asarray(image.convert("RGB"))
    with Image.open(pair.matte) as image:
        truth = np.asarray(image.convert("L"), np.float32) / 255.0
    if truth.shape != rgb.shape[:2]:
        raise ValueError(f"{pair.matte} is {truth.shape[1]}×{truth.shape[0]}, its picture {pair.image} "
                         f"{rgb.shape[1]}×{rgb.shape[0]}")
    return rgb, truth


def _spread(items: list, count: int) -> list:
    if count <= 0 or count >= len(items):
        return list(items)
    return [items[i] for i in np.linspace(0, len(items) - 1, count).round().astype(int)]


# --- segmenters -----------------------------------------------------------------------------------------

Segmenter = Callable[[np.ndarray], np.ndarray]  # uint8 H×W×3 -> float32 H×W in [0, 1]


def torch_u2netp(weights: Path, threads: int, mirror: bool = True) -> Segmenter:
    """U²-Netp from a ``.safetensors`` state dict, with the ONNX path's pre- and post-processing (with
    ``mirror``, both looks, as the tool).

    :raises WeightsError: when the file does not fit U²-Netp.
    """
    import torch
    from safetensors.torch import load_file

    from restora.nets.u2net import build_u2net
    from restora.tools.background.segment import mirror_mean, u2net_input, u2net_output
    from restora.weights import WeightsError

    net = build_u2net("u2netp")
    try:
        net.load_state_dict(load_file(str(weights)), strict=True)
    except (RuntimeError, OSError) as exc:
        raise WeightsError(f"{weights} does not fit U²-Netp: {exc}") from None
    net.eval()
    torch.set_num_threads(threads)

    def run_net(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return net(torch.from_numpy(x))[0].numpy()

    def run(rgb: np.ndarray) -> np.ndarray:
        x = u2net_input(rgb)
        fused = mirror_mean(run_net, x) if mirror else run_net(x)
        return u2net_output(fused, rgb.shape)  # as the tool runs the shipped file

    return run


def build_segmenters(config: BackgroundEvalConfig, settings: Any) -> tuple[dict[str, Segmenter], dict[str, str]]:
    """(name -> segmenter, name -> why skipped). Missing ``u2net`` weights skip it with the fetch command."""
    from restora.tools.background.segment import segment
    from restora.tools.background.weights import TOOL, WEIGHTS
    from restora.weights import MissingWeights, find_weights, register_entry

    names = SEGMENTER_NAMES if config.segmenter == "all" else tuple(n.strip() for n in config.segmenter.split(",") if n.strip())
    unknown = [n for n in names if n not in SEGMENTER_NAMES]
    if unknown:
        raise ValueError(f"unknown segmenter {', '.join(unknown)}: choose from {', '.join(SEGMENTER_NAMES)} or all")
    for entry in WEIGHTS:
        register_entry(entry)
    sessions: dict = {}

    def cached(key: Any, build: Callable[[], Any]) -> Any:
        if key not in sessions:
            sessions[key] = build()
        return sessions[key]

    chosen: dict[str, Segmenter] = {}
    skipped: dict[str, str] = {}
    for name in names:
        weights_name = "rvm-mobilenetv3" if name == "person" else name
        try:
            find_weights(weights_name, TOOL, settings)
        except MissingWeights as exc:
            skipped[name] = str(exc)
            continue
        chosen[name] = lambda rgb, name=name: segment(rgb, name, settings=settings, cached=cached,
                                                      mirror=config.mirror).alpha
    if config.weights:
        path = Path(config.weights)
        if not path.exists():
            raise FileNotFoundError(f"no fine-tuned weights at {path}")
        chosen["finetuned"] = torch_u2netp(path, config.threads, config.mirror)
    if not chosen:
        raise ValueError(f"no segmenter can run: {skipped}")
    return chosen, skipped


# --- the evaluation -------------------------------------------------------------------------------------


def evaluate_set(pairs: list[Pair], segmenters: dict[str, Segmenter], edges: tuple[str, ...],
                 echo: Callable[[str], None] = lambda line: None) -> tuple[dict, list[dict]]:
    """({segmenter: {edges: summary}}, per-picture rows) for one set of pairs."""
    from restora.imaging.matting import refine

    scores = {name: {step: ([], [], [], 0.0) for step in edges} for name in segmenters}
    rows = []
    for index, pair in enumerate(pairs):
        rgb, truth = load_pair(pair)
        for name, run in segmenters.items():
            start = time.perf_counter()
            mask = np.clip(run(rgb).astype(np.float32), 0.0, 1.0)
            mask_seconds = time.perf_counter() - start
            for step in edges:
                start = time.perf_counter()
                alpha = mask if step == "none" else refine(rgb, mask, step, soft=name == "person").alpha
                seconds = mask_seconds + time.perf_counter() - start
                ious, maes, curves, total = scores[name][step]
                ious.append(iou(alpha, truth))
                maes.append(mae(alpha, truth))
                curves.append(f_curve(alpha, truth))
                scores[name][step] = (ious, maes, curves, total + seconds)
                rows.append({"picture": pair.name, "category": pair.category, "segmenter": name, "edges": step,
                             "iou": round(ious[-1], 5), "mae": round(maes[-1], 5)})
        if (index + 1) % 20 == 0:
            echo(f"  {index + 1}/{len(pairs)} pairs")
    results = {name: {step: summarise(*scores[name][step]) for step in edges} for name in segmenters}
    return results, rows


def by_category(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Mean IoU per category for each (segmenter, edges), from the per-picture rows."""
    table: dict[str, dict[str, list[float]]] = {}
    for row in rows:
        if row["category"]:
            table.setdefault(f"{row['segmenter']}/{row['edges']}", {}).setdefault(row["category"], []).append(row["iou"])
    return {key: {cat: round(float(np.mean(v)), 4) for cat, v in sorted(cats.items())} for key, cats in table.items()}


def picture_grid(pairs: list[Pair], segmenter: Segmenter, soft: bool, target: Path, edges: str = "fast") -> None:
    """photo | mask | matte (after ``edges``) | composite on blue | true matte, one pair per row."""
    from restora.imaging.matting import refine

    headers = ("photo", "mask", f"matte ({edges} edges)", "composite", "true matte")
    rows = []
    for pair in pairs:
        rgb, truth = load_pair(pair)
        mask = np.clip(segmenter(rgb), 0.0, 1.0)
        matte = refine(rgb, mask, edges, soft=soft)
        fg = matte.foreground(rgb).astype(np.float32)
        a = matte.alpha[..., None]
        composite = a * fg + (1 - a) * GRID_COLOUR
        grey = lambda plane: np.repeat((np.clip(plane, 0, 1) * 255 + 0.5).astype(np.uint8)[..., None], 3, axis=2)  # noqa: E731
        cells = [rgb, grey(mask), grey(matte.alpha), np.clip(composite + 0.5, 0, 255).astype(np.uint8), grey(truth)]
        rows.append([_cell(c) for c in cells])
    header_h = 18
    grid = Image.new("RGB", (GRID_CELL * len(headers), header_h + GRID_CELL * len(rows)), "white")
    draw = ImageDraw.Draw(grid)
    font = ImageFont.load_default(size=13)  # Pillow's bundled TrueType face; its bitmap default drops spaces
    for column, text in enumerate(headers):
        draw.text((column * GRID_CELL + 4, 1), text, fill="black", font=font)
    for r, cells in enumerate(rows):
        for column, cell in enumerate(cells):
            grid.paste(cell, (column * GRID_CELL + (GRID_CELL - cell.width) // 2,
                              header_h + r * GRID_CELL + (GRID_CELL - cell.height) // 2))
    target.parent.mkdir(parents=True, exist_ok=True)
    grid.save(target)


def _cell(array: np.ndarray) -> Image.Image:
    image = Image.fromarray(array)
    image.thumbnail((GRID_CELL - 4, GRID_CELL - 4), Image.Resampling.LANCZOS)
    return image


def collect_sets(config: BackgroundEvalConfig, data: Path | None, pictures: Path | None) -> dict[str, list[Pair]]:
    from restora.tools.background.data import read_pairs

    sets: dict[str, list[Pair]] = {}
    if data is not None:
        entries = read_pairs(Path(data), config.split)
        if not entries:
            raise ValueError(f"{data} has no pairs in its {config.split} split")
        pairs = [Pair(Path(e.image).name, Path(data) / e.image, Path(data) / e.matte, e.category) for e in entries]
        sets[f"composites-{config.split}"] = _spread(pairs, config.limit)
    if pictures is not None:
        sets[f"pictures:{Path(pictures).name}"] = _spread(list_picture_pairs(Path(pictures)), config.limit)
    if not sets:
        raise ValueError("give --data (a set from `restora data background`) or --pictures (a folder of pairs), or both")
    return sets


def run_evaluation(config: BackgroundEvalConfig, data: Path | None = None, pictures: Path | None = None,
                   settings: Any = None, echo: Callable[[str], None] = lambda line: None,
                   grid: Path | None = None) -> dict:
    from restora.tools.base import settings_or_default

    edges = tuple(e.strip() for e in config.edges.split(",") if e.strip())
    if not edges or any(e not in EDGE_STEPS for e in edges):
        raise ValueError(f"edges must be a comma-separated list of {', '.join(EDGE_STEPS)}, not {config.edges!r}")
    settings = settings_or_default(settings)
    if config.threads:
        settings = dataclasses.replace(settings, torch_threads=config.threads)
    sets = collect_sets(config, data, pictures)
    segmenters, skipped = build_segmenters(config, settings)
    report: dict[str, Any] = {"config": asdict(config), "data": str(data) if data else None,
                              "pictures": str(pictures) if pictures else None, "skipped": skipped, "sets": {}}
    for set_name, pairs in sets.items():
        echo(f"{set_name}: {len(pairs)} pairs, segmenters {', '.join(segmenters)}, edges {', '.join(edges)}")
        results, rows = evaluate_set(pairs, segmenters, edges, echo)
        report["sets"][set_name] = {"pairs": len(pairs), "results": results, "by_category": by_category(rows), "rows": rows}
    if grid is not None:
        name = config.grid_segmenter
        if name not in segmenters:
            raise ValueError(f"the grid's segmenter {name!r} was not run (ran: {', '.join(segmenters)})")
        first = next(iter(sets.values()))
        picture_grid(_spread(first, config.grid_rows), segmenters[name], name == "person", Path(grid))
        report["grid"] = str(grid)
    return report


def format_table(report: dict) -> str:
    lines = []
    for set_name, block in report["sets"].items():
        lines.append(f"{set_name} ({block['pairs']} pairs)")
        lines.append(f"  {'segmenter':<12} {'edges':<6} {'IoU':>7} {'MAE':>7} {'maxF':>7} {'s/pic':>7}")
        for name, steps in block["results"].items():
            for step, s in steps.items():
                lines.append(f"  {name:<12} {step:<6} {s['iou']:7.4f} {s['mae']:7.4f} {s['max_f']:7.4f} {s['seconds_per_picture']:7.3f}")
    for name, why in report["skipped"].items():
        lines.append(f"skipped {name}: {why}")
    return "\n".join(lines)


def eval_command(config: BackgroundEvalConfig, *, data: Path | None, pictures: Path | None, json: Path | None,
                 grid: Path | None, settings: Any = None, echo: Callable[[str], None] = print) -> str:
    """`restora eval background`: score, write the JSON and the grid, and print the table."""
    report = run_evaluation(config, data, pictures, settings=settings, echo=echo, grid=grid)
    if json is not None:
        Path(json).parent.mkdir(parents=True, exist_ok=True)
        Path(json).write_text(json_module.dumps(report, indent=1))
    return format_table(report)
