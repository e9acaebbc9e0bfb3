"""The background tool beside rembg (the alternative a user has), on the same 1-megapixel photos, same run.

Our side runs in this process like tools_bench; rembg's runs in its own venv (``make rembg-venv``:
``.venv-rembg`` from benchmarks/requirements-rembg.txt, so pymatting and numba stay out of the app) as
``python -m benchmarks.rembg_side``, which reads the photos we wrote and times one ``remove`` per line we
send. The two sides take turns, one run of each variant per round, so a shared machine's changing load
falls on both alike. Both sides: the same repeats after one untimed warm-up run each, onnxruntime
sessions built before timing, the same onnxruntime thread count, a white background. rembg loads our
shipped u2netp.onnx (the file it would download; its md5 is checked) from a temporary ``U2NET_HOME``.

Pairs compared (ratio = ours / rembg, wall and CPU): our defaults against rembg's defaults; U²-Netp with
``fast`` edges against plain rembg; U²-Netp with ``fine`` edges against rembg's ``alpha_matting=True``.
Mask IoU (alpha > 0.5) against rembg's u2netp mask: the same net on both sides, so a low value means the
preprocessing differs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

from benchmarks.common import object_photo, onnxruntime_options, photo, wall_and_cpu_ms

NAME = "background_vs_rembg"
REPEATS = 5  # as tools_bench's 1-MP runs
ROOT = Path(__file__).resolve().parent.parent
REMBG_PYTHON = ROOT / ".venv-rembg" / "bin" / "python"
PHOTOS = {"object": object_photo, "portrait": photo}  # the coffee cup: auto runs U²-Netp; the astronaut: person
# Our variants: name -> the tool's parameters beyond its defaults (a white colour background)
OURS = {"default": {}, "u2netp_fast": {"segmenter": "u2netp", "edges": "fast"},
        "u2netp_fine": {"segmenter": "u2netp", "edges": "fine"}}
THEIRS = ("plain", "alpha_matting")  # benchmarks/rembg_side.py's VARIANTS
# (ours, rembg's) pairs for the ratios
PAIRS = (("default", "plain"), ("u2netp_fast", "plain"), ("u2netp_fine", "alpha_matting"))


class RembgSide:
    """rembg's process (benchmarks.rembg_side): ``about`` is what it said of itself; ``time`` runs one remove.

    :raises RuntimeError: with its error output when it stops or answers something else than JSON.
    """

    def __init__(self, python: Path, photos: Path, masks: Path, threads: int, folder: Path) -> None:
        home = folder / "u2net_home"  # rembg finds u2netp.onnx directly in it and downloads nothing
        home.mkdir()
        (home / "u2netp.onnx").symlink_to(ROOT / "restora" / "weights" / "u2netp.onnx")
        self.printed: dict[tuple[str, str], list[str]] = {}  # (photo, variant) -> what its runs printed
        self.errors = folder / "rembg_stderr.txt"
        with open(self.errors, "w") as errors:  # a file, not a pipe: nobody reads it while the run goes on
            self.process = subprocess.Popen(
                [str(python), "-m", "benchmarks.rembg_side", "--photos", str(photos), "--masks", str(masks),
                 "--threads", str(threads)],
                cwd=ROOT, env={**os.environ, "U2NET_HOME": str(home)}, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=errors, text=True)
        self.about = self._read()

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        try:
            return json.loads(line)
        except ValueError:
            try:  # at the end of its output: it is exiting, or it said something else and is stopped
                code = self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                code = self.process.wait()
            self.close()
            raise RuntimeError(f"rembg side exited {code}: {line.strip()[-200:]} "
                               f"{self.errors.read_text().strip()[-500:]}") from None

    def time(self, photo_name: str, variant: str) -> tuple[float, float]:
        try:
            self.process.stdin.write(f"{photo_name} {variant}\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # it has stopped: reading its end of output says why
        answer = self._read()
        if answer["printed"]:
            self.printed.setdefault((photo_name, variant), []).append(answer["printed"])
        return answer["wall_ms"], answer["cpu_ms"]

    def close(self) -> None:
        """End of its input: it exits."""
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass  # it had stopped already
        self.process.wait(60)
        self.process.stdout.close()


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of ``a > 0.5`` and ``b > 0.5``."""
    a, b = a > 0.5, b > 0.5
    union = np.logical_or(a, b).sum()
    return round(float(np.logical_and(a, b).sum() / union), 4) if union else 1.0


def take_turns(measures: dict[str, Callable[[], tuple[float, float]]], repeats: int) -> dict[str, dict]:
    """Each measure once untimed, then ``repeats`` rounds of each once: median wall and CPU ms per name."""
    for measure in measures.values():
        measure()
    runs: dict[str, list] = {name: [] for name in measures}
    for _ in range(repeats):
        for name, measure in measures.items():
            runs[name].append(measure())
    return {name: {"median_ms": round(statistics.median(wall for wall, _ in times), 1),
                   "median_cpu_ms": round(statistics.median(cpu for _, cpu in times), 1),
                   "runs_ms": [round(wall, 1) for wall, _ in times]} for name, times in runs.items()}


