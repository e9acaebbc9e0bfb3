"""CIEDE2000 against Sharma, Wu & Dalal's published test pairs and scikit-image; colourfulness by hand."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab

from restora.imaging.colour_metrics import ciede2000, colourfulness, mean_ciede2000, rgb_to_lab

# Pairs from Sharma et al. (2005), Table 1: (L*a*b* 1, L*a*b* 2, ΔE00 to 4 decimals). They include the
# hue wrap-around cases (pairs 7-13), where implementations most often go wrong.
SHARMA_PAIRS = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, -1.0, 2.0), (50.0, 0.0, 0.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0010), 7.1792),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0011), 7.2195),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0012), 7.2195),
    ((50.0, -0.001, 2.49), (50.0, 0.0009, -2.49), 4.8045),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ((50.0, 2.5, 0.0), (50.0, 3.1736, 0.5854), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA_PAIRS)
def test_ciede2000_published_pairs(lab1, lab2, expected):
    assert float(ciede2000(np.array(lab1), np.array(lab2))) == pytest.approx(expected, abs=5e-5)
    # the formula is symmetric in its two colours
    assert float(ciede2000(np.array(lab2), np.array(lab1))) == pytest.approx(expected, abs=5e-5)


def test_ciede2000_agrees_with_scikit_image_on_random_colours():
    rng = np.random.default_rng(3)
    lab1 = np.stack([rng.uniform(0, 100, 2000), rng.uniform(-100, 100, 2000), rng.uniform(-100, 100, 2000)], -1)
    lab2 = lab1 + rng.normal(0, 8, lab1.shape)
    np.testing.assert_allclose(ciede2000(lab1, lab2), deltaE_ciede2000(lab1, lab2), atol=1e-9)


def test_rgb_to_lab_agrees_with_scikit_image():
    rgb = np.random.default_rng(0).integers(0, 256, (500, 3)).astype(np.uint8)
    # scikit-image rounds the sRGB matrix to six digits: differences stay below 0.01 L*a*b* units
    np.testing.assert_allclose(rgb_to_lab(rgb), rgb2lab(rgb), atol=0.01)
    np.testing.assert_allclose(rgb_to_lab(np.array([255, 255, 255], np.uint8)), [100, 0, 0], atol=0.01)


def test_mean_ciede2000_of_identical_images_is_zero_and_shapes_must_match():
    rgb = np.random.default_rng(1).integers(0, 256, (8, 9, 3)).astype(np.uint8)
    assert mean_ciede2000(rgb, rgb) == 0.0
    assert mean_ciede2000(rgb, 255 - rgb) > 10
    with pytest.raises(ValueError, match="shape"):
        mean_ciede2000(rgb, rgb[:4])


def test_colourfulness_of_a_grey_image_is_zero():
    grey = np.repeat(np.random.default_rng(2).integers(0, 256, (16, 16, 1)).astype(np.uint8), 3, axis=2)
    assert colourfulness(grey) == 0.0


def test_colourfulness_by_hand():
    # half pure red, half pure green: rg = ±255 (mean 0, σ 255), yb = 127.5 everywhere (σ 0, mean 127.5)
    image = np.zeros((4, 4, 3), np.uint8)
    image[:, :2, 0] = 255
    image[:, 2:, 1] = 255
    assert colourfulness(image) == pytest.approx(255.0 + 0.3 * 127.5)
    assert colourfulness(image.astype(np.float32) / 255.0) == pytest.approx(255.0 + 0.3 * 127.5)
