"""``restora eval colorize``: colour photos made grey, colorized, and scored against their true colours.

Every photo of the folder (by default the scikit-image and scikit-learn photos of ``restora eval
export-set``: never in the training set, which comes from Debian and PyPI packages) is shrunk to at most
``long_side`` px and made grey (its BT.601 luminance in all three channels, 8-bit). Each method colorizes
the grey image; each result is scored against the original:
- PSNR on RGB in [0, 1] (``restora.imaging.metrics.psnr``) and its gain over the grey image itself;
- mean CIEDE2000 ΔE00 (lower is closer);
- colourfulness (Hasler–Süsstrunk): the mean over photos relative to the originals' mean, since PSNR
  alone rewards greyish results wherever true colours are muted;
- mean |ΔY| against the grey input, in 8-bit levels: a colorizer must not change the luminance (≤ 1).

Methods: ``grey`` (the input), ``sepia`` (a uniform sepia tone at the photo's luminance), each colorizer
given (e.g. the tool's net, ``ours``), and, with hints sampled from the original at ``hint_fractions`` of
the pixels (a fixed seed per photo and fraction), ``hints`` alone (no base colours: Levin et al.'s method
as Restora implements it) and each colorizer with hints. The tool runs with auto levels off, so the grey
input's luminance is the reference for ΔY. A real old photo (``old_photo``, when present) is shown in
the picture grid only: it has no true colours to score against.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PIL import Image, ImageDraw

from restora.imaging.colour import luma, rgb_to_yuv, to_uint8
from restora.imaging.colour_metrics import colourfulness, mean_ciede2000
from restora.imaging.hints import apply_hints, compose_rgb
from restora.imaging.metrics import psnr
from restora.options import option

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
# (grey uint8 H×W×3, hints uint8 H×W×4 RGBA or None) -> uint8 H×W×3
Colorizer = Callable[[np.ndarray, "np.ndarray | None"], np.ndarray]
# The sepia tone of CSS's ``filter: sepia(1)`` (W3C Filter Effects Module Level 1), a public definition
# rather than a tone picked here; only its chroma is used, at the photo's own luminance.
SEPIA_MATRIX = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])


@dataclass(frozen=True)
class EvalConfig:
    seed: int = option(2026, "Seed of the hint samples.")
    # 512 px: the size the 2004 method's reference numbers were measured at (models.md §4.5)
    long_side: int = option(512, "Shrink photos so their long side is at most this many pixels (0: as they are).")
    hint_fractions: tuple[float, ...] = option((0.005, 0.02), "Fractions of the pixels given as hints.", hidden=True)
    old_photo: str = option("data/colorize/photos/kphotoalbum__new_wave_1.jpg",
                            "A real old photo for the picture grid only; skipped when absent.")


@dataclass
class EvalReport:
    config: EvalConfig
    images: list[str]
    rows: list[dict] = field(default_factory=list)  # one per (image, method)
    # method -> {"psnr", "psnr_gain", "ciede2000", "colourfulness", "colourfulness_ratio", "delta_y"}
    means: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # total time per method
    original_colourfulness: float = 0.0

    def to_json(self) -> dict:
        return {"config": asdict(self.config), "images": self.images, "means": self.means,
                "original_colourfulness": self.original_colourfulness, "seconds": self.seconds,
                "rows": self.rows}


def list_images(data_dir: Path) -> list[Path]:
    files = sorted(p for p in Path(data_dir).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise FileNotFoundError(f"no PNG/JPEG/WebP images in {data_dir}")
    return files


def load_photo(path: Path, long_side: int) -> np.ndarray:
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    if long_side and max(image.size) > long_side:
        image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    return np.asarray(image)


def make_grey(rgb: np.ndarray) -> np.ndarray:
    """uint8 H×W×3 grey: the photo's luminance, 8-bit, in all three channels."""
    return np.repeat(to_uint8(luma(rgb))[..., None], 3, axis=2)


def sample_hints(rgb: np.ndarray, fraction: float, seed: int, name: str) -> np.ndarray:
    """H×W×4 RGBA: the original's colour at ``fraction`` of the pixels (fixed per seed, photo, fraction)."""
    rng = np.random.default_rng([seed, zlib.crc32(name.encode("utf-8")), round(fraction * 1e6)])
    height, width = rgb.shape[:2]
    count = max(1, round(fraction * height * width))
    chosen = rng.choice(height * width, size=count, replace=False)
    hints = np.zeros((height * width, 4), dtype=np.uint8)
    hints[chosen, :3] = rgb.reshape(-1, 3)[chosen]
    hints[chosen, 3] = 255
    return hints.reshape(height, width, 4)


