"""Training pairs made on the training device (``--pairs device``), for a GPU that CPU processes cannot feed.

On the lent H200 the content-only warm-up ran at 20.7 steps/s, limited by 14 CPU processes making pairs
(about 40 ms per 256-px pair: 12 ms cropping and jitter, 10 ms drawing a trajectory kernel, 14 ms FFT blur,
5 ms noise and JPEG), while the GPU waited. Here the same recipe runs as tensor operations on the device:

- the photos live on the device as uint8 tensors; crops are resized with antialiased bilinear filtering
  (PIL's BILINEAR also filters when shrinking), turned, mirrored, given a cut-out and colour jitter as in
  :class:`restora.tools.deblur.data.PairMaker`;
- kernels come from a bank drawn once per run with :func:`restora.imaging.blur.random_kernel` (the same
  Boracchi–Foi and linear families), each used under one of its 8 turns and mirrors;
- the blur is one batched FFT convolution; the crop keeps only pixels at least ``MARGIN`` from the patch
  edge, where the circular convolution equals the linear one (kernels are at most 65 px);
- noise is drawn on the device; the JPEG round trip (30 % of pairs) still goes through Pillow on the CPU,
  for all of a batch's chosen pairs at once: one copy to the CPU and back, and Pillow's encoder and
  decoder (which release the GIL) in a small thread pool.

Each batch is a function of ``(seed, step)`` on a given device, so ``--resume`` sees the batches an
uninterrupted run would. The batches differ from :class:`PairMaker`'s (another resize, a finite kernel
bank), so this is a recipe choice recorded in the run's config, not a drop-in for the CPU path.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from restora.imaging.blur import jpeg_round_trip, random_kernel
from restora.tools.deblur.data import MARGIN, PairConfig, jitter_colour, load_cutouts, load_photos

BANK_SIDE = 65  # every kernel is centred in a 65×65 square (the longest trajectory kernels are ≤ 64 px)
BANK_SIZE = 4096  # ×8 turns and mirrors: 32,768 distinct kernels per run
JPEG_THREADS = 4  # about 10 JPEG round trips per batch of 32


def centred_kernel(kernel: np.ndarray) -> np.ndarray:
    """``kernel`` placed with its centre on the centre of a BANK_SIDE² square of zeros."""
    square = np.zeros((BANK_SIDE, BANK_SIDE), np.float32)
    h, w = kernel.shape
    if max(h, w) > BANK_SIDE:
        raise ValueError(f"a {h}×{w} kernel does not fit the {BANK_SIDE}-px bank (and would reach past MARGIN)")
    top, left = BANK_SIDE // 2 - h // 2, BANK_SIDE // 2 - w // 2
    square[top : top + h, left : left + w] = kernel
    return square


def _bank_kernel(args: tuple[int, str, int]) -> np.ndarray:
    seed, kind, index = args
    return centred_kernel(random_kernel(np.random.default_rng([seed, 7919, index]), kind))


def kernel_bank(seed: int, kind: str, size: int = BANK_SIZE, workers: int = 0) -> torch.Tensor:
    """``size`` kernels (size×65×65, each summing to 1), a pure function of ``(seed, kind, size)``."""
    jobs = [(seed, kind, i) for i in range(size)]
    if workers > 0:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            kernels = pool.map(_bank_kernel, jobs, chunksize=64)
    else:
        kernels = [_bank_kernel(job) for job in jobs]
    return torch.from_numpy(np.stack(kernels))


def blur_batch(patches: torch.Tensor, kernels: torch.Tensor) -> torch.Tensor:
    """Circular convolution of B×C×P×P patches with B×K×K centred kernels (K odd, K ≤ P), by FFT.

    Equal to a linear convolution wherever a pixel is at least K//2 from the patch edge."""
    size = patches.shape[-1]
    k = kernels.shape[-1]
    padded = patches.new_zeros(kernels.shape[0], size, size)
    padded[:, :k, :k] = kernels
    padded = torch.roll(padded, shifts=(-(k // 2), -(k // 2)), dims=(1, 2))  # kernel centre to (0, 0)
    spectrum = torch.fft.rfft2(patches) * torch.fft.rfft2(padded)[:, None]
    return torch.fft.irfft2(spectrum, s=(size, size))


def _resize(image: torch.Tensor, height: int, width: int) -> torch.Tensor:
    return F.interpolate(image[None], size=(height, width), mode="bilinear", align_corners=False, antialias=True)[0]


def _to_tensor(image: np.ndarray, device: torch.device) -> torch.Tensor:
    """H×W×C uint8 array -> C×H×W uint8 tensor on ``device``."""
    return torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1))).to(device)


