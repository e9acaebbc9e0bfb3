"""A reference photo's palette carried over per luminance band, the photo's luminance untouched."""

from __future__ import annotations

import numpy as np
from PIL import Image
from skimage import data

from restora.imaging.colour import luma, rgb_to_yuv, to_uint8
from restora.imaging.colour_transfer import TransferConfig, transfer_palette
from restora.imaging.hints import compose_rgb


def test_a_grey_photo_takes_the_reference_colours_band_by_band():
    y = data.camera()[::2, ::2].astype(np.float32) / 255.0
    reference = np.zeros((60, 90, 3), np.uint8)
    reference[:, :30] = (30, 20, 90)  # dark blue shadows
    reference[:, 30:60] = (150, 80, 60)  # mid-tone brown
    reference[:, 60:] = (240, 230, 150)  # light yellow highlights
    uv = transfer_palette(y, np.zeros(y.shape + (2,), np.float32), Image.fromarray(reference))
    ref_uv = rgb_to_yuv(reference)[..., 1:]
    dark, light = y < np.quantile(y, 0.1), y > np.quantile(y, 0.9)
    np.testing.assert_allclose(uv[dark].mean(axis=0), ref_uv[0, 0], atol=0.03)
    np.testing.assert_allclose(uv[light].mean(axis=0), ref_uv[0, -1], atol=0.03)


def test_a_photo_as_its_own_reference_is_unchanged():
    rgb = data.astronaut()[::2, ::2]
    yuv = rgb_to_yuv(rgb)
    uv = transfer_palette(yuv[..., 0], yuv[..., 1:], rgb)
    np.testing.assert_allclose(uv, yuv[..., 1:], atol=1e-3)


def test_statistics_match_the_reference_and_luminance_is_kept():
    photo = rgb_to_yuv(data.astronaut()[::2, ::2])
    reference = data.coffee()[::2, ::2]
    uv = transfer_palette(photo[..., 0], photo[..., 1:], reference, TransferConfig(bands=1))
    ref_uv = rgb_to_yuv(reference)[..., 1:].reshape(-1, 2)
    np.testing.assert_allclose(uv.reshape(-1, 2).mean(axis=0), ref_uv.mean(axis=0), atol=2e-3)
    np.testing.assert_allclose(uv.reshape(-1, 2).std(axis=0), ref_uv.std(axis=0), rtol=0.02)
    out = to_uint8(compose_rgb(photo[..., 0], uv))
    assert np.abs(luma(out) - photo[..., 0]).max() <= 0.5 / 255 + 1e-6


def test_a_grey_photo_is_not_blown_up_into_noise():
    y = data.camera()[::4, ::4].astype(np.float32) / 255.0
    tiny = np.random.default_rng(0).normal(0, 1e-4, y.shape + (2,)).astype(np.float32)
    uv = transfer_palette(y, tiny, data.coffee(), TransferConfig(max_gain=3.0))
    # the spread grows by at most max_gain: the result is the reference's band means plus a trace
    assert uv.std(axis=(0, 1)).max() < 0.05
