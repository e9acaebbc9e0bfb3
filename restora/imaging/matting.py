"""Edge refinement: a segmentation's soft mask -> a full-resolution alpha matte and the subject's own colours.

A segmenter's mask is computed at a few hundred pixels (U²-Net: 320²) and enlarged, so its edge is a
blur that ignores the photo. Refinement has three steps:

1. **Trimap.** Pixels whose whole neighbourhood is sure subject (mask >= 0.95) or sure background
   (<= 0.05) keep 1 or 0; the band between them is unknown. The band's half-width is a fixed fraction of
   the photo's long side (:data:`BAND_FRACTION`), so it covers the enlarged mask's blur at any size.
2. **Alpha in the band.** ``fast``: a guided filter (He, Sun & Tang, "Guided Image Filtering", ECCV
   2010; its fast form, He & Sun 2015, arXiv:1505.00996) makes the mask follow the photo's edges: a
   local linear model alpha ≈ a·I + b fitted in every window, computed at a reduced size and applied
   at full size. ``fine`` (the tool's default): closed-form matting (Levin, Lischinski & Weiss, CVPR 2006)
   in the band, built and solved here (:func:`closed_form_alpha`), on a segmenter's mask with a pull
   towards it where the local colours do not tell subject from background, then brought to full size by a guided
   model with a 1-px window fitted to it.
3. **Foreground colour.** A pixel of hair is a mix of hair and old background; compositing it as it
   is brings the old colour along (a halo). The subject's own colour F is estimated by blur fusion
   (Forte & Pitié, "Approximate Fast Foreground Colour Estimation", ICIP 2021): local alpha-weighted
   means of the subject and of the background, then the residual of I = αF + (1-α)B given to F.

Everything that looks at neighbourhoods runs at a working size of at most :data:`WORK_PIXELS`; only
per-pixel formulas run at full size, so a 12-MP photo costs a little more than a 1-MP one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

EDGES = ("fast", "fine")

# The guided filter and foreground means are smooth fields (window means), so finer steps change nothing
# visible but cost time. Closed-form matting is a sparse solve whose cost grows faster than its band: it
# runs at 0.1 MP and the guided model (below) carries it to full size, which on the hair scenes of
# tests/background/scenes.py was as close to the true matte as solving at full size (docs/background.md).
WORK_PIXELS = {"fast": 160_000, "fine": 100_000}
# Half-width of the unknown band, as a fraction of the long side: U²-Net's 320-px mask enlarged to
# 1,000 px blurs over ~3 px each side, and hair sticks out further than that.
BAND_FRACTION = 0.012
MIN_BAND = 3  # px at working size
FINE_BAND_LIMIT = 4  # bands: see refine
SOFT_BAND_FRACTION = 0.004  # ``fine`` on a matting net's matte: the band beyond the matte's own soft pixels
SURE = 0.95  # mask values at or beyond these (or their complement) count as sure subject / background
GUIDED_RADIUS_FRACTION = 0.01  # guided filter window radius per long side (working size); 0.008-0.015 did best on tests/background scenes
GUIDED_EPS = 1e-3  # regulariser of the guided filter on [0, 1] colours: below the contrast of a real edge
# ``fine`` enlarges an alpha that already follows the photo: the smallest window and a weak regulariser
# keep each strand's own colour model (radius 1 px and eps 1e-4 did best on the hair scenes; eps 1e-3
# or a radius of 1 % of the long side blurred the strands: edge error 0.04 -> 0.05-0.07).
FINE_GUIDED_RADIUS = 1
FINE_GUIDED_EPS = 1e-4
# ``fine``'s pull towards a segmenter's answer (not a matting net's: see refine; a data term beside the matting Laplacian, whose diagonal
# is of order 1) where colour cannot tell subject from background: its weight is PRIOR_WEIGHT at most, falling
# as 1 / (1 + (s / SEPARATION_SCALE)²) with the local colour separation s (:func:`colour_separation`, over a
# window of SEPARATION_FRACTION of the long side, blur fusion's large one). Chosen on the val split of
# `restora data background` (U²-Netp, 60 pairs): without it closed-form matting filled the band with background
# that looked like the subject (a tree before trees, a rabbit before grey bark) and fine scored below fast
# (IoU 0.840 vs 0.846); weights 0.03-0.3 and scales 0.5-2 all gave 0.846-0.847. The synthetic hair (dark on
# green, s above 10 around it) keeps its strands, which the mask had lost: a pull without the separation
# factor took them away (hair error 0.04 -> 0.06-0.10).
PRIOR_WEIGHT = 0.1
SEPARATION_SCALE = 1.0
SEPARATION_FRACTION = 0.06
CLOSED_FORM_EPSILON = 1e-7  # Levin et al.'s regulariser of the window covariance
FOREGROUND_RADII_FRACTION = (0.06, 0.006)  # blur fusion's two passes: large then small window
FUSION_PIXELS = 60_000  # blur fusion's grid: its means are of whole windows, finer steps show nothing


@dataclass
class Matte:
    """A refined matte at the photo's size.

    ``alpha``: H×W float32 in [0, 1]. The subject's own colour is the photo's pixel wherever alpha is 0
    or 1; in the edge band, the pixels (``ys``, ``xs``), it is ``colours`` (N×3 float32 in [0, 1]). Kept
    sparse so a 12-MP photo needs no full-size float copy of itself.
    """

    alpha: np.ndarray
    ys: np.ndarray
    xs: np.ndarray
    colours: np.ndarray

    def foreground(self, rgb: np.ndarray) -> np.ndarray:
        """The subject's colours as a full H×W×3 uint8 picture (the photo with its edge band corrected)."""
        result = rgb.copy()
        result[self.ys, self.xs] = np.clip(np.floor(self.colours * 255.0 + 0.5), 0, 255).astype(np.uint8)
        return result


