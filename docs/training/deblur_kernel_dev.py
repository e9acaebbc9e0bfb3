"""The kernel method's development measurements (docs/training/deblur.md §9), on Debian photos, never the eval set.

    PYTHONPATH=. .venv/bin/python docs/training/deblur_kernel_dev.py PHOTOS_DIR KIND [NOISE_SIGMA [CONFIG_JSON [SET]]]

PHOTOS_DIR is `restora data debian --out DIR`'s folder. SET "dev" (the default): the 4 validation photos of
its manifest and every 12th training photo (9 in all), each blurred twice; SET "all": every photo (56),
each blurred once. Photos are shrunk to 640 px (DEV_PHOTO_SIZE in the environment for another size) and
blurred with seed 7 (the evaluation uses 2026 and other photos); KIND is trajectory, linear or none (the
sharp photo itself, once). Each case is restored by the net (shipped weights, as the tool runs), by
blind kernel estimation + deconvolution ("kernel"), and by "auto" (the tool's rule: the kernel result
where the net changed the photo by at most AUTO_NET_UNCHANGED_DB and the kernel spreads at least
AUTO_MIN_SPREAD, else the net's; without the agreement test, which deblur_auto_rule.py scores from the
`agree` column: the kernel_agreement of a second estimate); "oracle" deconvolves with the true kernel, for scale. CONFIG_JSON
overrides fields of restora.imaging.blind.BlindConfig, e.g. '{"l0_weight": 0.016}'. Prints one line per
case and the means.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from restora.imaging import blind
from restora.imaging.metrics import psnr, quantise
from restora.tools.deblur import AUTO_MIN_SPREAD, AUTO_NET_UNCHANGED_DB, deblur_by_net
from restora.tools.deblur.evaluate import blur_case


SIZE = int(os.environ.get("DEV_PHOTO_SIZE", "640"))  # long side the photos are shrunk to


def dev_photos(photos_dir: Path, which: str = "dev") -> list[tuple[str, np.ndarray]]:
    entries = json.loads((photos_dir / "manifest.json").read_text())["entries"]
    val = [e["file"] for e in entries if e["kind"] == "photo" and e["split"] == "val"]
    train = [e["file"] for e in entries if e["kind"] == "photo" and e["split"] == "train"]
    out = []
    for name in sorted(val + (train if which == "all" else train[::12][:5])):
        with Image.open(photos_dir / name) as opened:
            photo = opened.convert("RGB")
        photo.thumbnail((SIZE, SIZE), Image.LANCZOS)
        out.append((Path(name).stem + ".png", np.asarray(photo)))
    return out


def cases(photos_dir: Path, kind: str, noise: float, which: str):
    for name, sharp in dev_photos(photos_dir, which):
        for draw in range(1 if kind == "none" or which == "all" else 2):
            if kind == "none":
                blurred, kernel = sharp, np.ones((1, 1), dtype=np.float32)
            else:
                blurred, kernel = blur_case(sharp, name, kind, 7, draw)
            if noise:
                noisy = blurred / 255.0 + np.random.default_rng(draw).normal(0, noise, blurred.shape)
                blurred = quantise(np.clip(noisy, 0, 1))
            yield name, sharp, blurred, kernel


def main(photos_dir: Path, kind: str, noise: float, config: blind.BlindConfig, which: str) -> None:
    rows = []
    for name, sharp, blurred, kernel in cases(photos_dir, kind, noise, which):
        # two views, no bar: the second estimate is made and scored, and the photo always deconvolved
        result = blind.blind_deblur(blurred / 255.0, config, views=2)
        by_net = deblur_by_net(blurred, "", tile=1536, progress=None)
        oracle = blind.deconvolve(blurred / 255.0, kernel)
        row = {"blurred": psnr(sharp, blurred, border=16), "net": psnr(sharp, by_net, border=16),
               "kernel": psnr(sharp, quantise(result.restored), border=16),
               "oracle": psnr(sharp, quantise(oracle), border=16), "spread": result.spread,
               # how much the net changes the photo: it was trained to leave sharp photos alone
               "net_change": psnr(blurred, by_net, border=16),
               # kernel_agreement of the estimate with a second one (restora.imaging.blind.blind_deblur)
               "agree": result.support}
        deconvolves = result.spread >= AUTO_MIN_SPREAD and row["net_change"] <= AUTO_NET_UNCHANGED_DB
        row["auto"] = row["kernel"] if deconvolves else row["net"]  # the tool's rule, deblur_auto
        rows.append(row)
        print(f"{name[:28]:28s} k{kernel.shape[0]:3d} " + " ".join(f"{k} {v:.2f}" for k, v in row.items()), flush=True)
    means = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
    gains = ", ".join(f"{m} {means[m]:.2f} ({means[m] - means['blurred']:+.2f}, worst "
                      f"{min(r[m] - r['blurred'] for r in rows):+.2f})" for m in ("net", "kernel", "auto", "oracle"))
    print(f"MEAN {kind} noise {noise}: blurred {means['blurred']:.2f}; {gains}")


if __name__ == "__main__":
    overrides = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    main(Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.0,
         replace(blind.BlindConfig(), **overrides), sys.argv[5] if len(sys.argv) > 5 else "dev")
