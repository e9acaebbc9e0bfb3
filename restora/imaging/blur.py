"""Motion-blur synthesis: linear and random-trajectory kernels, and applying them to photos.

Random trajectories follow Boracchi & Foi ("Modeling the performance of image restoration from motion
blur", TIP 2012) as DeblurGAN generates them (``motion_blur/generate_trajectory.py`` and
``generate_PSF.py``; summarised in ``shared/reference/models.md`` §3): a 2-D camera path with inertia,
Gaussian jitter, impulsive shakes and a pull back to the start, rasterised with bilinear splatting into
cumulative PSFs for a few exposure fractions. Differences from DeblurGAN, on purpose:

- the out-of-range splat index is clamped (DeblurGAN can index ``canvas`` and crash);
- every kernel is normalised to sum to 1 and cropped to an odd square around its centre of mass, so a
  blurred image keeps its brightness and does not shift against the sharp one;
- convolution works on any aspect ratio (DeblurGAN needs a square image at least as large as the kernel).

``blur_image(..., mode="faithful")`` reproduces DeblurGAN's min-max normalisation of kernel and image.
All randomness comes from a caller-supplied ``numpy.random.Generator``.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from scipy.signal import fftconvolve

# DeblurGAN's dataset script: anxiety ("expl") values and exposure fractions it draws from.
TRAJECTORY_EXPL = (0.01, 0.009, 0.008, 0.007, 0.005, 0.003)
EXPOSURE_FRACTIONS = (0.1, 0.5, 1.0)
LINEAR_LENGTH_PX = (5.0, 30.0)
# "mixed-light": "mixed" plus this share of light blur (a 0–4 px line, 0 being no blur at all), so a net
# trained on it also sees photos that are sharp or nearly so and learns to leave them alone: trained on
# "mixed" alone, the shipped net over-sharpens such photos (docs/training/deblur.md §4.1).
LIGHT_BLUR_PROB = 0.15
LIGHT_LENGTH_PX = (0.0, 4.0)
KERNEL_KINDS = ("linear", "trajectory", "mixed", "mixed-light")


def _splat(points: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Bilinear splat of sub-pixel ``points`` (complex, x = real, y = imag) into a size×size grid."""
    grid = np.zeros((size, size), dtype=np.float64)
    cols, rows = points.real, points.imag
    c0 = np.clip(np.floor(cols).astype(np.int64), 0, size - 1)
    r0 = np.clip(np.floor(rows).astype(np.int64), 0, size - 1)
    for dr in (0, 1):
        for dc in (0, 1):
            c = np.clip(c0 + dc, 0, size - 1)
            r = np.clip(r0 + dr, 0, size - 1)
            w = weights * np.maximum(0.0, 1 - np.abs(cols - (c0 + dc))) * np.maximum(0.0, 1 - np.abs(rows - (r0 + dr)))
            np.add.at(grid, (r, c), w)
    return grid


def _centre_kernel(kernel: np.ndarray) -> np.ndarray:
    """Crop to the support, then pad to an odd square whose middle pixel holds the centre of mass."""
    kernel = np.where(kernel > kernel.max() * 1e-6, kernel, 0.0)
    total = kernel.sum()
    if total <= 0:
        return np.ones((1, 1), dtype=np.float32)
    rows, cols = np.nonzero(kernel)
    kernel = kernel[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] / total
    h, w = kernel.shape
    cy = int(round(float((kernel.sum(axis=1) * np.arange(h)).sum())))
    cx = int(round(float((kernel.sum(axis=0) * np.arange(w)).sum())))
    half = max(cy, h - 1 - cy, cx, w - 1 - cx)
    out = np.zeros((2 * half + 1, 2 * half + 1), dtype=np.float64)
    out[half - cy : half - cy + h, half - cx : half - cx + w] = kernel
    return (out / out.sum()).astype(np.float32)


