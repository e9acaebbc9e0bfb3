"""Tiny colour photo sets written on the fly for the colorize tests (no network, no packages)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
from PIL import Image

from restora.tools.colorize.photos import PhotoEntry


def colour_photo(seed: int, height: int = 96, width: int = 128) -> np.ndarray:
    """A smooth colourful picture with texture: gradients of a few hues plus noise (uint8 RGB)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width] / max(height, width)
    channels = [np.sin(rng.uniform(2, 6) * xx + rng.uniform(2, 6) * yy + rng.uniform(0, 6)) for _ in range(3)]
    image = 0.5 + 0.4 * np.stack(channels, axis=-1) + rng.normal(0, 0.05, size=(height, width, 3))
    return np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)


def write_photo_set(folder: Path, splits: dict[str, int], people_every: int = 2) -> list[PhotoEntry]:
    """``splits`` = {"train": n, "val": m}: that many photos per split, with a manifest."""
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    entries, seed = [], 0
    for split, count in splits.items():
        for _ in range(count):
            target = folder / "photos" / f"fake__{seed}.png"
            Image.fromarray(colour_photo(seed)).save(target)
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            entries.append(PhotoEntry(str(target.relative_to(folder)), "fake", "1", f"p{seed}.png", "CC0-1.0",
                                      split, seed % people_every == 0, 128, 96, digest))
            seed += 1
    (folder / "manifest.json").write_text(json.dumps({"entries": [asdict(e) for e in entries]}))
    return entries