def refine(rgb: np.ndarray, mask: np.ndarray, edges: str = "fast", soft: bool = False) -> Matte:
    """Refine ``mask`` (H×W float in [0, 1]) on ``rgb`` (H×W×3 uint8) with the ``edges`` method.

    ``soft``: the mask is already a full-resolution matte (a matting net's, with hair): ``fast`` then keeps
    it as it is and only estimates the subject's colours where it is partly transparent (filtering it
    again only spread the hair's edge outwards: docs/background-edges.png).
    """
    if edges not in EDGES:
        raise ValueError(f"edges must be one of {EDGES}, not {edges!r}")
    height, width = mask.shape
    if rgb.shape[:2] != mask.shape:
        raise ValueError(f"mask {mask.shape} and photo {rgb.shape[:2]} differ in size")
    mask = np.clip(mask.astype(np.float32, copy=False), 0.0, 1.0)
    scale = min(1.0, (WORK_PIXELS[edges] / (height * width)) ** 0.5)
    small_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small_rgb = _resize(rgb, small_size).astype(np.float32) / 255.0
    small_mask = _resize_plane(mask, small_size)
    if soft and edges == "fast":
        return _keep_matte(rgb, mask, small_rgb, small_mask)
    long_side = max(small_size)
    band = max(MIN_BAND, round(BAND_FRACTION * long_side))
    if edges == "fine" and soft:
        # A matting net's matte: re-solve only where it is itself unsure, plus a pixel or two around.
        trimap = make_trimap(small_mask, max(1, round(SOFT_BAND_FRACTION * long_side)))
    elif edges == "fine":
        # A band around the mask's half-way line, widened outwards (up to FINE_BAND_LIMIT bands) where the
        # mask is unsure, because hair the net half lost lies outside its line. Not inwards: a net unsure
        # over a whole region inside the subject (U²-Netp at 0.6-0.9 over Grace Hopper's cap) left that
        # region to the solver, which made it half transparent.
        inside = small_mask >= 0.5
        trimap = make_trimap(inside.astype(np.float32), band)
        unsure = make_trimap(small_mask, band) == 0.5
        near = make_trimap(inside.astype(np.float32), FINE_BAND_LIMIT * band) == 0.5
        trimap[unsure & near & ~inside] = 0.5
    else:
        trimap = make_trimap(small_mask, band)
    if not np.any(trimap == 0.5):  # nothing uncertain (an empty or a full mask): nothing to refine
        empty = np.zeros(0, np.int64)
        return Matte((mask >= 0.5).astype(np.float32), empty, empty, np.zeros((0, 3), np.float32))
    if edges == "fine":
        if soft:
            # A matting net's matte: closed-form matting alone. The pull below took Biden's flyaway strands
            # (docs/images/background/biden-hair.png: kept without it, lost with it, and lost with it
            # weighted by the matte's sureness), which the net's matte had only faintly.
            target = closed_form_alpha(small_rgb, trimap)
        else:
            # Where the colours around a pixel do not tell subject from background, the colour-line model
            # has nothing to go on and the segmenter (which saw shapes, not only colours) is pulled towards;
            # where they do, closed-form matting decides alone. The enlarged mask's answer is its side of
            # one half, trusted as far as it is sure.
            separation = colour_separation(small_rgb, small_mask >= 0.5, max(1, round(SEPARATION_FRACTION * long_side)))
            weight = PRIOR_WEIGHT / (1.0 + (separation / SEPARATION_SCALE) ** 2) * np.abs(2.0 * small_mask - 1.0)
            prior = (small_mask >= 0.5).astype(np.float32)
            target = closed_form_alpha(small_rgb, trimap, prior=prior, prior_weight=weight)
        radius, eps = FINE_GUIDED_RADIUS, FINE_GUIDED_EPS
    else:
        # The enlarged mask's ramp is the segmenter's blur, not the edge: the guided filter snaps the
        # half-way line to the photo (mean error 0.012 -> 0.002 on tests/background scenes, vs 0.012 ->
        # 0.011 when filtering the soft mask itself).
        target = (small_mask >= 0.5).astype(np.float32)
        radius, eps = max(1, round(GUIDED_RADIUS_FRACTION * long_side)), GUIDED_EPS
    a, b = guided_coefficients(small_rgb, target, radius, eps)

    # Sure pixels keep the trimap's 0 or 1; the band takes the linear model a·I + b at full size.
    # Only band pixels are interpolated from the small size: a few percent of a large photo.
    small_alpha = np.where(trimap == 0.5, np.clip(np.einsum("hwc,hwc->hw", a, small_rgb) + b, 0, 1), trimap)
    alpha = _resize_plane(trimap, (width, height), Image.Resampling.NEAREST)
    ys, xs = np.nonzero(alpha == 0.5)
    colours = rgb[ys, xs].astype(np.float32) / 255.0
    coefficients = _sample(np.concatenate([a, b[..., None]], axis=-1), ys, xs, (height, width))
    band_alpha = np.clip(np.einsum("nc,nc->n", coefficients[:, :3], colours) + coefficients[:, 3], 0.0, 1.0)
    alpha[ys, xs] = band_alpha
    foreground = estimate_foreground(small_rgb, small_alpha.astype(np.float32), colours, band_alpha,
                                     ys, xs, (height, width))
    return Matte(alpha, ys, xs, foreground)


