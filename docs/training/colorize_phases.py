"""What each NoGAN phase bought: the run's checkpoints scored on every validation photo of the set.

Usage: .venv/bin/python docs/training/colorize_phases.py RUN_DIR [--data data/colorize] [--side 512]
       [--weights FILE.safetensors ...]   (exported generators scored beside the run, e.g. the shipped one)
Scores the generator after phase 1 (generator_phase.pt), after the critic phase (gan_000000.pt: the same
generator, phases 1-2), every kept GAN checkpoint and the picked inflection point, next to two baselines
(the grey image, and the evaluation's uniform sepia tone at the photo's own Y), at render size 256: mean PSNR gain over
grey (dB), worst gain, colourfulness relative to the originals (Hasler-Süsstrunk, ratio of means).
The validation photos are the set's ``val`` split (never trained on; not the evaluation photos).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from restora.imaging.colour import luma, to_uint8
from restora.imaging.metrics import psnr
from restora.tools.colorize.data import load_rgb
from restora.tools.colorize.export import load_run_generator
from restora.tools.colorize.losses import colourfulness
from restora.tools.colorize.photos import read_photo_manifest
from restora.tools.colorize.training import score_generator

def sepia_scores(photos: list[np.ndarray]) -> dict:
    """The evaluation's uniform sepia baseline (CSS sepia(1) at the photo's own Y, restora eval colorize)."""
    from restora.tools.colorize.evaluate import sepia

    gains, ours, originals = [], [], []
    for rgb in photos:
        original = rgb.astype(np.float32) / 255
        y = luma(rgb)
        grey = np.repeat(y[..., None], 3, axis=2).clip(0, 1)
        result = sepia(to_uint8(grey)).astype(np.float32) / 255
        gains.append(psnr(original, result) - psnr(original, grey))
        ours.append(colourfulness(result))
        originals.append(colourfulness(original))
    return {"val_gain_db": float(np.mean(gains)), "worst_gain_db": float(np.min(gains)),
            "val_colourfulness": float(np.mean(ours) / np.mean(originals))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("--data", type=Path, default=Path("data/colorize"))
    parser.add_argument("--side", type=int, default=512)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--weights", type=Path, action="append", default=[],
                        help="an exported generator (.safetensors) to score beside the run's checkpoints")
    args = parser.parse_args()
    torch.set_num_threads(2)
    photos = [load_rgb(args.data / e.file, args.side) for e in read_photo_manifest(args.data) if e.split == "val"]
    rows = {"grey": {"val_gain_db": 0.0, "worst_gain_db": 0.0, "val_colourfulness": 0.0},
            "uniform sepia": sepia_scores(photos)}
    for path in args.weights:
        from restora.tools.colorize.inference import build_generator
        from restora.weights import read_safetensors

        scores = score_generator(build_generator(read_safetensors(path)), photos, 256, 2.0)
        scores.pop("samples")
        rows[f"{path.name} (exported)"] = scores
    folder = args.run / "checkpoints"
    names = ["generator_phase.pt", *sorted(p.name for p in folder.glob("gan_*.pt")), "inflection.pt"]
    for name in names:
        if (folder / name).exists():
            net, state = load_run_generator(folder / name)
            scores = score_generator(net, photos, 256, 2.0)
            scores.pop("samples")
            rows[f"{name} (step {state['step']})"] = scores
    print(f"{len(photos)} validation photos at {args.side} px, render size 256")
    print("| generator | PSNR gain over grey (dB) | worst (dB) | colourfulness / originals' |")
    print("|---|---|---|---|")
    for name, s in rows.items():
        print(f"| {name} | {s['val_gain_db']:+.2f} | {s['worst_gain_db']:+.2f} | {s['val_colourfulness']:.2f} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
