"""Training pairs of (the tool's deconvolution, the sharp photo), to train a net on the kernel method's results.

The kernel method (restora.imaging.blind) estimates a shake from the photo and deconvolves it. Where the
estimate is a little off, or the photo is noisy or JPEG-compressed, the result rings and its noise is
amplified, in patterns that depend on the kernel. A net meant to correct that must learn from the
method's real output: so every pair here is made by blurring a crop of a Debian photo (the same kernel
mix, sensor noise and JPEG as the deblur training pairs), running the tool's own estimate and
deconvolution on it, and keeping the result beside the sharp crop. That takes a few seconds a pair, so
the pairs are made once and written to disk (`restora data deconv-pairs`), not drawn on the fly.
(A clean-up net trained on them found almost nothing to correct: docs/training/deblur.md §10.)

Each pair is a pure function of ``(seed, photo index, k)``: a set can be rebuilt bit for bit, an
interrupted run picks up where it stopped (pairs already on disk are kept), and the order the worker
processes finish in changes nothing.
"""

from __future__ import annotations

import json
import multiprocessing
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from restora.imaging.blind import blind_deblur
from restora.imaging.blur import blur_image, degrade, random_kernel
from restora.imaging.metrics import psnr
from restora.training.data import MARGIN, load_photos

SUBFOLDERS = ("sharp", "blurred", "deconvolved")
MANIFEST = "pairs.json"


@dataclass(frozen=True)
class DeconvPairConfig:
    side: int = 512  # crop side; the kernel is estimated on the whole crop, as on a photo up to 768 px
    per_photo: int = 8  # pairs per training photo (validation photos get half as many)
    kind: str = "mixed"  # kernel family, as the deblur training pairs
    load_side: int = 1024  # photos are read with this longest side before scaling and cropping
    min_scale: float = 0.5  # the photo is scaled by U(min_scale, 1) before the crop
    noise_prob: float = 0.5
    max_noise: float = 0.01  # sensor noise sigma on the [0, 1] scale
    jpeg_prob: float = 0.3
    jpeg_quality: tuple[int, int] = (60, 95)


def _uint8(pixels: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(pixels * 255.0), 0, 255).astype(np.uint8)


def _scaled(photo: np.ndarray, scale: float, least: int) -> np.ndarray:
    """The photo shrunk by ``scale``, but never below ``least`` px on its shorter side."""
    height, width = photo.shape[:2]
    scale = max(scale, min(1.0, least / min(height, width)))
    if scale >= 1.0:
        return photo
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(photo).resize(size, Image.Resampling.LANCZOS))


def make_pair(photo: np.ndarray, rng: np.random.Generator, config: DeconvPairConfig) -> dict:
    """One pair from a uint8 photo: uint8 ``sharp``, ``blurred`` and ``deconvolved`` crops, plus facts."""
    photo = _scaled(photo, float(rng.uniform(config.min_scale, 1.0)), config.side + 2 * MARGIN)
    height, width = photo.shape[:2]
    big_side = min(config.side + 2 * MARGIN, height, width)
    side = (big_side - 2 * MARGIN) // 4 * 4
    top, left = int(rng.integers(height - big_side + 1)), int(rng.integers(width - big_side + 1))
    big = photo[top: top + big_side, left: left + big_side].astype(np.float32) / 255.0
    kernel = random_kernel(rng, config.kind)
    blurred_big = blur_image(big, kernel)
    inner = (slice(MARGIN, MARGIN + side), slice(MARGIN, MARGIN + side))
    noise = float(rng.uniform(0.0, config.max_noise)) if rng.uniform() < config.noise_prob else 0.0
    quality = int(rng.integers(*config.jpeg_quality, endpoint=True)) if rng.uniform() < config.jpeg_prob else None
    blurred = degrade(blurred_big[inner], rng, noise_sigma=noise, jpeg_quality=quality)
    # one estimate, as the kernel method made them in session 5 (it keeps the best of three since, §12)
    result = blind_deblur(blurred)
    sharp, blurred, deconvolved = _uint8(big[inner]), _uint8(blurred), _uint8(result.restored)
    border = 16 if side > 64 else 0  # as `restora eval deblur` scores (a tiny test crop has no border to spare)
    return {
        "sharp": sharp,
        "blurred": blurred,
        "deconvolved": deconvolved,
        "psnr_blurred": round(psnr(sharp, blurred, border=border), 3),
        "psnr_deconvolved": round(psnr(sharp, deconvolved, border=border), 3),
        "kernel_px": int(max(kernel.shape)),
        "spread": round(float(result.spread), 3),
        "noise": round(noise, 4),
        "jpeg": quality,
    }


def _pair_name(split: str, photo_index: int, k: int) -> str:
    return f"{split}-{photo_index:03d}-{k:02d}"


# Worker processes fork with the photos already loaded, so only (split, index, k) crosses the pipe.
_PHOTOS: dict[str, list[np.ndarray]] = {}


def _one_fft_thread() -> None:
    import restora.imaging.blind as blind

    blind.WORKERS = 1  # the processes already use every core; threads on top of them only contend


