"""Colour hints: a user's colour wishes spread over the photo along its luminance edges.

Levin, Lischinski & Weiss, "Colorization using Optimization" (SIGGRAPH 2004): neighbouring pixels of
similar luminance should have similar chroma. Each pixel r is tied to its 3×3 neighbours s by an
affinity k_rs = exp(-(Y_r - Y_s)² / σ²) with σ² from the local variance of Y, and chroma minimises
Σ_r (U_r - Σ_s w_rs U_s)² with w = k normalised per row, hinted pixels held fixed. The published method
gives each pixel its own σ_r (so k is not symmetric); here σ² of a pair is the mean of both pixels'
σ², which makes k symmetric. Then the unhinted rows of Levin's system, multiplied by their degree, are
exactly the graph Laplacian (D - K) u = 0: symmetric positive definite once a hint is fixed, so
classical algebraic multigrid (pyamg's Ruge-Stüben) as the preconditioner of conjugate gradients solves
it in about a second where a direct sparse solve takes many (docs/colorize.md §2 measures both).

Two additions make it fit a photo that already has colours (the net's, the "base"):
- a weak pull towards zero (a screening term ε·D, decay length ``reach`` of the long side): without it,
  one hint would spread over the whole photo, since with no competing hint the Laplacian's solution is
  that hint's colour everywhere (edges only decide where two hints meet);
- a third channel spreads the constant 1 alongside U and V: its solution is how strongly the hints
  reach each pixel. U and V divided by it are the colour of the hints that reach there, unfaded; that
  colour replaces the base where the reach is at least ``full_reach``, and fades into the base below
  (beyond edges, far from any hint). So hinted regions take the hints' colours and the rest keeps the
  net's. (Spreading hint minus base instead kept the base's fine structure under dense hints: with an
  untrained net as the base, 2 % hints gained +3.2 dB instead of +12.8 in the evaluation test run
  against commit 6f36d08's hints.py; docs/colorize.md §2.)

Large photos are solved at ``solve_pixels`` and the result brought back to full size by guided
upsampling (He & Sun, "Fast Guided Filter", 2015): per window, the result is a linear function of Y,
fitted at low resolution, and those coefficients are upsampled and applied to the full-resolution Y, so
colour edges land on the photo's own luminance edges. Hinted pixels get their hint colour exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image
from scipy import sparse
from scipy.ndimage import uniform_filter
from threadpoolctl import threadpool_limits

from restora.imaging.colour import RGB_TO_YUV, YUV_TO_RGB

Progress = Callable[[float], None]

# Neighbour offsets (dy, dx) of a 3×3 window, each pair counted once; the other half is the transpose.
PAIR_OFFSETS = ((0, 1), (1, 0), (1, 1), (1, -1))
# Levin et al.'s published choices for σ²: 0.6 of the window's variance, at least enough that the most
# similar neighbour keeps a weight of 0.01 (ln 100), and never below 2e-6 (flat areas).
VARIANCE_SCALE = 0.6
MOST_SIMILAR_WEIGHT = 0.01
MIN_VARIANCE = 2e-6


@dataclass(frozen=True)
class HintConfig:
    # Larger photos are solved at this many pixels and the result upsampled by Y. On 1-MP photos this
    # was both faster and closer to the originals than solving at full size (point hints reach further
    # at a coarser grid): +0.20 / +1.03 dB at 2 % / 0.5 % hints, 2.9 s instead of 24 s (docs/colorize.md §2).
    solve_pixels: int = 131_072
    # How far a hint's colour carries where no edge and no other hint stops it, as a fraction of the
    # photo's long side (the screening term's decay length).
    reach: float = 0.5
    # Where the hints' reach (the spread of a constant 1) is at least this, their colour counts fully.
    full_reach: float = 0.5
    tolerance: float = 1e-4  # relative residual of the multigrid-preconditioned CG
    guide_radius: int = 1  # px at solve size: the guided upsampling's window is (2r+1)²; 2 lost 0.06-0.64 dB
    guide_eps: float = 1e-4  # its regularisation, in Y² units: edges of ΔY ≳ 0.01 are followed


def hint_chroma(hints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask H×W bool, N×2 float32 U,V of the N hinted pixels in row order) of RGBA hints (uint8);
    alpha > 0 is a wish."""
    if hints.ndim != 3 or hints.shape[2] != 4:
        raise ValueError(f"hints must be an RGBA image, not an array of shape {hints.shape}")
    mask = hints[..., 3] > 0
    rgb = hints[mask][:, :3].astype(np.float32) / 255.0
    return mask, (rgb @ RGB_TO_YUV[1:].T.astype(np.float32)).astype(np.float32)