def time_side_by_side(tool, name: str, image, rembg: RembgSide, repeats: int) -> tuple[dict, dict]:
    """(our variants, rembg's) timed in turns on the photo ``name``."""
    measures = {}
    for variant, params in OURS.items():
        values = tool.validate(dict(params))
        tool.prepare(**values)
        measures[f"restora {variant}"] = lambda values=values: wall_and_cpu_ms(lambda: tool.run(image, **values))
    for variant in THEIRS:
        measures[f"rembg {variant}"] = lambda variant=variant: rembg.time(name, variant)
    timed = take_turns(measures, repeats)
    ours = {variant: {"params": params or "the tool's defaults (segmenter auto, edges fine, white)",
                      **timed[f"restora {variant}"]} for variant, params in OURS.items()}
    theirs = {variant: timed[f"rembg {variant}"] for variant in THEIRS}
    for variant in THEIRS:
        printed = rembg.printed.get((name, variant))
        if printed:  # pymatting's "PERFORMANCE WARNING" when its preconditioner had to retry
            theirs[variant]["printed"] = {"runs_incl_warmup": len(printed), "first": printed[0][:300]}
    return ours, theirs


def compare_masks(tool, image, rembg_mask: np.ndarray, variants: dict) -> dict:
    """IoU with rembg's mask of the segmenter's own mask and of each variant's refined matte (mask_only)."""
    from restora.tools.background.segment import segment
    from restora.tools.base import tool_output

    rgb = np.asarray(image)
    found = {name: segment(rgb, name, cached=tool.cached) for name in ("u2netp", "auto")}
    variants["default"]["auto_ran"] = found["auto"].segmenter
    result = {f"segmenter_{name}": iou(found[name].alpha, rembg_mask) for name in found}
    for name, params in OURS.items():
        matte = tool_output(tool, tool.run(image, **tool.validate({**params, "mask_only": True}))).image
        result[name] = iou(np.asarray(matte.convert("L"), np.float32) / 255.0, rembg_mask)
    return result


def our_onnxruntime(tool) -> dict:
    """The options of the very U²-Netp session the tool runs (built here, untimed, and kept in its cache)."""
    from restora.config import load_settings
    from restora.tools.background.segment import _session

    return onnxruntime_options(_session("u2netp", load_settings(), tool.cached))


def entry_for(name: str, image, repeats: int, onnx: dict, about: dict, ours: dict, theirs: dict) -> dict:
    def ratio(mine: str, other: str, key: str) -> float:
        return round(ours[mine][key] / theirs[other][key], 2)

    return {
        "name": f"{NAME}_{name}_1mp", "photo": name, "size": list(image.size), "repeats": repeats, "warmup": 1,
        "order": "the sides take turns: each round runs every variant of ours, then every variant of rembg's, once",
        "restora": {"onnxruntime": onnx, "variants": ours,
                    "did": "Background tool, background=colour, color=white (RGB out): segmenter, edge "
                           "refinement and foreground colours at full size"},
        "rembg": {**about, "variants": theirs},
        "ratios_ours_over_rembg": {f"{mine}/{other}": {"wall": ratio(mine, other, "median_ms"),
                                                       "cpu": ratio(mine, other, "median_cpu_ms")}
                                   for mine, other in PAIRS},
    }


def summary(entry: dict) -> str:
    """One line: each pair's medians (ours/rembg ms), its ratios, and the fast mask's IoU."""
    ours, theirs = entry["restora"]["variants"], entry["rembg"]["variants"]
    ratios = entry["ratios_ours_over_rembg"]
    pairs = [f"{mine}/{other} {ours[mine]['median_ms']:.0f}/{theirs[other]['median_ms']:.0f} ms = "
             f"{ratios[f'{mine}/{other}']['wall']} (CPU {ratios[f'{mine}/{other}']['cpu']})" for mine, other in PAIRS]
    return "; ".join(pairs) + f"; mask IoU u2netp_fast {entry['mask_iou_with_rembg_u2netp']['u2netp_fast']}"


def skipped(reason: str) -> list[dict]:
    print(f"  {NAME}: skipped: {reason}", flush=True)
    return [{"name": NAME, "skipped": reason}]


def run(repeats: int = REPEATS, photos: tuple[str, ...] = tuple(PHOTOS),
        rembg_python: Path = REMBG_PYTHON) -> list[dict]:
    """One entry per photo; a single "skipped" entry, with the reason, when rembg's side cannot run."""
    from PIL import Image

    from restora.tools import TOOLS

    if not rembg_python.exists():
        return skipped(f"{rembg_python} not found: `make rembg-venv` builds it (needs PyPI)")
    tool = TOOLS["background"]
    onnx = our_onnxruntime(tool)
    images = {name: PHOTOS[name](1.0) for name in photos}
    entries = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        (folder / "photos").mkdir()
        (folder / "masks").mkdir()
        for name, image in images.items():
            image.save(folder / "photos" / f"{name}.png")
        try:
            rembg = RembgSide(rembg_python, folder / "photos", folder / "masks", onnx["intra_op_threads"], folder)
            try:
                for name, image in images.items():
                    ours, theirs = time_side_by_side(tool, name, image, rembg, repeats)
                    entries.append(entry_for(name, image, repeats, onnx, rembg.about, ours, theirs))
            finally:
                rembg.close()
        except RuntimeError as exc:
            return skipped(str(exc))
        for entry, (name, image) in zip(entries, images.items()):
            mask = np.asarray(Image.open(folder / "masks" / f"{name}.png"), np.float32) / 255.0
            entry["mask_iou_with_rembg_u2netp"] = compare_masks(tool, image, mask, entry["restora"]["variants"])
            print(f"  {NAME} {name}: {summary(entry)}", flush=True)
    return entries