class DevicePairMaker:
    """Random sharp/blurred training batches built on ``device`` (see the module docstring)."""

    def __init__(self, folder: Path, config: PairConfig, seed: int, device: torch.device, workers: int = 0,
                 bank_size: int = BANK_SIZE) -> None:
        self.config, self.seed, self.device = config, seed, device
        # (copies: the arrays from Pillow are read-only, and torch refuses to share those)
        self.photos = [_to_tensor(p, device) for p in load_photos(folder, "train", config.load_side)]
        self.cutouts = [_to_tensor(c, device) for c in load_cutouts(folder, config.crop)]
        self.kernels = kernel_bank(seed, config.kind, bank_size, workers).to(device)
        self.jpeg_pool = ThreadPoolExecutor(JPEG_THREADS, thread_name_prefix="jpeg")

    def _sharp_patch(self, rng: np.random.Generator, side: int) -> torch.Tensor:
        photo = self.photos[rng.integers(len(self.photos))]
        h, w = photo.shape[1:]
        scale = rng.uniform(self.config.min_scale, 1.0)
        src = min(int(round(side / scale)), h, w)
        y, x = rng.integers(h - src + 1), rng.integers(w - src + 1)
        patch = _resize(photo[:, y : y + src, x : x + src].float() / 255.0, side, side).clamp(0.0, 1.0)
        patch = torch.rot90(patch, int(rng.integers(4)), dims=(1, 2))
        if rng.uniform() < 0.5:
            patch = patch.flip(2)
        if self.cutouts and rng.uniform() < self.config.cutout_prob:
            patch = self._paste_cutout(patch, rng)
        return jitter_colour(patch.permute(1, 2, 0), rng, self.config.jitter).permute(2, 0, 1)

    def _paste_cutout(self, patch: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        cutout = self.cutouts[rng.integers(len(self.cutouts))].float() / 255.0
        side = patch.shape[-1]
        size = int(side * rng.uniform(0.3, 0.8))
        ch, cw = cutout.shape[1:]
        shrink = min(1.0, size / max(ch, cw))  # like PIL's thumbnail: shrink to fit, never enlarge
        ch, cw = max(1, int(ch * shrink)), max(1, int(cw * shrink))
        rgba = _resize(cutout, ch, cw).clamp(0.0, 1.0)
        y, x = rng.integers(side - ch + 1), rng.integers(side - cw + 1)
        alpha = rgba[3:]
        out = patch.clone()
        out[:, y : y + ch, x : x + cw] = alpha * rgba[:3] + (1 - alpha) * out[:, y : y + ch, x : x + cw]
        return out

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch for ``step``: B×3×crop×crop float32 tensors on the device, in [-1, 1] (blurred, sharp)."""
        config = self.config
        rng = np.random.default_rng([self.seed, step])
        side = config.crop + 2 * MARGIN
        patches = torch.stack([self._sharp_patch(rng, side) for _ in range(config.batch)])
        picks = rng.integers(len(self.kernels), size=config.batch)
        turns = rng.integers(4, size=config.batch)
        mirrors = rng.uniform(size=config.batch) < 0.5
        kernels = []
        for i, turn, mirror in zip(picks, turns, mirrors):
            kernel = torch.rot90(self.kernels[i], int(turn), dims=(0, 1))
            kernels.append(kernel.flip(1) if mirror else kernel)
        kernels = torch.stack(kernels)
        inner = (slice(None), slice(None), slice(MARGIN, MARGIN + config.crop), slice(MARGIN, MARGIN + config.crop))
        sharp = patches[inner]
        blurred = blur_batch(patches, kernels)[inner].clamp(0.0, 1.0)
        noisy = rng.uniform(size=config.batch) < config.noise_prob
        sigmas = np.where(noisy, rng.uniform(0, config.max_noise, size=config.batch), 0.0)
        noise = torch.Generator(device=self.device).manual_seed(int(rng.integers(2**62)))
        blurred = blurred + torch.tensor(sigmas, dtype=blurred.dtype, device=self.device)[:, None, None, None] * \
            torch.randn(blurred.shape, generator=noise, device=self.device, dtype=blurred.dtype)
        blurred = blurred.clamp(0.0, 1.0)
        chosen = np.flatnonzero(rng.uniform(size=config.batch) < config.jpeg_prob)
        if len(chosen):
            qualities = [int(rng.integers(*config.jpeg_quality)) for _ in chosen]
            index = torch.from_numpy(chosen).to(self.device)
            on_cpu = blurred[index].permute(0, 2, 3, 1).cpu().numpy()  # one copy for all of them
            compressed = np.stack(list(self.jpeg_pool.map(jpeg_round_trip, on_cpu, qualities)))
            blurred[index] = torch.from_numpy(compressed).permute(0, 3, 1, 2).to(self.device)
        return blurred * 2 - 1, sharp * 2 - 1