def pair_affinities(y: np.ndarray) -> list[np.ndarray]:
    """For each offset of :data:`PAIR_OFFSETS`, the affinity of every pixel with that neighbour.

    Array i has the photo's shape; entry (r, c) ties pixel (r, c) to (r + dy, c + dx) and is 0 where
    that neighbour is outside the photo.
    """
    y = y.astype(np.float64)
    mean = uniform_filter(y, 3, mode="nearest")
    variance = np.maximum(uniform_filter(y * y, 3, mode="nearest") - mean * mean, 0.0)
    padded = np.pad(y, 1, mode="constant", constant_values=np.inf)
    height, width = y.shape
    nearest = np.full(y.shape, np.inf)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                neighbour = padded[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width]
                nearest = np.minimum(nearest, (neighbour - y) ** 2)
    nearest[~np.isfinite(nearest)] = 0.0  # a 1×1 photo has no neighbours
    sigma2 = np.maximum(VARIANCE_SCALE * variance, nearest / np.log(1.0 / MOST_SIMILAR_WEIGHT))
    sigma2 = np.maximum(sigma2, MIN_VARIANCE)
    weights = []
    for dy, dx in PAIR_OFFSETS:
        weight = np.zeros_like(y)
        rows = slice(0, height - dy)
        cols = slice(0, width - dx) if dx >= 0 else slice(-dx, width)
        other_rows = slice(dy, height)
        other_cols = slice(dx, width) if dx >= 0 else slice(0, width + dx)
        diff2 = (y[rows, cols] - y[other_rows, other_cols]) ** 2
        pair_sigma2 = 0.5 * (sigma2[rows, cols] + sigma2[other_rows, other_cols])
        weight[rows, cols] = np.exp(-diff2 / pair_sigma2)
        weights.append(weight)
    return weights


def screened_laplacian(y: np.ndarray, screening: float) -> sparse.csr_matrix:
    """(1 + screening)·D - K for the 3×3 affinities K of ``y`` (D: their row sums), N×N with N = H·W."""
    height, width = y.shape
    size = height * width
    diagonals: dict[int, np.ndarray] = {}  # offset -> dia_matrix data (two offsets coincide when W = 2)
    degree = np.zeros(size)
    for (dy, dx), weight in zip(PAIR_OFFSETS, pair_affinities(y)):
        shift = dy * width + dx
        if not 0 < shift < size:
            continue  # a 1-pixel-wide photo: this neighbour never exists (its weights are all 0)
        # Pixel i ties to i + shift with weight flat[i]: upper diagonal at +shift, lower at -shift.
        pair = weight.ravel()[: size - shift]
        degree[: size - shift] += pair
        degree[shift:] += pair
        # dia_matrix stores the +k diagonal's entry (i, i+k) at data[i + k], the -k one's (i+k, i) at data[i]
        diagonals.setdefault(shift, np.zeros(size))[shift:] -= pair
        diagonals.setdefault(-shift, np.zeros(size))[: size - shift] -= pair
    diagonals[0] = (1.0 + screening) * degree
    offsets = list(diagonals)
    matrix = sparse.dia_matrix((np.array([diagonals[k] for k in offsets]), np.array(offsets)), shape=(size, size))
    return matrix.tocsr()


def screening_for(shape: tuple[int, int], reach: float) -> float:
    """The screening weight whose decay length is ``reach`` of the long side (1 / length² in px)."""
    if reach <= 0:
        raise ValueError("reach must be positive")
    length = reach * max(shape)
    return 1.0 / (length * length)


