"""The colorize tool end to end with a small randomly initialised net loaded from a real weights file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from restora.imaging.colour import luma, rgb_to_yuv
from restora.imaging.old_photo import auto_levels
from restora.nets.colorize import ColorizeGenerator, ColorizeNetConfig
from restora.tools.base import NETS, InvalidParams
from restora.tools.colorize import Colorize
from restora.tools.colorize.evaluate import make_grey, sample_hints, sepia
from restora.tools.colorize.inference import architecture_of
from restora.weights import MissingWeights, save_safetensors

TINY = ColorizeNetConfig(widths=(8, 8, 8, 8, 8), blocks=(1, 1, 1, 1, 1), decoder=(8, 8, 8, 8))


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RESTORA_MODELS_DIR", str(tmp_path / "models"))
    NETS.clear()
    yield
    NETS.clear()


@pytest.fixture
def weights(tmp_path) -> str:
    """A tiny generator with seeded random weights, saved as Restora ships weights."""
    torch.manual_seed(5)
    net = ColorizeGenerator(TINY)
    path = tmp_path / "tiny-colorize.safetensors"
    save_safetensors(net.state_dict(), architecture_of(TINY), path, tool="colorize")
    return str(path)


@pytest.fixture
def tool() -> Colorize:
    return Colorize()


def colour_photo() -> np.ndarray:
    return data.chelsea()[40:200:2, 60:300:2].copy()  # 80×120


def grey_photo() -> Image.Image:
    return Image.fromarray(make_grey(colour_photo()))


def test_luminance_is_kept_exactly(tool, weights):
    grey = grey_photo()
    for levels in (False, True):
        out = np.asarray(tool.run(grey, weights=weights, levels=levels, render_size=64))
        expected = luma(np.asarray(grey))
        if levels:
            expected = auto_levels(expected)
        difference = np.abs(luma(out) - expected)
        assert difference.mean() <= 1 / 255 and difference.max() <= 0.5 / 255 + 1e-5


def test_hints_are_reproduced_where_given(tool, weights):
    original = colour_photo()
    hints = sample_hints(original, 0.05, 1, "chelsea")
    out = np.asarray(tool.run(grey_photo(), weights=weights, levels=False, render_size=64,
                              hints=Image.fromarray(hints, "RGBA")))
    given = hints[..., 3] > 0
    error = np.abs(rgb_to_yuv(out)[given][:, 1:] - rgb_to_yuv(hints[..., :3])[given][:, 1:])
    assert error.max() < 0.01  # U,V units: 8-bit rounding of the result
    # and the hints spread: away from them the colours come much closer to the photo's than the random net's
    unhinted = np.asarray(tool.run(grey_photo(), weights=weights, levels=False, render_size=64))
    true_uv = rgb_to_yuv(original)[..., 1:]
    error_with = np.abs(rgb_to_yuv(out)[..., 1:] - true_uv)[~given].mean()
    error_without = np.abs(rgb_to_yuv(unhinted)[..., 1:] - true_uv)[~given].mean()
    assert error_with < 0.5 * error_without


def test_hints_of_another_size_are_refused(tool, weights):
    hints = Image.new("RGBA", (121, 80))
    with pytest.raises(InvalidParams, match="121×80 px but the photo is 120×80 px"):
        tool.run(grey_photo(), weights=weights, hints=hints)


def test_hints_without_transparency_are_refused(tool):
    with pytest.raises(InvalidParams, match="transparency"):
        tool.validate({"hints": Image.new("RGB", (120, 80))})
    assert tool.validate({"hints": Image.new("RGBA", (120, 80))})["hints"].size == (120, 80)


def test_a_reference_that_is_not_an_image_is_refused(tool):
    with pytest.raises(InvalidParams, match="must be an image"):
        tool.validate({"reference": "holiday.jpg"})
    with pytest.raises(InvalidParams, match="must be an image"):
        tool.validate({"reference": b"\x89PNG"})


def test_a_reference_changes_the_colours_and_keeps_luminance(tool, weights):
    grey = grey_photo()
    plain = np.asarray(tool.run(grey, weights=weights, levels=False, render_size=64))
    referenced = np.asarray(tool.run(grey, weights=weights, levels=False, render_size=64,
                                     reference=Image.fromarray(data.coffee())))
    assert np.abs(rgb_to_yuv(plain)[..., 1:] - rgb_to_yuv(referenced)[..., 1:]).mean() > 0.01
    assert np.abs(luma(referenced) - luma(np.asarray(grey))).max() <= 0.5 / 255 + 1e-5


def test_a_colour_photo_is_refused_or_recoloured_as_asked(tool, weights):
    photo = Image.fromarray(colour_photo())
    with pytest.raises(InvalidParams, match="already in colour"):
        tool.run(photo, weights=weights, if_colour="refuse")
    recoloured = np.asarray(tool.run(photo, weights=weights, if_colour="recolour", levels=False, render_size=64))
    assert np.abs(luma(recoloured) - luma(colour_photo())).max() <= 0.5 / 255 + 1e-5
    # a grey photo is never refused, nor a sepia one
    tool.run(grey_photo(), weights=weights, if_colour="refuse", render_size=64)
    sepia_print = Image.fromarray(sepia(make_grey(colour_photo())))
    out = np.asarray(tool.run(sepia_print, weights=weights, if_colour="refuse", levels=False, render_size=64))
    assert np.abs(luma(out) - luma(np.asarray(sepia_print))).max() <= 0.5 / 255 + 1e-5


def test_alpha_is_kept_and_progress_reaches_the_end(tool, weights):
    photo = grey_photo().convert("RGBA")
    alpha = np.tile(np.linspace(0, 255, 120, dtype=np.uint8), (80, 1))
    photo.putalpha(Image.fromarray(alpha, "L"))
    seen = []
    out = tool.run(photo, weights=weights, render_size=64, progress=seen.append,
                   hints=Image.fromarray(sample_hints(colour_photo(), 0.01, 2, "x"), "RGBA"))
    assert out.mode == "RGBA" and np.array_equal(np.asarray(out)[..., 3], alpha)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_the_net_is_built_once_and_missing_weights_are_clear(tool, weights, tmp_path):
    assert tool.generator(weights) is tool.generator(weights)
    with pytest.raises(MissingWeights, match="no colorize weights named"):
        tool.prepare(weights=str(tmp_path / "absent.safetensors"))


def test_parameters(tool):
    params = {p.name: p for p in tool.params}
    assert params["render_size"].advanced and params["render_size"].units == "px"
    assert (params["render_size"].minimum, params["render_size"].maximum) == (64, 1024)
    assert params["if_colour"].choices == ("recolour", "refuse") and params["if_colour"].default == "recolour"
    assert params["levels"].default is True and params["hints"].kind == "hints"
    with pytest.raises(InvalidParams):
        tool.validate({"render_size": 32})
    assert {e.name for e in tool.weights} >= {"colorize-debian"}
