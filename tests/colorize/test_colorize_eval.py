"""``restora eval colorize`` on two small photos: baselines, hints alone, the tool with a tiny net."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from restora.nets.colorize import ColorizeGenerator, ColorizeNetConfig
from restora.tools.base import NETS
from restora.tools.colorize import colorize_array
from restora.tools.colorize.evaluate import (
    EvalConfig,
    eval_command,
    evaluate_colorize,
    make_grey,
    sample_hints,
    sepia,
)
from restora.imaging.colour import luma
from restora.imaging.colour_metrics import colourfulness


@pytest.fixture
def photos(tmp_path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(data.coffee()[::4, ::4]).save(folder / "coffee.png")  # 100×150
    Image.fromarray(data.astronaut()[::4, ::4]).save(folder / "astronaut.png")  # 128×128
    (folder / "CREDITS.md").write_text("not a photo\n")
    return folder


def test_hints_are_sampled_reproducibly_at_the_fraction():
    rgb = data.coffee()[::4, ::4]
    hints = sample_hints(rgb, 0.02, 7, "coffee.png")
    assert (hints[..., 3] > 0).sum() == round(0.02 * rgb.shape[0] * rgb.shape[1])
    np.testing.assert_array_equal(hints, sample_hints(rgb, 0.02, 7, "coffee.png"))
    given = hints[..., 3] > 0
    np.testing.assert_array_equal(hints[given][:, :3], rgb[given])
    assert not np.array_equal(hints, sample_hints(rgb, 0.02, 8, "coffee.png"))


def test_sepia_baseline_keeps_luminance_and_is_toned():
    grey = make_grey(data.astronaut()[::4, ::4])
    toned = sepia(grey)
    assert np.abs(luma(toned) - luma(grey)).max() <= 0.5 / 255 + 1e-5
    assert colourfulness(toned) > 5


def test_evaluation_of_baselines_and_hints(photos, tmp_path):
    grid = tmp_path / "grid.png"
    report = evaluate_colorize(EvalConfig(old_photo=""), photos, {}, grid=grid)
    assert report.images == ["astronaut.png", "coffee.png"]
    assert list(report.means) == ["grey", "sepia", "hints 0.5%", "hints 2%"]
    assert report.means["grey"]["psnr_gain"] == 0 and report.means["grey"]["colourfulness"] == 0
    # hints carry the true colours: far above the grey image, closer in CIEDE2000, more colourful
    assert report.means["hints 2%"]["psnr_gain"] > 6
    assert report.means["hints 2%"]["psnr_gain"] > report.means["hints 0.5%"]["psnr_gain"] > 2
    assert report.means["hints 2%"]["ciede2000"] < 0.6 * report.means["grey"]["ciede2000"]
    assert report.means["hints 2%"]["colourfulness_ratio"] > 0.5
    assert all(m["delta_y"] <= 1.0 for m in report.means.values())
    with Image.open(grid) as picture:
        assert picture.width > picture.height / 2  # four columns, two rows


@pytest.mark.slow
def test_eval_command_scores_the_tool(photos, tmp_path, monkeypatch):
    torch.manual_seed(0)
    net = ColorizeGenerator(ColorizeNetConfig(widths=(8,) * 5, blocks=(1,) * 5, decoder=(8,) * 4)).eval()
    colorizers = {"tiny": lambda grey, hints: colorize_array(grey, net, render_size=64, hints=hints, levels=False)}
    report = evaluate_colorize(EvalConfig(old_photo="", hint_fractions=(0.02,)), photos, colorizers)
    assert list(report.means) == ["grey", "sepia", "tiny", "hints 2%", "tiny + hints 2%"]
    assert report.means["tiny"]["delta_y"] <= 1.0 and report.means["tiny + hints 2%"]["delta_y"] <= 1.0
    # hints over a random net's colours still recover most of the gain of hints alone
    assert report.means["tiny + hints 2%"]["psnr_gain"] > 0.7 * report.means["hints 2%"]["psnr_gain"]

    # the command itself, baselines only (no weights are shipped in a test checkout)
    NETS.clear()
    out = tmp_path / "eval.json"
    table = eval_command(EvalConfig(old_photo=""), data=photos, json=out, baselines_only=True, echo=lambda _: None)
    assert "| hints 2% |" in table
    result = json.loads(out.read_text())
    assert result["weights"] is None and set(result["means"]) == {"grey", "sepia", "hints 0.5%", "hints 2%"}
    assert len(result["rows"]) == 2 * 4


def test_the_command_line_built_from_the_tools_declaration(photos, tmp_path):
    from click.testing import CliRunner

    from restora.cli.generated import spec_command
    from restora.tools.colorize import COMMANDS

    command = spec_command("colorize", dict(COMMANDS)["eval"])
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(command, ["--data", str(photos), "--baselines-only", "--json", str(out),
                                          "--long-side", "64", "--old-photo", ""])
    assert result.exit_code == 0, result.output
    assert "| hints 0.5% |" in result.output
    assert json.loads(out.read_text())["config"]["long_side"] == 64