def propagate(y: np.ndarray, mask: np.ndarray, values: np.ndarray, *, screening: float = 0.0,
              tolerance: float = 1e-6) -> np.ndarray:
    """H×W×C: ``values`` (H×W×C, read where ``mask``) held at the hinted pixels and spread elsewhere.

    Solves the screened Laplacian of ``y`` for the unhinted pixels by classical (Ruge-Stüben) multigrid as
    the preconditioner of conjugate gradients (pyamg); one hierarchy serves every channel.
    """
    import pyamg

    height, width = y.shape
    channels = values.shape[2]
    fixed = mask.ravel()
    out = np.zeros((height * width, channels), dtype=np.float64)
    known = values.reshape(-1, channels)[fixed].astype(np.float64)
    out[fixed] = known
    if not fixed.any() or fixed.all():
        return out.reshape(height, width, channels).astype(np.float32)
    matrix = screened_laplacian(y, screening)
    free = ~fixed
    free_rows = matrix[free]
    system = free_rows[:, free].tocsr()
    coupling = free_rows[:, fixed]
    # BLAS threads off: CG's inner products are short, and threaded OpenBLAS made them far slower on a busy
    # 2-core machine (a one-off cProfile of a 0.25-MP solve: 1.2 s in 64 dot products).
    with threadpool_limits(1, user_api="blas"):
        # Classical (Ruge-Stüben) AMG: on these edge-weighted Laplacians it took 2.7-5.4 s and 5-7 CG steps
        # where smoothed aggregation took 4.2-12.1 s and 16 (docs/colorize.md §2). splu on the coarsest
        # level: pyamg's default pseudo-inverse there spent seconds in SVD (the same profile).
        solver = pyamg.ruge_stuben_solver(system, max_levels=25, max_coarse=300, coarse_solver="splu")
        for channel in range(channels):
            rhs = -(coupling @ known[:, channel])
            if not rhs.any():
                continue  # nothing pulls this channel away from zero
            out[free, channel] = solver.solve(rhs, tol=tolerance, accel="cg", maxiter=200)
    return out.reshape(height, width, channels).astype(np.float32)


def resize_plane(plane: np.ndarray, size: tuple[int, int], resample: int) -> np.ndarray:
    """A float H×W plane resized to ``size`` (width, height) by Pillow's float mode."""
    image = Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32), mode="F")
    return np.asarray(image.resize(size, resample), dtype=np.float32)


def solve_size(shape: tuple[int, int], solve_pixels: int) -> tuple[int, int]:
    """(width, height) of the solve: the photo's own size, or shrunk to about ``solve_pixels``."""
    height, width = shape
    if height * width <= solve_pixels:
        return width, height
    scale = (solve_pixels / (height * width)) ** 0.5
    return max(1, round(width * scale)), max(1, round(height * scale))


def box_mean(plane: np.ndarray, radius: int) -> np.ndarray:
    return uniform_filter(plane, 2 * radius + 1, mode="reflect")


def guided_upsample(guide_low: np.ndarray, values_low: np.ndarray, guide: np.ndarray, *, radius: int,
                    eps: float) -> np.ndarray:
    """``values_low`` (h×w×C) at the size of ``guide`` (H×W), each window a linear function of the guide.

    The fast guided filter's upsampling (He & Sun 2015): coefficients a, b with values ≈ a·Y + b are fitted
    in every (2r+1)² window of the low-resolution guide, averaged, upsampled bilinearly and applied to the
    full-resolution guide, so the result changes where the photo's luminance changes.
    """
    height, width = guide.shape
    guide_low = guide_low.astype(np.float64)
    mean_i = box_mean(guide_low, radius)
    var_i = box_mean(guide_low * guide_low, radius) - mean_i * mean_i
    out = np.empty((height, width, values_low.shape[2]), dtype=np.float32)
    for channel in range(values_low.shape[2]):
        p = values_low[..., channel].astype(np.float64)
        mean_p = box_mean(p, radius)
        slope = (box_mean(guide_low * p, radius) - mean_i * mean_p) / (np.maximum(var_i, 0.0) + eps)
        offset = mean_p - slope * mean_i
        slope_up = resize_plane(box_mean(slope, radius), (width, height), Image.BILINEAR)
        offset_up = resize_plane(box_mean(offset, radius), (width, height), Image.BILINEAR)
        out[..., channel] = slope_up * guide + offset_up
    return out