def _keep_matte(rgb: np.ndarray, mask: np.ndarray, small_rgb: np.ndarray, small_mask: np.ndarray) -> Matte:
    """A matting net's matte as it is, with the subject's colours estimated where it is partly transparent."""
    height, width = mask.shape
    # Values that round to 0 or 255 in 8 bits are solid: only the rest is the edge band.
    alpha = np.where(mask >= 0.5, np.float32(1), np.float32(0))
    ys, xs = np.nonzero((mask > 0.5 / 255) & (mask < 1 - 0.5 / 255))
    band_alpha = mask[ys, xs]
    alpha[ys, xs] = band_alpha
    colours = rgb[ys, xs].astype(np.float32) / 255.0
    foreground = estimate_foreground(small_rgb, small_mask, colours, band_alpha, ys, xs, (height, width))
    return Matte(alpha, ys, xs, foreground)


def colour_separation(image: np.ndarray, inside: np.ndarray, radius: int) -> np.ndarray:
    """How well colour tells the subject from the background around each pixel: the squared distance between
    the local mean colours of the two sides (``inside`` and not) over the sum of their local variances."""
    hard = inside.astype(np.float32)
    weight_f = _box(hard, radius) + 1e-4
    weight_b = _box(1.0 - hard, radius) + 1e-4
    mean_f = np.stack([_box(image[..., c] * hard, radius) for c in range(3)], axis=-1) / weight_f[..., None]
    mean_b = np.stack([_box(image[..., c] * (1.0 - hard), radius) for c in range(3)], axis=-1) / weight_b[..., None]
    square = np.einsum("hwc,hwc->hw", image, image)
    var_f = _box(square * hard, radius) / weight_f - np.einsum("hwc,hwc->hw", mean_f, mean_f)
    var_b = _box(square * (1.0 - hard), radius) / weight_b - np.einsum("hwc,hwc->hw", mean_b, mean_b)
    return np.einsum("hwc,hwc->hw", mean_f - mean_b, mean_f - mean_b) / (np.maximum(var_f, 0) + np.maximum(var_b, 0) + 1e-3)


