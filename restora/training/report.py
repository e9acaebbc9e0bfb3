"""What a training run leaves beside its checkpoints: metrics.csv, a loss-curve PNG and a sample grid."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image

FIELDS = ["step", "elapsed_s", "phase", "lr", "content", "adversarial", "critic", "wasserstein", "penalty",
          "val_psnr_blurred", "val_psnr_restored", "val_gain", "val_sharp_psnr"]


class MetricsLog:
    """Append-only CSV of training metrics; on resume, rows after the checkpoint's step are dropped so
    the file matches what the resumed run will write again."""

    def __init__(self, path: Path, resume_step: int | None, fields: list[str] = FIELDS) -> None:
        self.path, self.fields = path, fields
        rows = self.read() if resume_step is not None and path.exists() else []
        rows = [r for r in rows if int(r["step"]) <= (resume_step or 0)]
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fields)
            writer.writeheader()
            writer.writerows({k: r.get(k, "") for k in fields} for r in rows)  # older files lack columns

    def read(self) -> list[dict[str, str]]:
        with self.path.open(newline="") as handle:
            return list(csv.DictReader(handle))

    def write(self, row: dict) -> None:
        with self.path.open("a", newline="") as handle:
            csv.DictWriter(handle, self.fields).writerow({k: row.get(k, "") for k in self.fields})


def _column(rows: list[dict[str, str]], name: str) -> tuple[np.ndarray, np.ndarray]:
    picked = [(int(r["step"]), float(r[name])) for r in rows if r.get(name) not in ("", None)]
    if not picked:
        return np.array([]), np.array([])
    steps, values = zip(*picked)
    return np.array(steps), np.array(values)


def plot_curves(rows: list[dict[str, str]], target: Path, title: str) -> None:
    """Content and critic losses per step, and the validation PSNR gain, in one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    steps, content = _column(rows, "content")
    top.plot(steps, content, lw=0.8)
    top.set_ylabel("content loss")
    top.set_yscale("log")
    for name in ("wasserstein", "adversarial"):
        s, v = _column(rows, name)
        if len(s):
            middle.plot(s, v, lw=0.8, label=name)
    middle.set_ylabel("critic estimates")
    if middle.lines:
        middle.legend(loc="best", fontsize=8)
    s, gain = _column(rows, "val_gain")
    bottom.plot(s, gain, marker="o", ms=3)
    bottom.axhline(0, color="grey", lw=0.5)
    bottom.set_ylabel("val PSNR gain (dB)")
    bottom.set_xlabel("generator step")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(target, dpi=80)
    plt.close(fig)


def save_sample_grid(triples: list[tuple[np.ndarray, np.ndarray, np.ndarray]], target: Path) -> None:
    """One row per sample: blurred | restored | sharp (HxWx3 floats in [0,1])."""
    rows = [np.concatenate(t, axis=1) for t in triples]
    grid = np.clip(np.concatenate(rows, axis=0), 0, 1)
    Image.fromarray(np.round(grid * 255).astype(np.uint8)).save(target)