def linear_kernel(length: float, angle_deg: float) -> np.ndarray:
    """An anti-aliased straight-line blur ``length`` pixels long (sub-pixel) at ``angle_deg``; sums to 1."""
    if length < 0:
        raise ValueError(f"length must be >= 0, got {length}")
    size = 2 * (int(np.ceil(length / 2)) + 1) + 1
    centre = size // 2
    # Dense samples along the segment; bilinear splatting of each gives the anti-aliasing.
    n = max(2, int(np.ceil(length * 8)) + 1)
    t = np.linspace(-length / 2, length / 2, n)
    angle = np.deg2rad(angle_deg)
    points = centre * (1 + 1j) + t * np.cos(angle) - 1j * t * np.sin(angle)  # y grows downwards in images
    kernel = _splat(points, np.full(n, 1.0 / n), size)
    return (kernel / kernel.sum()).astype(np.float32)


def _trajectory(rng: np.random.Generator, canvas: int, max_len: float, expl: float, iters: int) -> np.ndarray:
    """Boracchi–Foi camera path: ``iters`` complex positions centred on a canvas×canvas grid."""
    centripetal = 0.7 * rng.uniform()
    prob_big_shake = 0.2 * rng.uniform()
    gaussian_shake = 10 * rng.uniform()
    angle = np.deg2rad(360 * rng.uniform())
    v0 = complex(np.cos(angle), np.sin(angle))
    step = max_len / (iters - 1)
    v = v0 * expl if expl > 0 else v0 * step
    x = np.zeros(iters, dtype=np.complex128)
    for t in range(iters - 1):
        shake = 0j
        if rng.uniform() < prob_big_shake * expl:
            # An impulsive shake: turn the velocity by roughly half a turn.
            shake = 2 * v * np.exp(1j * (np.pi + (rng.uniform() - 0.5)))
        dv = shake + expl * (gaussian_shake * complex(rng.standard_normal(), rng.standard_normal()) - centripetal * x[t]) * step
        v = v + dv
        v = v / abs(v) * step  # constant speed: only the direction wanders
        x[t + 1] = x[t] + v
    x -= complex(x.real.min(), x.imag.min())
    x = x - complex(x[0].real % 1, x[0].imag % 1) + (1 + 1j)
    x += complex(np.ceil((canvas - x.real.max()) / 2), np.ceil((canvas - x.imag.max()) / 2))
    return x


def _exposure_weights(iters: int, prev: float, frac: float) -> np.ndarray:
    """DeblurGAN's per-sample weight of trajectory sample t for the exposure window (prev, frac]."""
    t = np.arange(iters, dtype=np.float64)
    f, p = frac * iters, prev * iters
    conditions = [
        (f >= t) & (p < t - 1),
        (f >= t - 1) & (p < t - 1),
        (f >= t) & (p < t),
        (f >= t - 1) & (p < t),
    ]
    choices = [np.ones_like(t), f - (t - 1), t - p, np.full_like(t, f - p)]
    return np.select(conditions, choices, default=0.0)


def trajectory_kernels(
    rng: np.random.Generator,
    *,
    canvas: int = 64,
    max_len: float = 60,
    expl: float | None = None,
    iters: int = 2000,
    fractions: tuple[float, ...] = EXPOSURE_FRACTIONS,
) -> list[np.ndarray]:
    """One random trajectory, rasterised into one cumulative PSF per exposure fraction (each sums to 1)."""
    if expl is None:
        expl = 0.1 * rng.uniform()
    path = _trajectory(rng, canvas, max_len, expl, iters)
    accumulated = np.zeros((canvas, canvas), dtype=np.float64)
    kernels, prev = [], 0.0
    for frac in fractions:
        # Exposure 0..frac is the previous window plus the samples of (prev, frac].
        accumulated += _splat(path, _exposure_weights(iters, prev, frac), canvas)
        kernels.append(_centre_kernel(accumulated.copy()))
        prev = frac
    return kernels


def random_kernel(rng: np.random.Generator, kind: str) -> np.ndarray:
    """A kernel of ``kind``: "linear" (5–30 px, any angle), "trajectory" (DeblurGAN's draws), "mixed" (either)
    or "mixed-light" (either, or with LIGHT_BLUR_PROB a light 0–4 px line)."""
    if kind not in KERNEL_KINDS:
        raise ValueError(f"kind must be one of {KERNEL_KINDS}, got {kind!r}")
    if kind == "mixed-light":
        if rng.uniform() < LIGHT_BLUR_PROB:
            return linear_kernel(rng.uniform(*LIGHT_LENGTH_PX), rng.uniform(0.0, 180.0))
        kind = "mixed"
    if kind == "mixed":
        kind = "linear" if rng.uniform() < 0.5 else "trajectory"
    if kind == "linear":
        return linear_kernel(rng.uniform(*LINEAR_LENGTH_PX), rng.uniform(0.0, 180.0))
    expl = float(rng.choice(TRAJECTORY_EXPL))
    part = int(rng.integers(len(EXPOSURE_FRACTIONS)))
    return trajectory_kernels(rng, expl=expl)[part]


