"""Edge refinement: a segmentation's soft mask -> a full-resolution alpha matte and the subject's own colours.

A segmenter's mask is computed at a few hundred pixels (U²-Net: 320²) and enlarged, so its edge is a
blur that ignores the photo. Refinement has three steps:

1. **Trimap.** Pixels whose whole neighbourhood is sure subject (mask >= 0.95) or sure background
   (<= 0.05) keep 1 or 0; the band between them is unknown. The band's half-width is a fixed fraction of
   the photo's long side (:data:`BAND_FRACTION`), so it covers the enlarged mask's blur at any size.
2. **Alpha in the band.** ``fast``: a guided filter (He, Sun & Tang, "Guided Image Filtering", ECCV
   2010; its fast form, He & Sun 2015, arXiv:1505.00996) makes the mask follow the photo's edges: a
   local linear model alpha ≈ a·I + b fitted in every window, computed at a reduced size and applied
   at full size. ``fine``: closed-form matting (Levin, Lischinski & Weiss, CVPR 2006) solved in the band
   by pymatting (MIT), then brought to full size by the same guided upsampling.
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

# 0.5 MP for the guided filter and foreground means: both are smooth fields (window means), so finer
# steps change nothing visible but cost time. Closed-form matting is a sparse solve: 0.35 MP keeps it
# near a few hundred ms with a typical band (measured, docs/background.md).
WORK_PIXELS = {"fast": 160_000, "fine": 350_000}
# Half-width of the unknown band, as a fraction of the long side: U²-Net's 320-px mask enlarged to
# 1,000 px blurs over ~3 px each side, and hair sticks out further than that.
BAND_FRACTION = 0.012
MIN_BAND = 3  # px at working size
SURE = 0.95  # mask values at or beyond these (or their complement) count as sure subject / background
GUIDED_RADIUS_FRACTION = 0.01  # guided filter window radius per long side (working size); 0.008-0.015 did best on tests/background scenes
GUIDED_EPS = 1e-3  # regulariser of the guided filter on [0, 1] colours: below the contrast of a real edge
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
    trimap = make_trimap(small_mask, band)
    if not np.any(trimap == 0.5):  # nothing uncertain (an empty or a full mask): nothing to refine
        empty = np.zeros(0, np.int64)
        return Matte((mask >= 0.5).astype(np.float32), empty, empty, np.zeros((0, 3), np.float32))
    target = _closed_form_alpha(small_rgb, trimap) if edges == "fine" else None
    if target is None:
        # The enlarged mask's ramp is the segmenter's blur, not the edge: the guided filter snaps the
        # half-way line to the photo (mean error 0.012 -> 0.002 on tests/background scenes, vs 0.012 ->
        # 0.011 when filtering the soft mask itself).
        target = (small_mask >= 0.5).astype(np.float32)
    radius = max(1, round(GUIDED_RADIUS_FRACTION * long_side))
    a, b = guided_coefficients(small_rgb, target, radius, GUIDED_EPS)

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


def _closed_form_alpha(image: np.ndarray, trimap: np.ndarray) -> np.ndarray | None:
    """Closed-form matting in the trimap's band (pymatting; imported here: numba loads for seconds).

    The incomplete-Cholesky preconditioner starts with a small diagonal shift: without one it failed on
    person mattes at 12 MP and pymatting printed a warning to stdout before retrying with the shift.
    If no shift helps, the band falls back to the guided filter of the mask (``fast``).
    """
    import contextlib
    import io

    from pymatting.alpha.estimate_alpha_cf import estimate_alpha_cf
    from pymatting.preconditioner.ichol import ichol

    def preconditioner(matrix):
        return ichol(matrix, shifts=[1e-4, 1e-3, 1e-2, 1e-1])

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # pymatting reports retries with print()
            alpha = estimate_alpha_cf(image.astype(np.float64), trimap.astype(np.float64),
                                      preconditioner=preconditioner, cg_kwargs={"maxiter": 500})
    except ValueError:
        return None
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
