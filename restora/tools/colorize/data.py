"""Colorize training batches: crops of the photo set at the scale the net renders, made old in luminance.

A batch is a pure function of ``(seed, phase, step)``, so a resumed run sees exactly the batches an
uninterrupted one would have. Photos are drawn per image, not per pixel (a few wallpapers hold much of
the pixels), people photos ``people_weight`` times as often (old photos are mostly of people), and
photos whose dominant hue is common less often than those whose hue is rare (colour-balanced sampling:
the set is full of brown, green and sky, and a net fed that learns "everything is brown").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from restora.imaging.colour import rgb_to_yuv
from restora.tools.colorize.degrade import DegradeConfig, degrade_luma
from restora.tools.colorize.photos import PhotoEntry, read_photo_manifest

HUE_SECTORS = 6  # photos are grouped by the direction of their mean saturated chroma, plus one "grey" group
GREY_CHROMA = 0.03  # pixels with |UV| below this do not vote for a hue


@dataclass(frozen=True)
class BatchConfig:
    crop: int = 128  # training crop side (a multiple of the net's 32)
    batch: int = 12
    load_side: int = 512  # photos are kept in memory with this long side
    # a crop comes from the photo shrunk to a long side in this range: 256 is the render size, so the net
    # trains on the scale it will see (the whole photo in 256 px), and a little closer
    min_side: int = 192
    max_side: int = 512
    people_weight: float = 5.0
    hue_balance: float = 0.5  # photo weight ∝ (photos in its hue group)^-hue_balance; 0 = off


def load_rgb(path: Path, longest: int) -> np.ndarray:
    with Image.open(path) as image:
        image = image.convert("RGB")
        image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        return np.asarray(image)


def hue_group(rgb: np.ndarray) -> int:
    """0..HUE_SECTORS-1 for the angle of the mean chroma of the photo's coloured pixels; HUE_SECTORS if grey."""
    uv = rgb_to_yuv(rgb[::4, ::4])[..., 1:].reshape(-1, 2)
    coloured = uv[np.hypot(uv[:, 0], uv[:, 1]) > GREY_CHROMA]
    if len(coloured) < 0.05 * len(uv):
        return HUE_SECTORS
    u, v = coloured.mean(axis=0)
    return int((np.arctan2(v, u) % (2 * np.pi)) / (2 * np.pi) * HUE_SECTORS) % HUE_SECTORS


def sampling_weights(entries: list[PhotoEntry], groups: list[int], config: BatchConfig) -> np.ndarray:
    counts = np.bincount(groups, minlength=HUE_SECTORS + 1)
    weights = np.array([(config.people_weight if e.has_people else 1.0) * counts[g] ** -config.hue_balance
                        for e, g in zip(entries, groups)])
    return weights / weights.sum()


class PhotoSet:
    """The photos of one split in memory (uint8 RGB, long side ``load_side``) and how often to draw each."""

    def __init__(self, folder: Path, split: str, config: BatchConfig) -> None:
        self.entries = [e for e in read_photo_manifest(folder) if e.split == split]
        if not self.entries:
            raise FileNotFoundError(f"no {split} photos in {folder}/manifest.json")
        self.config = config
        self.photos = [load_rgb(folder / e.file, config.load_side) for e in self.entries]
        self.groups = [hue_group(p) for p in self.photos]
        self.weights = sampling_weights(self.entries, self.groups, config)

    def crop(self, rng: np.random.Generator) -> np.ndarray:
        """One RGB crop (crop×crop×3 uint8) of a photo drawn by weight, at a random scale, maybe mirrored."""
        c = self.config
        photo = self.photos[int(rng.choice(len(self.photos), p=self.weights))]
        h, w = photo.shape[:2]
        side = rng.uniform(c.min_side, c.max_side)
        scale = max(side / max(h, w), c.crop / min(h, w))  # never smaller than the crop
        size = (max(c.crop, round(w * scale)), max(c.crop, round(h * scale)))
        image = Image.fromarray(photo).resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        top, left = int(rng.integers(0, size[1] - c.crop + 1)), int(rng.integers(0, size[0] - c.crop + 1))
        patch = np.asarray(image)[top: top + c.crop, left: left + c.crop]
        return patch[:, ::-1] if rng.random() < 0.5 else patch

    def batch(self, seed: int, phase: int, step: int, degrade: DegradeConfig) -> tuple[np.ndarray, ...]:
        """(degraded Y, clean Y, clean UV): N×1×H×W, N×1×H×W, N×2×H×W float32; the step's own generator."""
        rng = np.random.default_rng([seed, phase, step])
        crops = [self.crop(rng) for _ in range(self.config.batch)]
        yuv = np.stack([rgb_to_yuv(c) for c in crops]).transpose(0, 3, 1, 2)
        clean_y = yuv[:, :1]
        degraded = np.stack([degrade_luma(y[0], rng, degrade) for y in clean_y])[:, None]
        return degraded.astype(np.float32), np.ascontiguousarray(clean_y), np.ascontiguousarray(yuv[:, 1:])

    def chroma_sample(self, stride: int = 8) -> np.ndarray:
        """U,V of every ``stride``-th pixel of every photo (for the bin frequencies of class rebalancing)."""
        return np.concatenate([rgb_to_yuv(p[::stride, ::stride])[..., 1:].reshape(-1, 2) for p in self.photos])
