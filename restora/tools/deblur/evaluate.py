"""``restora eval deblur``: blur every photo of a folder with fixed seeds and score the restorations.

For each photo and each kernel kind (random trajectory, linear) a few kernels are drawn, each from a
generator seeded by (seed, file name, kind, index), so the same folder always gets the same blurs. The blurred image is
quantised to 8 bits, as a saved photo would be. Then it is restored by the deblur tool and by the
classical baselines, and every result is scored against the sharp photo with PSNR and SSIM on [0, 1],
ignoring a 16-px border (the frame, where padding decides the result, is not what we compare).

- ``blurred``: the input itself, the floor;
- ``unsharp``: unsharp masking, blind, what a photo editor offers;
- ``wiener``, ``richardson_lucy``: deconvolution *given the true kernel*, an oracle no real photo has.

Each photo also goes through the restorers (and unsharp masking) unblurred: a sharp photo should come
back unchanged, and its PSNR against itself (``unblurred`` means, kind ``"none"`` rows) says how much a
method damages photos that needed no deblurring.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from restora.imaging.blur import blur_image, random_kernel
from restora.options import option
from restora.imaging.metrics import psnr, quantise, ssim
from restora.imaging.sharpen import richardson_lucy, unsharp_mask, wiener_deconvolve

KINDS = ("trajectory", "linear")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")

# uint8 H×W×3 -> uint8 H×W×3
Restorer = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class EvalConfig:
    seed: int = option(2026, "Seed of the blur kernels.")
    border: int = option(16, "Pixels ignored on every side when scoring.")
    # a single draw per photo made the means swing by a dB
    kernels_per_image: int = option(3, "Kernels drawn per photo and kind.", flag="--kernels")
    kinds: tuple[str, ...] = option(KINDS, "Kernel families.", hidden=True)
    unblurred: bool = option(True, "Also score each method on the sharp photo itself.")


@dataclass
class EvalReport:
    config: EvalConfig
    images: list[str]
    # kind -> method -> {"psnr": mean dB, "ssim": mean}
    means: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)  # one per (image, kind, method)
    seconds: dict[str, float] = field(default_factory=dict)  # total restore time per method
    # method -> {"psnr", "ssim"} of the method's output for the unblurred photo, against that photo
    unblurred: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"config": asdict(self.config), "images": self.images, "means": self.means,
                "unblurred": self.unblurred, "seconds": self.seconds, "rows": self.rows}


def list_images(data_dir: Path) -> list[Path]:
    files = sorted(p for p in data_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise FileNotFoundError(f"no PNG/JPEG/WebP images in {data_dir}")
    return files


def blur_case(sharp: np.ndarray, name: str, kind: str, seed: int, index: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(8-bit blurred image, kernel) for one photo, kernel kind and draw index, the same on every run."""
    rng = np.random.default_rng([seed, zlib.crc32(name.encode("utf-8")), KINDS.index(kind), index])
    kernel = random_kernel(rng, kind)
    return quantise(blur_image(sharp.astype(np.float32) / 255.0, kernel)), kernel


def _on_uint8(method: Callable[[np.ndarray], np.ndarray]) -> Restorer:
    """A [0, 1] float method as a uint8 restorer."""
    return lambda x: quantise(method(x / 255.0))


UNSHARP = _on_uint8(unsharp_mask)  # blind: the one baseline that also runs on unblurred photos


def baseline_methods(kernel: np.ndarray) -> dict[str, Restorer]:
    return {
        "blurred": lambda x: x,
        "unsharp": UNSHARP,
        "wiener": _on_uint8(lambda x: wiener_deconvolve(x, kernel)),
        "richardson_lucy": _on_uint8(lambda x: richardson_lucy(x, kernel)),
    }


