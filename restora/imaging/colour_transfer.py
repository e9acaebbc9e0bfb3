"""A reference photo's palette carried over to a photo's chroma, its luminance untouched.

Reinhard, Ashikhmin, Gooch & Shirley, "Color Transfer between Images" (IEEE CG&A 2001): in a colour
space whose channels are nearly decorrelated, shift and scale each channel so its mean and standard
deviation match the reference's. Here the channels are the BT.601 chroma U, V (luminance is the photo's
own and never changes), and the statistics are taken per luminance band: shadows take the reference's
shadow colours, highlights its highlight colours (a sky is not the colour of a coat). Bands are the
photo's and the reference's own luminance quantiles, so a darker reference still maps shadow to shadow,
and each pixel mixes the two nearest bands, so no band edge shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from restora.imaging.colour import rgb_to_yuv

STATS_PIXELS = 262_144  # statistics from a strided sample of about this many pixels, so 12 MP stays fast


@dataclass(frozen=True)
class TransferConfig:
    bands: int = 3  # luminance bands (shadows, mid-tones, highlights)
    # Largest factor a band's chroma spread may grow by: a grey photo (spread ~0) takes the reference's
    # band means, rather than its noise blown up into colour.
    max_gain: float = 3.0


def _band_weights(y: np.ndarray, own_y: np.ndarray, bands: int, band: int) -> np.ndarray:
    """Weights of the pixels ``y`` in ``band`` (over all bands they sum to 1): each pixel lies between
    the two band centres nearest its luminance rank among ``own_y`` (the photo the bands belong to)."""
    if bands == 1:
        return np.ones(y.shape, dtype=y.dtype)
    centres = np.quantile(own_y, (np.arange(bands) + 0.5) / bands).astype(y.dtype)
    position = np.interp(y, centres, np.arange(bands, dtype=y.dtype)).astype(y.dtype)  # fractional band index
    return np.clip(1.0 - np.abs(position - band), 0.0, 1.0)


def _band_statistics(y: np.ndarray, uv: np.ndarray, bands: int) -> tuple[np.ndarray, np.ndarray]:
    """(bands×2 weighted means, bands×2 weighted standard deviations) of chroma per luminance band."""
    weights = np.stack([_band_weights(y, y, bands, band) for band in range(bands)], axis=1)
    total = np.maximum(weights.sum(axis=0), 1e-12)[:, None]
    mean = weights.T @ uv / total
    variance = weights.T @ (uv * uv) / total - mean * mean
    return mean, np.sqrt(np.maximum(variance, 0.0))


def _sample(y: np.ndarray, uv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    step = max(1, int(np.sqrt(y.size / STATS_PIXELS)))
    return y[::step, ::step].ravel().astype(np.float64), uv[::step, ::step].reshape(-1, 2).astype(np.float64)


def transfer_palette(y: np.ndarray, uv: np.ndarray, reference: np.ndarray | Image.Image,
                     config: TransferConfig = TransferConfig()) -> np.ndarray:
    """H×W×2 chroma of the photo (luminance ``y``, chroma ``uv``) with the palette of ``reference`` (RGB)."""
    if isinstance(reference, Image.Image):
        reference = np.asarray(reference.convert("RGB"))
    ref_yuv = rgb_to_yuv(np.asarray(reference)[..., :3])
    ref_y, ref_uv = _sample(ref_yuv[..., 0], ref_yuv[..., 1:])
    own_y, own_uv = _sample(y, uv)
    ref_mean, ref_std = _band_statistics(ref_y, ref_uv, config.bands)
    own_mean, own_std = _band_statistics(own_y, own_uv, config.bands)
    gain = np.minimum(ref_std / np.maximum(own_std, 1e-6), config.max_gain)
    # Each pixel mixes the transfers of the two bands around its luminance rank with linear weights, so
    # its gain and offset are piecewise linear in Y through the band centres: four interpolations, in
    # float32, and a 12-MP photo needs a few planes of memory.
    centres = np.quantile(own_y, (np.arange(config.bands) + 0.5) / config.bands)
    offset = ref_mean - own_mean * gain
    flat_y = y.astype(np.float32)
    out = np.empty(uv.shape, dtype=np.float32)
    for channel in range(2):
        channel_gain = np.interp(flat_y, centres, gain[:, channel]).astype(np.float32)
        channel_offset = np.interp(flat_y, centres, offset[:, channel]).astype(np.float32)
        out[..., channel] = uv[..., channel] * channel_gain + channel_offset
    return out
