"""Sharp/blurred pairs written to disk, with the kernel that made each, for training or evaluation sets.

Every image gets its own generator seeded by ``(seed, index in sorted order)``, so a set can be rebuilt
bit for bit and one image's kernel does not depend on how many came before it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from restora.imaging.blur import blur_image, random_kernel
from restora.options import option

KINDS = ("linear", "trajectory", "mixed", "mixed-light")

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def _to_uint8(pixels: np.ndarray) -> np.ndarray:
    return np.round(np.clip(pixels, 0.0, 1.0) * 255).astype(np.uint8)


def kernel_preview(kernel: np.ndarray) -> np.ndarray:
    """The kernel scaled so its peak is white, for looking at (the .npy keeps the exact values)."""
    return _to_uint8(kernel / kernel.max())


@dataclass(frozen=True)
class BlurPairsConfig:
    kind: str = option("trajectory", "Kernel family.", choices=KINDS)
    seed: int = option(0, "The same seed rebuilds the same set.")
    max_side: int = option(0, "Shrink larger images so the longest side is this many pixels (0: keep).")


def blur_pairs_command(config: BlurPairsConfig, *, src: Path, out: Path) -> str:
    """`restora data blur-pairs`."""
    records = write_blur_pairs(src, out, config.kind, config.seed, config.max_side or None)
    return f"{len(records)} pairs ({config.kind}, seed {config.seed}) in {out}"


def write_blur_pairs(src: Path, out: Path, kind: str, seed: int = 0, max_side: int | None = None) -> list[dict]:
    """Blur every image under ``src`` once; write sharp/, blurred/, kernels/ (PNG + .npy) and pairs.json."""
    sources = sorted(p for p in src.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not sources:
        raise FileNotFoundError(f"no images ({', '.join(IMAGE_SUFFIXES)}) under {src}")
    for sub in ("sharp", "blurred", "kernels"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    records = []
    for index, path in enumerate(sources):
        rng = np.random.default_rng([seed, index])
        with Image.open(path) as image:
            image = image.convert("RGB")
            if max_side and max(image.size) > max_side:
                image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            sharp = np.asarray(image, dtype=np.float32) / 255.0
        kernel = random_kernel(rng, kind)
        blurred = blur_image(sharp, kernel)
        name = "__".join(path.relative_to(src).with_suffix("").parts)
        Image.fromarray(_to_uint8(sharp)).save(out / "sharp" / f"{name}.png")
        Image.fromarray(_to_uint8(blurred)).save(out / "blurred" / f"{name}.png")
        Image.fromarray(kernel_preview(kernel)).save(out / "kernels" / f"{name}.png")
        np.save(out / "kernels" / f"{name}.npy", kernel)
        records.append({"name": name, "source": str(path), "kind": kind, "seed": [seed, index],
                        "kernel_size": list(kernel.shape)})
    (out / "pairs.json").write_text(json.dumps({"kind": kind, "seed": seed, "pairs": records}, indent=1))
    return records
