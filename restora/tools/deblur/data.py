"""Training and validation pairs for deblurring, made on the fly from the Debian photo set.

Each training batch is a pure function of ``(seed, step)``: resuming at step N rebuilds exactly the batch
an uninterrupted run would have seen, and batches can be prefetched in a thread without touching any
shared random state. Augmentation (random scale, flips, 90° turns, colour jitter, pasted cut-outs) is done
on the sharp patch before blurring; sensor noise and JPEG are applied to the blurred one, as a camera would.
"""

from __future__ import annotations

import collections
import multiprocessing
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image

from restora.imaging.blur import blur_image, degrade, random_kernel, trajectory_kernels
from restora.training.debian import read_manifest

MARGIN = 32  # blur a patch this much larger on each side, so no kernel (≤ 64 px) ever sees a padded border


@dataclass(frozen=True)
class PairConfig:
    crop: int = 128  # training crop side in pixels (multiple of 4)
    batch: int = 8
    kind: str = "mixed"  # kernel family for training blur
    load_side: int = 1280  # photos are kept in memory with this longest side
    min_scale: float = 0.35  # crops are taken from the photo scaled by U(min_scale, 1)
    cutout_prob: float = 0.3  # chance of pasting a Debian cut-out onto the patch
    jitter: float = 0.1  # brightness/contrast/saturation jitter amplitude
    noise_prob: float = 0.5
    max_noise: float = 0.01  # sensor noise sigma on the [0,1] scale
    jpeg_prob: float = 0.3
    jpeg_quality: tuple[int, int] = (60, 95)


def _load_rgb(path: Path, longest: int) -> np.ndarray:
    with Image.open(path) as image:
        image = image.convert("RGB")
        image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        return np.asarray(image)


def _load_rgba(path: Path, longest: int) -> np.ndarray:
    with Image.open(path) as image:
        image = image.convert("RGBA")
        image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        return np.asarray(image)


def load_photos(folder: Path, split: str, load_side: int) -> list[np.ndarray]:
    """The set's photos of one split ("train" or "val") as uint8 arrays, longest side ``load_side``."""
    entries = [e for e in read_manifest(folder) if e.kind == "photo" and e.split == split]
    if not entries:
        raise FileNotFoundError(f"no {split} photos in {folder}/manifest.json (build it with `restora data debian`)")
    return [_load_rgb(folder / e.file, load_side) for e in entries]


def load_cutouts(folder: Path, longest: int) -> list[np.ndarray]:
    """The set's photographic cut-outs as RGBA uint8 arrays, longest side at most ``longest``."""
    return [_load_rgba(folder / e.file, longest) for e in read_manifest(folder) if e.kind == "cutout"]


def jitter_colour(patch, rng: np.random.Generator, amount: float):
    """Brightness, contrast and saturation jitter of an H×W×3 patch in [0, 1]: a numpy array, or a torch
    tensor (view) for the device pair maker; the draws are the same for both."""
    brightness = 1 + rng.uniform(-amount, amount)
    contrast = 1 + rng.uniform(-amount, amount)
    saturation = 1 + rng.uniform(-2 * amount, 2 * amount)
    grey = patch.mean(axis=2, keepdims=True)
    patch = grey + (patch - grey) * saturation
    mean = patch.mean()
    patch = mean + (patch - mean) * contrast
    return (patch * brightness).clip(0.0, 1.0)