def _make_and_write(job: tuple[Path, str, int, int, int, DeconvPairConfig]) -> dict:
    out, split, photo_index, k, seed, config = job
    pair = make_pair(_PHOTOS[split][photo_index], np.random.default_rng([seed, photo_index, k, split == "val"]), config)
    name = _pair_name(split, photo_index, k)
    for sub in SUBFOLDERS:
        Image.fromarray(pair.pop(sub)).save(out / sub / f"{name}.png")
    return {"name": name, "split": split, "photo": photo_index, **pair}


def write_deconv_pairs(data: Path, out: Path, config: DeconvPairConfig = DeconvPairConfig(), seed: int = 0,
                       workers: int = 1, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Make the pairs of every photo in a `restora data debian` set (its train and val splits) into ``out``;
    pairs already in ``out``'s manifest are kept. Returns the manifest's records."""
    for split in ("train", "val"):
        _PHOTOS[split] = load_photos(data, split, config.load_side)
    for sub in SUBFOLDERS:
        (out / sub).mkdir(parents=True, exist_ok=True)
    manifest = out / MANIFEST
    done = {r["name"]: r for r in json.loads(manifest.read_text())["pairs"]} if manifest.exists() else {}
    jobs = [(out, split, i, k, seed, config)
            for split, count in (("train", config.per_photo), ("val", max(1, config.per_photo // 2)))
            for i in range(len(_PHOTOS[split])) for k in range(count)
            if _pair_name(split, i, k) not in done]
    total = len(done) + len(jobs)

    def save() -> None:
        records = sorted(done.values(), key=lambda r: r["name"])
        settings = asdict(config) | {"jpeg_quality": list(config.jpeg_quality)}
        manifest.write_text(json.dumps({"seed": seed, "config": settings, "pairs": records}, indent=1))

    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_one_fft_thread if workers > 1 else None) as pool:
        for record in pool.imap_unordered(_make_and_write, jobs):
            done[record["name"]] = record
            save()  # after every pair: an interrupted run loses at most the pairs in flight
            if progress:
                progress(len(done), total)
    save()
    return sorted(done.values(), key=lambda r: r["name"])


def _read_split(folder: Path, split: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(deconvolved, sharp) uint8 arrays of one split of a deconv-pairs folder."""
    manifest = folder / MANIFEST
    if not manifest.exists():
        raise FileNotFoundError(f"no {MANIFEST} in {folder} (build it with `restora data deconv-pairs`)")
    names = [r["name"] for r in json.loads(manifest.read_text())["pairs"] if r["split"] == split]
    if not names:
        raise FileNotFoundError(f"no {split} pairs in {manifest}")

    def read(sub: str, name: str) -> np.ndarray:
        with Image.open(folder / sub / f"{name}.png") as image:
            return np.asarray(image.convert("RGB"))

    return [(read("deconvolved", n), read("sharp", n)) for n in names]


class FolderPairMaker:
    """Training batches of random aligned crops of the written pairs, turned and mirrored together.

    The same interface as :class:`restora.training.data.PairMaker`: ``batch(step)`` depends only on
    ``(seed, step)``, so a resumed run sees the batches an uninterrupted one would have."""

    def __init__(self, folder: Path, crop: int, batch: int, seed: int) -> None:
        self.pairs = _read_split(folder, "train")
        self.crop, self.batch_size, self.seed = crop, batch, seed
        smallest = min(min(d.shape[:2]) for d, _ in self.pairs)
        if smallest < crop:
            raise ValueError(f"crop {crop} is larger than the smallest pair ({smallest} px) in {folder}")

    def pair(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        deconvolved, sharp = self.pairs[rng.integers(len(self.pairs))]
        height, width = sharp.shape[:2]
        y, x = rng.integers(height - self.crop + 1), rng.integers(width - self.crop + 1)
        turns, mirror = int(rng.integers(4)), rng.uniform() < 0.5
        out = []
        for image in (deconvolved, sharp):
            patch = np.rot90(image[y: y + self.crop, x: x + self.crop], turns)
            out.append(patch[:, ::-1] if mirror else patch)
        return out[0], out[1]

    def batch(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """B×3×H×W float32 in [-1, 1] (deconvolved, sharp)."""
        rng = np.random.default_rng([self.seed, step])
        pairs = [self.pair(rng) for _ in range(self.batch_size)]
        inputs, targets = (np.stack([p[i] for p in pairs]).transpose(0, 3, 1, 2) for i in (0, 1))
        return (inputs / 127.5 - 1).astype(np.float32), (targets / 127.5 - 1).astype(np.float32)


def folder_validation_pairs(folder: Path, crop: int = 256) -> list[tuple[np.ndarray, np.ndarray]]:
    """The held-out photos' pairs, middle crops, as float32 H×W×3 in [0, 1] (deconvolved, sharp)."""
    pairs = []
    for deconvolved, sharp in _read_split(folder, "val"):
        height, width = sharp.shape[:2]
        side = min(crop, height, width) // 4 * 4
        top, left = (height - side) // 2, (width - side) // 2
        window = (slice(top, top + side), slice(left, left + side))
        pairs.append((deconvolved[window].astype(np.float32) / 255.0, sharp[window].astype(np.float32) / 255.0))
    return pairs
