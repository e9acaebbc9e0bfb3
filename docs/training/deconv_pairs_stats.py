"""What is left to correct after the kernel method, on a `restora data deconv-pairs` folder (docs/training/deblur.md §10).

    PYTHONPATH=. .venv/bin/python docs/training/deconv_pairs_stats.py data/deconv

Prints, per split, the mean PSNR of the blurred and the deconvolved crops (from pairs.json), the
deconvolution's mean gain, its worst case and the share of pairs it made worse; the same for the pairs
without noise or JPEG; the held-out deconvolutions smoothed by small Gaussians (is there noise left to
remove?); and the L1 + gradient content loss of leaving the deconvolution as it is, on the training
batches a run with seed 0, crop 256 and batch 8 sees first (the floor a clean-up net has to beat).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from scipy.ndimage import gaussian_filter

from restora.imaging.metrics import psnr
from restora.training.deconv_pairs import MANIFEST, FolderPairMaker
from restora.training.losses import ContentLoss


def summary(label: str, records: list[dict]) -> None:
    gains = np.array([r["psnr_deconvolved"] - r["psnr_blurred"] for r in records])
    print(f"{label}: {len(records)} pairs, blurred {np.mean([r['psnr_blurred'] for r in records]):.2f} dB, "
          f"deconvolved {np.mean([r['psnr_deconvolved'] for r in records]):.2f} dB, gain {gains.mean():+.2f} "
          f"(worst {gains.min():+.2f}, {np.mean(gains < 0):.0%} of pairs worse)")


def main(folder: Path) -> None:
    records = json.loads((folder / MANIFEST).read_text())["pairs"]
    for split in ("train", "val"):
        summary(split, [r for r in records if r["split"] == split])
    summary("train, no noise or JPEG", [r for r in records if r["split"] == "train" and not r["noise"] and r["jpeg"] is None])

    def read(sub: str, name: str) -> np.ndarray:
        return np.asarray(Image.open(folder / sub / f"{name}.png"), dtype=np.float32) / 255.0

    held_out = [(read("sharp", r["name"]), read("deconvolved", r["name"])) for r in records if r["split"] == "val"]
    for sigma in (0.0, 0.5, 0.7, 1.0):
        smoothed = [gaussian_filter(d, (sigma, sigma, 0)) if sigma else d for _, d in held_out]
        score = np.mean([psnr(s, d, border=16) for (s, _), d in zip(held_out, smoothed)])
        print(f"held-out deconvolutions smoothed with a Gaussian of sigma {sigma}: {score:.2f} dB")

    maker, loss = FolderPairMaker(folder, crop=256, batch=8, seed=0), ContentLoss("l1+grad", None)
    losses = [float(loss(*(torch.from_numpy(a) for a in maker.batch(step)))) for step in range(0, 400, 20)]
    print(f"content loss (l1+grad) of the deconvolution left as it is, 20 training batches: {np.mean(losses):.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
