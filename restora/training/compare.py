"""Compare finished training runs: a markdown table and one PNG of validation gain against time.

    python -m restora.training.compare RUN_DIR... --png OUT.png
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path


def _rows(run: Path) -> list[dict[str, str]]:
    with (run / "metrics.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def summarise(run: Path) -> dict:
    rows = _rows(run)
    config = json.loads((run / "config.json").read_text())
    val = [r for r in rows if r["val_gain"]]
    last = rows[-1]
    return {
        "run": run.name,
        "gan": config["gan"] if int(config["warmup_steps"]) < int(last["step"]) else "none (content only)",
        "content": config["content"],
        "steps": int(last["step"]),
        "minutes": float(last["elapsed_s"]) / 60,
        "s_per_step": float(last["elapsed_s"]) / max(1, int(last["step"])),
        "val_gain_db": float(val[-1]["val_gain"]),
        "best_val_gain_db": max(float(r["val_gain"]) for r in val),
    }


def plot(runs: list[Path], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for run in runs:
        rows = _rows(run)
        val = [r for r in rows if r["val_gain"]]
        left.plot([float(r["elapsed_s"]) / 60 for r in val], [float(r["val_gain"]) for r in val], marker="o", ms=3, label=run.name)
        loss = [r for r in rows if r["content"]]
        right.plot([int(r["step"]) for r in loss], [float(r["content"]) for r in loss], lw=0.7, label=run.name)
    left.set_xlabel("training minutes")
    left.set_ylabel("validation PSNR gain (dB)")
    left.axhline(0, color="grey", lw=0.5)
    right.set_xlabel("generator step")
    right.set_ylabel("content loss (own scale per loss)")
    right.set_yscale("log")
    left.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(target, dpi=80)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--png", type=Path, required=True)
    args = parser.parse_args()
    print("| run | adversarial | content | steps | minutes | s/step | final val gain (dB) | best (dB) |")
    print("|---|---|---|---|---|---|---|---|")
    for run in args.runs:
        s = summarise(run)
        print(f"| {s['run']} | {s['gan']} | {s['content']} | {s['steps']} | {s['minutes']:.1f} | {s['s_per_step']:.2f} "
              f"| {s['val_gain_db']:+.2f} | {s['best_val_gain_db']:+.2f} |")
    plot(args.runs, args.png)


if __name__ == "__main__":
    main()