class PairMaker:
    """Random sharp/blurred training pairs from in-memory photos (and cut-outs pasted on them)."""

    def __init__(self, folder: Path, config: PairConfig, seed: int) -> None:
        self.config = config
        self.seed = seed
        self.photos = load_photos(folder, "train", config.load_side)
        self.cutouts = load_cutouts(folder, config.crop)

    def _sharp_patch(self, rng: np.random.Generator, side: int) -> np.ndarray:
        photo = self.photos[rng.integers(len(self.photos))]
        h, w = photo.shape[:2]
        scale = rng.uniform(self.config.min_scale, 1.0)
        src = min(int(round(side / scale)), h, w)
        y, x = rng.integers(h - src + 1), rng.integers(w - src + 1)
        region = Image.fromarray(photo[y : y + src, x : x + src])
        patch = np.asarray(region.resize((side, side), Image.Resampling.BILINEAR), dtype=np.float32) / 255.0
        patch = np.rot90(patch, rng.integers(4))
        if rng.uniform() < 0.5:
            patch = patch[:, ::-1]
        if self.cutouts and rng.uniform() < self.config.cutout_prob:
            patch = self._paste_cutout(patch, rng)
        return jitter_colour(np.ascontiguousarray(patch), rng, self.config.jitter)

    def _paste_cutout(self, patch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        cutout = self.cutouts[rng.integers(len(self.cutouts))]
        side = patch.shape[0]
        size = int(side * rng.uniform(0.3, 0.8))
        image = Image.fromarray(cutout)
        image.thumbnail((size, size), Image.Resampling.BILINEAR)
        rgba = np.asarray(image, dtype=np.float32) / 255.0
        ch, cw = rgba.shape[:2]
        y, x = rng.integers(side - ch + 1), rng.integers(side - cw + 1)
        alpha = rgba[:, :, 3:]
        out = patch.copy()
        out[y : y + ch, x : x + cw] = alpha * rgba[:, :, :3] + (1 - alpha) * out[y : y + ch, x : x + cw]
        return out

    def pair(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One (blurred, sharp) pair, HxWx3 float32 in [0,1]."""
        crop = self.config.crop
        big = self._sharp_patch(rng, crop + 2 * MARGIN)
        blurred = blur_image(big, random_kernel(rng, self.config.kind))
        inner = (slice(MARGIN, MARGIN + crop), slice(MARGIN, MARGIN + crop))
        sharp, blurred = big[inner], blurred[inner]
        noise = rng.uniform(0, self.config.max_noise) if rng.uniform() < self.config.noise_prob else 0.0
        quality = int(rng.integers(*self.config.jpeg_quality)) if rng.uniform() < self.config.jpeg_prob else None
        return degrade(blurred, rng, noise_sigma=noise, jpeg_quality=quality), sharp

    def batch(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """The batch for ``step``: B×3×H×W float32 in [-1,1] (blurred, sharp); depends only on (seed, step)."""
        rng = np.random.default_rng([self.seed, step])
        pairs = [self.pair(rng) for _ in range(self.config.batch)]
        blurred = np.stack([p[0] for p in pairs]).transpose(0, 3, 1, 2) * 2 - 1
        sharp = np.stack([p[1] for p in pairs]).transpose(0, 3, 1, 2) * 2 - 1
        return blurred.astype(np.float32), sharp.astype(np.float32)


def prefetch(maker, first_step: int, last_step: int, depth: int = 3, workers: int = 0) -> Iterator[tuple]:
    """Batches for steps first..last-1, in order, built ahead of the consumer.

    ``maker`` is a :class:`PairMaker` or a ``DevicePairMaker`` (threads only: its tensors live on a GPU).

    ``workers == 0``: one background thread (kernel synthesis is pure Python and would otherwise stall the
    torch threads). ``workers > 0``: that many forked processes, for a GPU that eats a batch faster than
    one CPU core can make it. Either way each batch is ``maker.batch(step)``, a pure function of the step,
    so the batches are identical whatever the number of workers."""
    if workers > 0:
        yield from _prefetch_processes(maker, first_step, last_step, depth=max(depth, 2 * workers), workers=workers)
        return
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        for step in range(first_step, last_step):
            if stop.is_set():
                return
            slots.put(maker.batch(step))

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        for _ in range(first_step, last_step):
            yield slots.get()
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                slots.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)


_FORKED_MAKER: PairMaker | None = None  # set in the parent just before forking; the children inherit it


def _forked_batch(step: int) -> tuple[np.ndarray, np.ndarray]:
    assert _FORKED_MAKER is not None
    return _FORKED_MAKER.batch(step)


def _prefetch_processes(maker: PairMaker, first_step: int, last_step: int, depth: int, workers: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    # Forked, so the photos in memory are shared copy-on-write rather than pickled to every worker; at most
    # ``depth`` batches are in flight, so memory stays bounded however far ahead the workers could run.
    global _FORKED_MAKER
    _FORKED_MAKER = maker
    pool = multiprocessing.get_context("fork").Pool(workers)
    pending: collections.deque = collections.deque()
    next_step = first_step
    try:
        while next_step < last_step or pending:
            while next_step < last_step and len(pending) < depth:
                pending.append(pool.apply_async(_forked_batch, (next_step,)))
                next_step += 1
            yield pending.popleft().get()
    finally:
        pool.terminate()
        pool.join()
        _FORKED_MAKER = None


def validation_pairs(folder: Path, crop: int = 256, per_photo: int = 3, seed: int = 12345, load_side: int = 1024) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fixed held-out pairs: centre-ish crops of the validation photos, trajectory-blurred with fixed seeds."""
    pairs = []
    for index, photo in enumerate(load_photos(folder, "val", load_side)):
        for k in range(per_photo):
            rng = np.random.default_rng([seed, index, k])
            h, w = photo.shape[:2]
            side = min(crop + 2 * MARGIN, h, w)
            crop = min(crop, side // 4 * 4)  # small photos: a smaller crop rather than a padded one
            y, x = rng.integers(h - side + 1), rng.integers(w - side + 1)
            big = photo[y : y + side, x : x + side].astype(np.float32) / 255.0
            expl = float(rng.choice([0.01, 0.007, 0.005]))
            kernel = trajectory_kernels(rng, expl=expl)[int(rng.integers(1, 3))]  # exposure 1/2 or 1
            blurred = blur_image(big, kernel)
            m = (side - crop) // 2
            inner = (slice(m, m + crop), slice(m, m + crop))
            pairs.append((blurred[inner], big[inner]))
    return pairs
