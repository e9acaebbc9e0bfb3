"""`restora eval background`: the metrics on masks whose answers are known, and the report's shape."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from restora.cli import main
from restora.tools.background.evaluate import BETA2, f_curve, iou, list_picture_pairs, mae, summarise


def square(size: int, y0: int, y1: int, x0: int, x1: int, value: float = 1.0) -> np.ndarray:
    plane = np.zeros((size, size), np.float32)
    plane[y0:y1, x0:x1] = value
    return plane


def test_iou_of_overlapping_squares() -> None:
    truth = square(10, 0, 4, 0, 4)  # 16 px
    alpha = square(10, 2, 6, 0, 4)  # 16 px, 8 shared
    assert iou(alpha, truth) == pytest.approx(8 / 24)
    assert iou(truth, truth) == 1.0
    assert iou(np.zeros((5, 5)), np.zeros((5, 5))) == 1.0  # nothing to find, nothing found
    assert iou(square(10, 0, 4, 0, 4, 0.5), truth) == 0.0  # alpha must exceed 0.5 to count


def test_mae_is_the_mean_absolute_difference() -> None:
    truth = square(4, 0, 2, 0, 4)  # half the pixels 1
    alpha = np.full((4, 4), 0.25, np.float32)
    assert mae(alpha, truth) == pytest.approx(0.5 * 0.75 + 0.5 * 0.25)


def test_f_curve_of_a_binary_mask_is_its_precision_and_recall_at_every_threshold() -> None:
    truth = square(10, 0, 5, 0, 10)  # 50 px
    alpha = square(10, 3, 8, 0, 10)  # 50 px kept, 20 of them true
    precision, recall = 20 / 50, 20 / 50
    expected = (1 + BETA2) * precision * recall / (BETA2 * precision + recall)
    curve = f_curve(alpha, truth)
    assert curve.shape == (255,) and np.allclose(curve, expected)
    assert np.allclose(f_curve(truth, truth), 1.0)
    assert np.allclose(f_curve(np.zeros_like(truth), truth), 0.0)  # nothing kept: F 0, not NaN


def test_f_curve_thresholds_a_soft_mask() -> None:
    truth = square(10, 0, 5, 0, 10)
    alpha = truth * 153 / 255 + square(10, 5, 10, 0, 10, 77 / 255)  # true part at level 153, false part at 77
    curve = f_curve(alpha, truth)
    k = np.arange(1, 256)
    precision = np.where(k <= 77, 0.5, np.where(k <= 153, 1.0, 0.0))
    recall = np.where(k <= 153, 1.0, 0.0)
    with np.errstate(invalid="ignore"):
        expected = np.nan_to_num((1 + BETA2) * precision * recall / (BETA2 * precision + recall))
    assert np.allclose(curve, expected)


def test_max_f_is_the_maximum_of_the_mean_curve_not_the_mean_of_maxima() -> None:
    a, b = np.zeros(255), np.zeros(255)
    a[10], b[200] = 1.0, 1.0
    summary = summarise([1.0, 0.5], [0.0, 0.1], [a, b], seconds=2.0)
    assert summary["max_f"] == pytest.approx(0.5)  # the mean of maxima would be 1
    assert summary["iou"] == summary["iou_median"] == pytest.approx(0.75) and summary["mae"] == pytest.approx(0.05)
    assert summary["iou_at_least_0.9"] == 0.5 and summary["seconds_per_picture"] == 1.0 and summary["pictures"] == 2


def test_picture_folders_pair_by_name(tmp_path: Path) -> None:
    (tmp_path / "mattes").mkdir()
    for name in ("a.jpg", "b.png", "c.jpg", "lonely.jpg"):
        Image.new("RGB", (8, 8)).save(tmp_path / name)
    for name in ("mattes/a.png", "b_matte.png", "c.png"):
        Image.new("L", (8, 8)).save(tmp_path / name)
    pairs = list_picture_pairs(tmp_path)
    assert [(p.name, p.matte.name) for p in pairs] == [("a.jpg", "a.png"), ("b.png", "b_matte.png"), ("c.jpg", "c.png")]
    with pytest.raises(FileNotFoundError, match="no picture"):
        list_picture_pairs(tmp_path / "mattes")


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two picture + matte pairs: a red ball and a yellow box on grey-green, with their true mattes."""
    folder = tmp_path_factory.mktemp("pairs")
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[:120, :160]
    shapes = {
        "ball": ((yy - 60) ** 2 + (xx - 80) ** 2 <= 38 ** 2, (220, 30, 30)),
        "box": ((abs(yy - 64) <= 30) & (abs(xx - 70) <= 40), (240, 200, 20)),
    }
    for name, (inside, colour) in shapes.items():
        ground = np.array([90, 120, 100]) + rng.normal(0, 6, (120, 160, 3))
        picture = np.where(inside[..., None], np.array(colour) + rng.normal(0, 6, (120, 160, 3)), ground)
        Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8)).save(folder / f"{name}.png")
        Image.fromarray((inside * 255).astype(np.uint8), "L").save(folder / f"{name}_matte.png")
    return folder


def test_eval_command_writes_every_number_and_the_grid(pictures: Path, tmp_path: Path) -> None:
    report_path, grid_path = tmp_path / "report.json", tmp_path / "grid.png"
    result = CliRunner().invoke(main, ["eval", "background", "--pictures", str(pictures), "--segmenter", "u2netp",
                                       "--json", str(report_path), "--grid", str(grid_path), "--threads", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text())
    block = report["sets"][f"pictures:{pictures.name}"]
    assert block["pairs"] == 2 and set(block["results"]) == {"u2netp"}
    assert set(block["results"]["u2netp"]) == {"none", "fast", "fine"}
    for summary in block["results"]["u2netp"].values():
        assert {"iou", "mae", "max_f", "seconds_per_picture", "pictures"} <= set(summary)
        assert 0.0 <= summary["mae"] <= 1.0 and summary["pictures"] == 2
        assert summary["iou"] > 0.8 and summary["max_f"] > 0.8  # a lone bright object on a plain ground
    assert len(block["rows"]) == 2 * 3 and {r["picture"] for r in block["rows"]} == {"ball.png", "box.png"}
    assert "u2netp" in result.output and "IoU" in result.output
    with Image.open(grid_path) as grid:
        assert grid.size == (5 * 192, 18 + 2 * 192)


def test_eval_command_needs_a_set_and_known_segmenters(pictures: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "background"])
    assert result.exit_code == 2 and "--data" in result.output and "--pictures" in result.output
    result = CliRunner().invoke(main, ["eval", "background", "--pictures", str(pictures), "--segmenter", "magic"])
    assert result.exit_code == 2 and "unknown segmenter magic" in result.output