def sepia(grey: np.ndarray, hints: np.ndarray | None = None) -> np.ndarray:
    """A uniform sepia tone (CSS sepia(1)) at the grey image's own luminance."""
    toned = np.clip((grey.astype(np.float64) / 255.0) @ SEPIA_MATRIX.T, 0.0, 1.0)
    return to_uint8(compose_rgb(luma(grey), rgb_to_yuv(toned)[..., 1:]))


def hints_only(grey: np.ndarray, hints: np.ndarray | None) -> np.ndarray:
    """The hints spread over the grey image with no base colours (chroma 0 where no hint reaches)."""
    y = luma(grey)
    uv = np.zeros(y.shape + (2,), dtype=np.float32)
    if hints is not None:
        uv = apply_hints(y, uv, hints)
    return to_uint8(compose_rgb(y, uv))


def score(original: np.ndarray, grey: np.ndarray, result: np.ndarray) -> dict[str, float]:
    return {
        "psnr": psnr(original, result),
        "ciede2000": mean_ciede2000(original, result),
        "colourfulness": colourfulness(result),
        "delta_y": float(np.mean(np.abs(luma(result) - luma(grey))) * 255.0),  # 8-bit levels
    }


def fraction_label(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def evaluate_colorize(
    config: EvalConfig,
    data_dir: Path,
    colorizers: dict[str, Colorizer],
    *,
    grid: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    """Score the baselines, hints alone, and ``colorizers`` (name -> function, e.g. {"ours": the tool})."""
    files = list_images(data_dir)
    report = EvalReport(config, [f.name for f in files])
    grid_rows: list[list[np.ndarray]] = []
    originals_m = []
    for path in files:
        original = load_photo(path, config.long_side)
        grey = make_grey(original)
        originals_m.append(colourfulness(original))
        cases: list[tuple[str, Colorizer, np.ndarray | None]] = [("grey", lambda g, h: g, None), ("sepia", sepia, None)]
        cases += [(name, colorize, None) for name, colorize in colorizers.items()]
        for fraction in config.hint_fractions:
            hints = sample_hints(original, fraction, config.seed, path.name)
            cases.append((f"hints {fraction_label(fraction)}", hints_only, hints))
            cases += [(f"{name} + hints {fraction_label(fraction)}", colorize, hints)
                      for name, colorize in colorizers.items()]
        results = {}
        for method, colorize, hints in cases:
            started = time.perf_counter()
            results[method] = colorize(grey, hints)
            report.seconds[method] = report.seconds.get(method, 0.0) + time.perf_counter() - started
            report.rows.append({"image": path.name, "method": method, **score(original, grey, results[method])})
        grid_rows.append(_grid_row(grey, original, results, colorizers, config))
        if progress:
            progress(path.name)
    report.original_colourfulness = float(np.mean(originals_m))
    grey_psnr = {r["image"]: r["psnr"] for r in report.rows if r["method"] == "grey"}
    for method in dict.fromkeys(r["method"] for r in report.rows):
        chosen = [r for r in report.rows if r["method"] == method]
        means = {key: float(np.mean([r[key] for r in chosen])) for key in ("psnr", "ciede2000", "colourfulness", "delta_y")}
        means["psnr_gain"] = float(np.mean([r["psnr"] - grey_psnr[r["image"]] for r in chosen]))
        means["colourfulness_ratio"] = means["colourfulness"] / max(report.original_colourfulness, 1e-9)
        report.means[method] = means
    if grid is not None:
        old = Path(config.old_photo)
        if config.old_photo and old.is_file():
            original = load_photo(old, config.long_side)
            grey = make_grey(original)
            hints = sample_hints(original, max(config.hint_fractions), config.seed, old.name)
            results = {"hints": hints_only(grey, hints), "sepia": sepia(grey)}
            for name, colorize in colorizers.items():
                results[name] = colorize(grey, None)
                results[f"{name} + hints"] = colorize(grey, hints)
            grid_rows.append(_grid_row(grey, original, results, colorizers, config, exact=True))
        write_grid(grid, grid_columns(colorizers), grid_rows)
    return report


def grid_columns(colorizers: dict[str, Colorizer]) -> list[str]:
    name = next(iter(colorizers), "")
    if not name:
        return ["grey", "sepia", "hints alone", "original"]
    return ["grey", name, f"{name} with hints", "original"]


def _grid_row(grey: np.ndarray, original: np.ndarray, results: dict[str, np.ndarray],
              colorizers: dict[str, Colorizer], config: EvalConfig, exact: bool = False) -> list[np.ndarray]:
    """grey | the first colorizer (or sepia) | it with the most hints (or hints alone) | original."""
    name = next(iter(colorizers), "")
    label = fraction_label(max(config.hint_fractions))
    hinted = (f"{name} + hints" if exact else f"{name} + hints {label}") if name else ("hints" if exact else f"hints {label}")
    return [grey, results[name] if name else results["sepia"], results[hinted], original]


def write_grid(path: Path, columns: list[str], rows: list[list[np.ndarray]], *, height: int = 192) -> None:
    """A picture grid for the docs: one row per photo, one column per method, labels on top (PNG/JPEG)."""
    if not rows:
        raise ValueError("nothing to put in the grid")
    widths = [max(round(row[0].shape[1] * height / row[0].shape[0]) for row in rows)]
    cell_w, label_h, gap = widths[0], 20, 4
    canvas = Image.new("RGB", (len(columns) * (cell_w + gap) + gap, label_h + len(rows) * (height + gap) + gap), "white")
    draw = ImageDraw.Draw(canvas)
    for c, title in enumerate(columns):
        draw.text((gap + c * (cell_w + gap) + 4, 4), title, fill=(0, 0, 0))
    for r, row in enumerate(rows):
        for c, picture in enumerate(row):
            cell = Image.fromarray(picture)
            cell.thumbnail((cell_w, height), Image.Resampling.LANCZOS)
            canvas.paste(cell, (gap + c * (cell_w + gap), label_h + gap + r * (height + gap)))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path, **({"quality": 85} if Path(path).suffix.lower() in (".jpg", ".jpeg") else {}))


def format_table(report: EvalReport) -> str:
    """A Markdown table: one row per method."""
    lines = [
        "| method | PSNR (dB) | ΔPSNR vs grey | CIEDE2000 | colourfulness vs original | mean abs ΔY (levels) | s/photo |",
        "|---|---|---|---|---|---|---|",
    ]
    count = max(len(report.images), 1)
    for method, m in report.means.items():
        lines.append(f"| {method} | {m['psnr']:.2f} | {m['psnr_gain']:+.2f} | {m['ciede2000']:.2f} | "
                     f"{m['colourfulness_ratio']:.2f} | {m['delta_y']:.3f} | {report.seconds[method] / count:.2f} |")
    lines.append(f"\nOriginals' mean colourfulness: {report.original_colourfulness:.1f} (Hasler–Süsstrunk M).")
    return "\n".join(lines)


def tool_colorizer(weights: str = "", settings: Any = None) -> Colorizer:
    """The colorize tool's pipeline (net, then hints) as a colorizer, auto levels off (see module doc)."""
    from restora.tools.colorize import Colorize, colorize_array

    net = Colorize().generator(weights, settings)
    return lambda grey, hints: colorize_array(grey, net, hints=hints, levels=False)


def eval_command(config: EvalConfig, *, data: Path, weights: str = "", json: Path | None = None,
                 grid: Path | None = None, baselines_only: bool = False, settings: Any = None,
                 echo: Callable[[str], None] = print) -> str:
    """`restora eval colorize`: the table; the JSON and the picture grid if asked."""
    import json as json_module

    if not config.hint_fractions or not all(0 < f < 1 for f in config.hint_fractions):
        raise ValueError("hint fractions must be between 0 and 1")
    colorizers = {} if baselines_only else {"ours": tool_colorizer(weights, settings)}
    report = evaluate_colorize(config, Path(data), colorizers, grid=grid, progress=lambda step: echo(f"  {step}"))
    if json is not None:
        result = report.to_json()
        result["weights"] = None if baselines_only else (weights or "default")
        json.parent.mkdir(parents=True, exist_ok=True)
        json.write_text(json_module.dumps(result, indent=2) + "\n", encoding="utf-8")
    return format_table(report)