def _as_channels(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image[:, :, None]
    if image.ndim == 3:
        return image
    raise ValueError(f"expected an HxW or HxWxC image, got shape {image.shape}")


def blur_image(image: np.ndarray, kernel: np.ndarray, mode: str = "keep") -> np.ndarray:
    """Convolve a float image in [0,1] (HxW or HxWxC, any aspect ratio) with ``kernel``; same shape out.

    "keep": the kernel is normalised to sum 1 and borders are reflect-padded, so brightness is kept.
    "faithful": DeblurGAN's recipe, min-max normalised kernel and image, zero borders, result min-max
    normalised again (brightness and contrast change; use only to reproduce their data).
    """
    if mode not in ("keep", "faithful"):
        raise ValueError(f"mode must be 'keep' or 'faithful', got {mode!r}")
    channels = _as_channels(np.asarray(image, dtype=np.float32))
    kernel = np.asarray(kernel, dtype=np.float64)
    if mode == "keep":
        kernel = kernel / kernel.sum()
        kh, kw = kernel.shape
        pad = ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2), (0, 0))
        # numpy's reflect cannot pad more than the image size; repeat padding until it is large enough.
        padded = channels
        while any(p[0] > s - 1 or p[1] > s - 1 for p, s in zip(pad[:2], padded.shape[:2])):
            grow = tuple((min(p[0], s - 1), min(p[1], s - 1)) for p, s in zip(pad[:2], padded.shape[:2]))
            padded = np.pad(padded, grow + ((0, 0),), mode="symmetric")
            pad = tuple((p[0] - g[0], p[1] - g[1]) for p, g in zip(pad[:2], grow)) + ((0, 0),)
        padded = np.pad(padded, pad, mode="reflect")
        out = fftconvolve(padded, kernel[:, :, None], mode="valid", axes=(0, 1))
    else:
        kernel = np.pad(kernel, 1)  # DeblurGAN zero-pads the kernel to the image size first, so its min is 0
        kernel = (kernel - kernel.min()) / (kernel.max() - kernel.min())
        lo, hi = channels.min(), channels.max()
        scaled = (channels - lo) / (hi - lo if hi > lo else 1.0)
        out = fftconvolve(scaled, kernel[:, :, None], mode="same", axes=(0, 1))
        lo, hi = out.min(), out.max()
        out = np.abs((out - lo) / (hi - lo if hi > lo else 1.0))
    out = np.clip(out, 0.0, 1.0).astype(np.float32)
    return out.reshape(np.shape(image))


def degrade(
    image: np.ndarray, rng: np.random.Generator, *, noise_sigma: float = 0.0, jpeg_quality: int | None = None
) -> np.ndarray:
    """Add Gaussian sensor noise (sigma on the [0,1] scale) and/or a JPEG round trip; same shape, float32."""
    out = np.asarray(image, dtype=np.float32)
    if noise_sigma > 0:
        out = np.clip(out + rng.normal(0.0, noise_sigma, out.shape).astype(np.float32), 0.0, 1.0)
    if jpeg_quality is not None:
        out = jpeg_round_trip(out, jpeg_quality)
    return out


def jpeg_round_trip(image: np.ndarray, quality: int) -> np.ndarray:
    """``image`` (float, [0,1], H×W or H×W×C) saved as a JPEG of ``quality`` and decoded again; float32."""
    out = np.asarray(image, dtype=np.float32)
    grey = out.ndim == 2 or out.shape[2] == 1
    as_uint8 = np.round(np.clip(out, 0, 1) * 255).astype(np.uint8)
    pil = Image.fromarray(as_uint8.reshape(out.shape[:2]) if grey else as_uint8)
    buffer = io.BytesIO()
    pil.save(buffer, format="JPEG", quality=int(quality))
    decoded = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L" if grey else "RGB"))
    return (decoded.astype(np.float32) / 255.0).reshape(out.shape)