def apply_hints(y: np.ndarray, base_uv: np.ndarray, hints: np.ndarray, config: HintConfig = HintConfig(),
                progress: Progress | None = None) -> np.ndarray:
    """H×W×2 chroma: ``base_uv`` (the net's, or zeros) with the hints' colours spread from where they are.

    ``y``: H×W luminance in [0, 1]; ``hints``: H×W×4 uint8 RGBA (alpha > 0 = a wish). Where the hints
    reach, their colour replaces the base; elsewhere the base stands; hinted pixels get the hint exactly.
    :raises ValueError: when the hints are not the photo's size.
    """
    if hints.shape[:2] != y.shape:
        raise ValueError(f"the hints are {hints.shape[1]}×{hints.shape[0]} px but the photo is "
                         f"{y.shape[1]}×{y.shape[0]} px; paint them on the photo itself")
    mask, hint_uv = hint_chroma(hints)
    out = base_uv.astype(np.float32, copy=True)
    if not mask.any():
        return out
    # Three channels spread together: the hints' U and V, and 1 (how strongly the hints reach a pixel).
    wishes = np.zeros(y.shape + (3,), np.float32)
    wishes[mask, :2] = hint_uv
    wishes[mask, 2] = 1.0
    width, height = solve_size(y.shape, config.solve_pixels)
    screening = screening_for((height, width), config.reach)
    if (height, width) == y.shape:
        spread = propagate(y, mask, wishes, screening=screening, tolerance=config.tolerance)
        weighted = reach_normalised(spread, config.full_reach)
    else:
        # Each solve pixel holds the mean wish of the photo pixels it covers, if any of them is hinted.
        cover = resize_plane(mask.astype(np.float32), (width, height), Image.BOX)
        low_mask = cover > 0
        low_values = np.zeros((height, width, 3), dtype=np.float32)
        for channel in range(3):
            summed = resize_plane(wishes[..., channel], (width, height), Image.BOX)
            low_values[..., channel] = np.where(low_mask, summed / np.maximum(cover, 1e-12), 0.0)
        if progress:
            progress(0.1)
        y_low = resize_plane(y, (width, height), Image.BOX)
        spread = propagate(y_low, low_mask, low_values, screening=screening, tolerance=config.tolerance)
        if progress:
            progress(0.8)
        weighted = guided_upsample(y_low, reach_normalised(spread, config.full_reach), y.astype(np.float32),
                                   radius=config.guide_radius, eps=config.guide_eps)
    # The hints' colour where they reach fully, the base where they do not reach, a mix in between.
    weight = np.clip(weighted[..., 2:3], 0.0, 1.0)
    out = out * (1.0 - weight) + weighted[..., :2]
    out[mask] = hint_uv
    if progress:
        progress(1.0)
    return out


def reach_normalised(spread: np.ndarray, full_reach: float) -> np.ndarray:
    """(w·U, w·V, w) from the spread (U, V, reach) channels: the hints' colour times the weight w it gets.

    With the screening, every hint fades with distance, also inside its own region, where the random
    walk through textured pixels is slow. Dividing by the spread of a constant 1 (the chance that a
    pixel's walk reaches a hint before it fades) gives the colour of the hints that reach it, unfaded;
    it counts fully (w = 1) where that chance is at least ``full_reach`` and fades out below, as beyond
    an edge. The products stay smooth and bounded where the reach is ~0, so they upsample well.
    """
    reach = spread[..., 2:3]
    weighted_colour = spread[..., :2] / np.maximum(reach, full_reach)
    return np.concatenate([weighted_colour, np.minimum(reach / full_reach, 1.0)], axis=2).astype(np.float32)


def compose_rgb(y: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """H×W×3 float32 RGB in [0, 1] with luminance ``y`` exactly and chroma ``uv`` where it fits.

    Where Y + chroma would leave the RGB cube, the chroma is scaled down (same hue, less saturation)
    until it fits, instead of clipping RGB, which would change Y.
    """
    # RGB = Y·c + M·(U, V), c the inverse matrix's Y column (1 to five decimals, exactly what inverts
    # restora.imaging.colour's Y row); scaling (U, V) moves RGB along M·(U, V) and leaves Y as it is.
    grey = y.astype(np.float32)[..., None] * YUV_TO_RGB[:, 0].astype(np.float32)
    offsets = uv.astype(np.float32) @ YUV_TO_RGB[:, 1:].T.astype(np.float32)
    # Per channel, the room towards the side the chroma pushes it (1 - grey upwards, grey downwards);
    # the chroma is scaled by 1 / (the largest |offset| / room), where that exceeds 1.
    room = np.where(offsets > 0, 1.0 - grey, grey)
    np.maximum(room, 1e-12, out=room)
    need = np.abs(offsets)
    need /= room
    scale = 1.0 / np.maximum(need.max(axis=2), 1.0)
    offsets *= scale[..., None]
    grey += offsets
    return np.clip(grey, 0.0, 1.0, out=grey)