def make_trimap(mask: np.ndarray, band: int) -> np.ndarray:
    """1 where the mask is sure subject within ``band`` px, 0 where sure background, 0.5 between."""
    from scipy import ndimage  # here, not at the top: the tool registry imports this module at start-up
    size = 2 * band + 1
    lowest = ndimage.minimum_filter(mask, size=size)
    highest = ndimage.maximum_filter(mask, size=size)
    trimap = np.full(mask.shape, 0.5, np.float32)
    trimap[lowest >= SURE] = 1.0
    trimap[highest <= 1.0 - SURE] = 0.0
    return trimap


def _box(plane: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a (2r+1)² window, edges mirrored."""
    from scipy import ndimage
    return ndimage.uniform_filter(plane, size=2 * radius + 1, mode="reflect")


def guided_coefficients(guide: np.ndarray, target: np.ndarray, radius: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """The guided filter's window-averaged a (H×W×3) and b (H×W): target ≈ a·guide + b, colour guide."""
    mean_i = np.stack([_box(guide[..., c], radius) for c in range(3)], axis=-1)
    mean_p = _box(target, radius)
    cov_ip = np.stack([_box(guide[..., c] * target, radius) for c in range(3)], axis=-1) - mean_i * mean_p[..., None]
    # The guide's 3×3 covariance in every window, regularised by eps·identity, inverted per pixel.
    var = {}
    for i in range(3):
        for j in range(i, 3):
            var[i, j] = _box(guide[..., i] * guide[..., j], radius) - mean_i[..., i] * mean_i[..., j]
            if i == j:
                var[i, j] += eps
    a = _solve_symmetric3(var, cov_ip)
    b = mean_p - np.einsum("hwc,hwc->hw", a, mean_i)
    mean_a = np.stack([_box(a[..., c], radius) for c in range(3)], axis=-1)
    return mean_a, _box(b, radius)


def _solve_symmetric3(var: dict, rhs: np.ndarray) -> np.ndarray:
    """Solve Σ·a = rhs per pixel for a symmetric 3×3 Σ given as its six planes (Cramer's rule by cofactors:
    several times faster than a batched np.linalg.solve on millions of tiny systems)."""
    s00, s01, s02, s11, s12, s22 = var[0, 0], var[0, 1], var[0, 2], var[1, 1], var[1, 2], var[2, 2]
    c00 = s11 * s22 - s12 * s12
    c01 = s02 * s12 - s01 * s22
    c02 = s01 * s12 - s02 * s11
    c11 = s00 * s22 - s02 * s02
    c12 = s01 * s02 - s00 * s12
    c22 = s00 * s11 - s01 * s01
    det = s00 * c00 + s01 * c01 + s02 * c02  # > 0: eps·identity keeps Σ positive definite
    r0, r1, r2 = rhs[..., 0], rhs[..., 1], rhs[..., 2]
    return np.stack([(c00 * r0 + c01 * r1 + c02 * r2) / det,
                     (c01 * r0 + c11 * r1 + c12 * r2) / det,
                     (c02 * r0 + c12 * r1 + c22 * r2) / det], axis=-1)


def estimate_foreground(small_image: np.ndarray, small_alpha: np.ndarray, colours: np.ndarray, alpha: np.ndarray,
                        ys: np.ndarray, xs: np.ndarray, full_shape: tuple[int, int]) -> np.ndarray:
    """The subject's colour F at the pixels (ys, xs) of a photo of ``full_shape``, whose colours and
    alphas are ``colours`` (N×3) and ``alpha`` (N), by blur fusion: local means at the small size, the
    residual at full size."""
    if small_alpha.size > FUSION_PIXELS:  # local means of colour: smooth, so a coarser grid does
        scale = (FUSION_PIXELS / small_alpha.size) ** 0.5
        size = (max(1, round(small_alpha.shape[1] * scale)), max(1, round(small_alpha.shape[0] * scale)))
        small_image = np.stack([_resize_plane(small_image[..., c], size) for c in range(3)], axis=-1)
        small_alpha = _resize_plane(small_alpha, size)
    foreground = small_image.copy()
    background = small_image.copy()
    long_side = max(small_alpha.shape)
    for fraction in FOREGROUND_RADII_FRACTION:
        foreground, background = _blur_fusion(small_image, small_alpha, foreground, background,
                                              max(1, round(fraction * long_side)))
    means = _sample(np.concatenate([foreground, background], axis=-1), ys, xs, full_shape)
    f_mean, b_mean, a = means[:, :3], means[:, 3:], alpha[:, None]
    # I = αF + (1-α)B: what the means leave unexplained belongs to F in proportion to α.
    return np.clip(f_mean + a * (colours - a * f_mean - (1 - a) * b_mean), 0.0, 1.0)


def _sample(planes: np.ndarray, ys: np.ndarray, xs: np.ndarray, full_shape: tuple[int, int]) -> np.ndarray:
    """Bilinear values of ``planes`` (h×w×C, a shrunken photo) at full-size pixels (ys, xs): N×C.
    Pixel centres are aligned as Pillow's resize aligns them."""
    small_h, small_w, channels = planes.shape
    flat = planes.reshape(-1, channels)
    # Pillow's pixel-centre alignment: full-size pixel i sits at (i + 0.5)·small/full - 0.5 on the small grid.
    fy = np.clip((ys.astype(np.float32) + 0.5) * np.float32(small_h / full_shape[0]) - 0.5, 0, small_h - 1)
    fx = np.clip((xs.astype(np.float32) + 0.5) * np.float32(small_w / full_shape[1]) - 0.5, 0, small_w - 1)
    y0, x0 = fy.astype(np.int32), fx.astype(np.int32)
    wy = (fy - y0.astype(np.float32))[:, None]  # float32 throughout: int32 - float32 would be float64
    wx = (fx - x0.astype(np.float32))[:, None]
    top, bottom = y0 * small_w, np.minimum(y0 + 1, small_h - 1) * small_w
    right = np.minimum(x0 + 1, small_w - 1)
    upper = np.take(flat, top + x0, axis=0)
    upper += (np.take(flat, top + right, axis=0) - upper) * wx
    lower = np.take(flat, bottom + x0, axis=0)
    lower += (np.take(flat, bottom + right, axis=0) - lower) * wx
    upper += (lower - upper) * wy
    return upper


def _blur_fusion(image, alpha, foreground, background, radius):
    """One pass of Forte & Pitié's estimate: alpha-weighted local means of F and B, then the residual."""
    a = alpha[..., None]
    weight_f = _box(alpha, radius)[..., None]
    weight_b = _box(1.0 - alpha, radius)[..., None]
    f_mean = np.stack([_box(foreground[..., c] * alpha, radius) for c in range(3)], axis=-1) / np.maximum(weight_f, 1e-5)
    b_mean = np.stack([_box(background[..., c] * (1 - alpha), radius) for c in range(3)], axis=-1) / np.maximum(weight_b, 1e-5)
    residual = image - a * f_mean - (1 - a) * b_mean
    return np.clip(f_mean + a * residual, 0, 1), np.clip(b_mean + (1 - a) * residual, 0, 1)


def closed_form_alpha(image: np.ndarray, trimap: np.ndarray, epsilon: float = CLOSED_FORM_EPSILON,
                      prior: np.ndarray | None = None, prior_weight: np.ndarray | None = None) -> np.ndarray:
    """Closed-form matting (Levin, Lischinski & Weiss, "A Closed-Form Solution to Natural Image Matting",
    CVPR 2006 / PAMI 2008) of ``image`` (h×w×3 float in [0, 1]) in the unknown band of ``trimap`` (0, 0.5, 1).

    In every 3×3 window alpha is taken to be a linear function of the colour, which gives the matting
    Laplacian L: L_ij = Σ_windows∋i,j [δ_ij - (1 + (I_i - μ)ᵀ (Σ + ε/9·I₃)⁻¹ (I_j - μ)) / 9]. The band's
    alpha minimises αᵀLα with the trimap's 0s and 1s held fixed: L_UU·α_U = -L_UK·α_K. Only the windows
    that touch the band are built (a band is a few percent of the photo), straight into the rows of the
    unknown pixels, and the sparse system is solved directly (SuperLU): exact, no iteration count to tune,
    and on a band of ~10k pixels faster than an incomplete Cholesky plus conjugate gradients.

    ``prior`` and ``prior_weight`` (h×w, both or neither): a data term Σ w·(α − prior)² added to αᵀLα over
    the band (Levin et al.'s constraint term with soft, per-pixel weights): L_UU + W on the left, W·prior
    added on the right.
    """
    from scipy import ndimage, sparse
    from scipy.sparse import linalg

    if (prior is None) != (prior_weight is None):
        raise ValueError("closed_form_alpha needs both prior and prior_weight, or neither")
    unknown = trimap == 0.5
    alpha = trimap.astype(np.float64, copy=True)
    if not unknown.any():
        return alpha.astype(np.float32)
    # Crop to the band's box plus the 2 px its windows reach: the rest of the photo plays no part.
    rows, cols = np.nonzero(unknown)
    top, left = max(0, rows.min() - 2), max(0, cols.min() - 2)
    bottom, right = min(trimap.shape[0], rows.max() + 3), min(trimap.shape[1], cols.max() + 3)
    crop = image[top:bottom, left:right].reshape(-1, 3).astype(np.float64)
    known_alpha = trimap[top:bottom, left:right].astype(np.float64).ravel()
    band = unknown[top:bottom, left:right]
    height, width = band.shape
    # Windows: every centre within 1 px of the band, not on the crop's edge (a window must fit inside).
    centres = ndimage.binary_dilation(band, np.ones((3, 3), bool))
    centres[[0, -1], :] = False
    centres[:, [0, -1]] = False
    steps = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    pixels = np.flatnonzero(centres)[:, None] + np.array([dy * width + dx for dy, dx in steps])  # M×9
    colours = crop[pixels]  # M×9×3
    centred = colours - colours.mean(axis=1, keepdims=True)
    covariance = np.einsum("mki,mkj->mij", centred, centred) / 9 + (epsilon / 9) * np.eye(3)
    weights = (1.0 + centred @ np.linalg.inv(covariance) @ centred.transpose(0, 2, 1)) / 9  # M×9×9

    # Rows of the unknown pixels only; column j of row i sits at i's offset (dy, dx) in a 5×5 neighbourhood.
    unknown_pixels = np.flatnonzero(band.ravel())
    number = np.full(band.size, -1, np.int64)
    number[unknown_pixels] = np.arange(unknown_pixels.size)
    offsets = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)]
    # Each window adds δ_ij - weights[k, l] to row i (its k-th pixel), column j (its l-th), which is at
    # offset (l - k) from i: summed for all windows at once by one bincount over (row, offset) slots.
    step_y, step_x = np.array(steps).T
    slots = (step_y[None, :] - step_y[:, None] + 2) * 5 + (step_x[None, :] - step_x[:, None] + 2)  # 9×9
    row = number[pixels]  # M×9: the unknown's number of each window pixel, -1 for a known one
    inside = row >= 0
    weights -= np.eye(9)  # -(δ_kl - weight): the window's Laplacian, negated
    flat_slots = (row[:, :, None] * len(offsets) + slots[None])[inside]
    values = -np.bincount(flat_slots.ravel(), weights[inside].ravel(), minlength=unknown_pixels.size * len(offsets))
    values = values.reshape(unknown_pixels.size, len(offsets))
    columns = unknown_pixels[:, None] + np.array([dy * width + dx for dy, dx in offsets])
    columns = np.clip(columns, 0, band.size - 1)  # entries that fall off the crop are zero anyway
    column_number = number[columns]
    fixed = column_number < 0
    rhs = -(values * fixed * known_alpha[columns]).sum(axis=1)  # the known pixels' part moves to the right
    values[fixed] = 0.0
    column_number[fixed] = 0
    size = unknown_pixels.size
    system = sparse.csr_matrix((values.ravel(), column_number.ravel(), np.arange(size + 1) * len(offsets)),
                               shape=(size, size))
    system.eliminate_zeros()
    # A tiny pull towards one half keeps the system regular where a piece of band touches no known pixel.
    system = system + sparse.identity(size, format="csr") * 1e-9
    if prior is not None:
        # The data term Σ w·(α - prior)²: w on the diagonal, w·prior on the right.
        weight = prior_weight[top:bottom, left:right].astype(np.float64).ravel()[unknown_pixels]
        system = system + sparse.diags(weight, format="csr")
        rhs = rhs + weight * prior[top:bottom, left:right].astype(np.float64).ravel()[unknown_pixels]
    # The system is symmetric positive definite: symmetric mode, no pivoting, and a minimum-degree order
    # of its pattern (3x faster than the default COLAMD here).
    factors = linalg.splu(system.tocsc(), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                          options={"SymmetricMode": True})
    solution = factors.solve(rhs + 0.5e-9)
    crop_alpha = alpha[top:bottom, left:right].reshape(-1)
    crop_alpha[unknown_pixels] = np.clip(solution, 0.0, 1.0)
    alpha[top:bottom, left:right] = crop_alpha.reshape(height, width)
    return alpha.astype(np.float32)


def _resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if (rgb.shape[1], rgb.shape[0]) == size:
        return rgb
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0))


def _resize_plane(plane: np.ndarray, size: tuple[int, int], resample=Image.Resampling.BILINEAR) -> np.ndarray:
    """A float32 plane resized to ``size`` (width, height) by Pillow's "F" mode (no 8-bit rounding)."""
    if (plane.shape[1], plane.shape[0]) == size:
        return plane.astype(np.float32, copy=True)
    return np.array(Image.fromarray(plane.astype(np.float32), "F").resize(size, resample), dtype=np.float32)