def evaluate(
    data_dir: Path,
    restorers: dict[str, Restorer],
    config: EvalConfig = EvalConfig(),
    *,
    baselines: bool = True,
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    """Score ``restorers`` (name -> function, e.g. {"output": the deblur tool}) and the baselines."""
    files = list_images(data_dir)
    report = EvalReport(config, [f.name for f in files])
    for path in files:
        with Image.open(path) as opened:
            sharp = np.asarray(opened.convert("RGB"))
        for kind, index in [(k, i) for k in config.kinds for i in range(config.kernels_per_image)]:
            blurred, kernel = blur_case(sharp, path.name, kind, config.seed, index)
            methods = dict(restorers)
            if baselines:
                methods = {**baseline_methods(kernel), **methods}
            for method, restore in methods.items():
                started = time.perf_counter()
                restored = restore(blurred)
                report.seconds[method] = report.seconds.get(method, 0.0) + time.perf_counter() - started
                report.rows.append({
                    "image": path.name, "kind": kind, "draw": index, "method": method,
                    "kernel_size": list(kernel.shape),
                    "psnr": psnr(sharp, restored, border=config.border),
                    "ssim": ssim(sharp, restored, border=config.border),
                })
            if progress:
                progress(f"{path.name} {kind} #{index}")
        if config.unblurred:
            for method, restore in {"unsharp": UNSHARP, **restorers}.items():
                restored = restore(sharp)
                report.rows.append({
                    "image": path.name, "kind": "none", "draw": 0, "method": method, "kernel_size": [1, 1],
                    "psnr": psnr(sharp, restored, border=config.border),
                    "ssim": ssim(sharp, restored, border=config.border),
                })
    for method in dict.fromkeys(r["method"] for r in report.rows if r["kind"] == "none"):
        chosen = [r for r in report.rows if r["kind"] == "none" and r["method"] == method]
        report.unblurred[method] = {"psnr": float(np.mean([r["psnr"] for r in chosen])),
                                    "ssim": float(np.mean([r["ssim"] for r in chosen]))}
    for kind in config.kinds:
        report.means[kind] = {}
        for method in dict.fromkeys(r["method"] for r in report.rows):
            chosen = [r for r in report.rows if r["kind"] == kind and r["method"] == method]
            report.means[kind][method] = {
                "psnr": float(np.mean([r["psnr"] for r in chosen])),
                "ssim": float(np.mean([r["ssim"] for r in chosen])),
            }
    return report


def format_table(report: EvalReport) -> str:
    """A Markdown table: one row per method, PSNR/SSIM per kernel kind, and the gain over the blurred input."""
    kinds = report.config.kinds
    header = "| method | " + " | ".join(f"{k} PSNR (dB) | {k} SSIM | {k} ΔPSNR" for k in kinds) + " |"
    lines = [header, "|---" * (1 + 3 * len(kinds)) + "|"]
    for method in report.means[kinds[0]]:
        cells = []
        for kind in kinds:
            value = report.means[kind][method]
            base = report.means[kind].get("blurred", value)["psnr"]
            cells += [f"{value['psnr']:.2f}", f"{value['ssim']:.4f}", f"{value['psnr'] - base:+.2f}"]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    if report.unblurred:
        lines += ["", "Unblurred photos through each method, scored against themselves (higher: less damage):", ""]
        lines += [f"- {method}: {value['psnr']:.2f} dB PSNR, SSIM {value['ssim']:.4f}"
                  for method, value in report.unblurred.items()]
    return "\n".join(lines)


def eval_command(config: EvalConfig, *, data: Path, weights: str, tile: int | None, json: Path | None,
                 method: tuple[str, ...], baselines_only: bool, settings=None, echo=print) -> str:
    """`restora eval deblur`: score the tool's methods and the baselines; the table, and the JSON if asked."""
    import json as json_module

    from restora.tools import TOOLS

    if not 1 <= config.kernels_per_image <= 50:
        raise ValueError("--kernels must be between 1 and 50")
    methods = tuple(dict.fromkeys(method or ("net",)))
    restorers = {}
    if not baselines_only:
        tool = TOOLS["deblur"]
        for name in methods:
            params = tool.validate({"weights": weights, "method": name} | ({"tile": tile} if tile is not None else {}))
            tool.prepare(settings=settings, **params)
            # "output" is the net's row, the name model cards and earlier reports use
            restorers["output" if name == "net" else name] = (
                lambda rgb, params=params: np.asarray(tool.run(Image.fromarray(rgb), settings=settings, **params)))
    report = evaluate(data, restorers, config, progress=lambda step: echo(f"  {step}"))
    if json is not None:
        result = report.to_json()
        result["weights"] = None if baselines_only else (weights or "default")
        result["methods"] = [] if baselines_only else list(methods)
        json.parent.mkdir(parents=True, exist_ok=True)
        json.write_text(json_module.dumps(result, indent=2) + "\n", encoding="utf-8")
    return format_table(report)
