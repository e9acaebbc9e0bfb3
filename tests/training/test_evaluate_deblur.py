"""The deblur evaluation: fixed blurs, baselines, the table and the JSON, and the evaluation set."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from skimage import data

from restora.cli import main
from restora.training.eval_set import EVAL_IMAGES, export_eval_set
from restora.tools.deblur.evaluate import EvalConfig, blur_case, evaluate, format_table


@pytest.fixture
def small_set(tmp_path):
    folder = tmp_path / "sharp"
    folder.mkdir()
    Image.fromarray(data.astronaut()[100:196, 150:270]).save(folder / "astro.png")
    Image.fromarray(data.coffee()[50:150, 200:300]).save(folder / "coffee.png")
    (folder / "notes.txt").write_text("ignored")
    return folder


def test_blurs_are_fixed_by_seed_name_and_kind():
    sharp = data.chelsea()[:80, :80]
    a, ka = blur_case(sharp, "x.png", "trajectory", 1)
    b, kb = blur_case(sharp, "x.png", "trajectory", 1)
    c, kc = blur_case(sharp, "y.png", "trajectory", 1)
    assert np.array_equal(a, b) and np.array_equal(ka, kb)
    assert not (ka.shape == kc.shape and np.array_equal(ka, kc))
    assert a.dtype == np.uint8 and a.shape == sharp.shape


def test_evaluate_scores_methods_per_kind(small_set):
    identity = lambda rgb: rgb  # noqa: E731  a "net" that does nothing must score exactly as the input
    report = evaluate(small_set, {"output": identity}, EvalConfig(border=8, kernels_per_image=2))
    assert report.images == ["astro.png", "coffee.png"]
    for kind in ("trajectory", "linear"):
        means = report.means[kind]
        assert set(means) == {"blurred", "unsharp", "wiener", "richardson_lucy", "output"}
        assert means["output"] == means["blurred"]
        assert means["wiener"]["psnr"] > means["blurred"]["psnr"]  # the oracle knows the kernel
    # images × kinds × draws × methods, then images × (unsharp, output) unblurred
    assert len(report.rows) == 2 * 2 * 2 * 5 + 2 * 2
    assert report.unblurred["output"]["psnr"] == float("inf")  # the identity leaves a sharp photo alone
    assert 20 < report.unblurred["unsharp"]["psnr"] < 60  # unsharp masking changes it
    table = format_table(report)
    assert "| wiener |" in table and "+0.00" in table and "- output: inf dB" in table


def test_cli_writes_json_and_refuses_an_empty_folder(small_set, tmp_path):
    out = tmp_path / "eval.json"
    command = ["eval", "deblur", "--data", str(small_set), "--baselines-only", "--kernels", "1", "--json", str(out)]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output
    saved = json.loads(out.read_text())
    assert saved["weights"] is None and saved["config"]["border"] == 16
    assert len(saved["rows"]) == 2 * 2 * 4 + 2  # and unsharp masking on each unblurred photo
    assert set(saved["means"]) == {"trajectory", "linear"} and set(saved["unblurred"]) == {"unsharp"}
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["eval", "deblur", "--data", str(tmp_path / "empty"), "--baselines-only"])
    assert result.exit_code == 2


def test_cli_exits_4_without_weights(small_set, tmp_path, monkeypatch):
    monkeypatch.setenv("RESTORA_MODELS_DIR", str(tmp_path / "none"))
    result = CliRunner().invoke(main, ["eval", "deblur", "--data", str(small_set), "--weights", "deblurgan-v1"])
    assert result.exit_code == 4 and "latest_net_G.pth" in result.output


def test_export_eval_set(tmp_path):
    files = export_eval_set(tmp_path / "set")
    assert [f.stem for f in files] == [i.name for i in EVAL_IMAGES]
    for path in files:
        with Image.open(path) as image:
            assert image.mode == "RGB" and min(image.size) >= 300
    credits = (tmp_path / "set" / "CREDITS.md").read_text()
    assert "CC-BY-2.0" in credits and "china.png" in credits


@pytest.mark.slow
def test_cli_scores_the_kernel_method_without_weights(small_set, tmp_path, monkeypatch):
    monkeypatch.setenv("RESTORA_MODELS_DIR", str(tmp_path / "none"))  # the kernel method needs no net
    out = tmp_path / "eval.json"
    command = ["eval", "deblur", "--data", str(small_set), "--method", "kernel", "--kernels", "1", "--json", str(out)]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output
    saved = json.loads(out.read_text())
    assert saved["methods"] == ["kernel"]
    assert set(saved["means"]["trajectory"]) == {"blurred", "unsharp", "wiener", "richardson_lucy", "kernel"}
    assert set(saved["unblurred"]) == {"unsharp", "kernel"}
