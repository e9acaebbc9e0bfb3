"""`restora train background`: the fine-tune starts from the shipped net, uses the reference deep supervision,
and resumes bit for bit (a tiny run on synthetic pairs)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from click.testing import CliRunner
from PIL import Image
from safetensors.torch import load_file

from restora.cli import main
from restora.nets.u2net import build_u2net
from restora.tools.background.data import EVAL_CATEGORIES, VAL_CATEGORIES, BackgroundDataConfig, Cutout, Photo, write_pairs
from restora.tools.background.evaluate import torch_u2netp
from restora.tools.background.segment import u2net_input
from restora.tools.background.training import (
    EXPORT_NAME, LAST_EXPORT_NAME, ONNX_EXPORT_NAME, BackgroundTrainConfig, Trainer, deep_supervision_loss, initial_state,
    net_input,
)
from restora.training.checkpoints import load_checkpoint
from restora.weights import SHIPPED_DIR

TINY = ["--size", "64", "--batch", "2", "--val-every", "2", "--val-count", "2", "--log-every", "1", "--threads", "1",
        "--lr", "1e-3", "--warmup", "1", "--no-progress"]


def stamp(seed: int, size: int = 128) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    inside = ((yy - size / 2) / (0.42 * size)) ** 2 + ((xx - size / 2) / (0.3 * size)) ** 2 <= 1
    return np.dstack([rng.integers(0, 256, (size, size, 3)), np.where(inside, 255, 0)]).astype(np.uint8)


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bgtrain")
    cutouts = [Cutout(stamp(i), f"s{i}.png", c, "test", "1", "GPL-2", "0" * 64)
               for i, c in enumerate(["animals/birds", "town", VAL_CATEGORIES[0], EVAL_CATEGORIES[0]])]
    rng = np.random.default_rng(3)
    photos = [Photo(rng.integers(0, 256, (100, 120, 3)).astype(np.uint8), f"p{s}.jpg", "test", "1", "GPL", s)
              for s in ("train", "val", "eval")]
    entries = write_pairs(out, cutouts, photos, BackgroundDataConfig(train_per_stamp=3, eval_per_stamp=2,
                                                                     train_side=72, eval_side=72))
    (out / "manifest.json").write_text(json.dumps({"entries": [e.__dict__ for e in entries]}))
    return out


def test_net_input_is_the_tools_preprocessing() -> None:
    rgb = np.asarray(np.random.default_rng(0).integers(0, 200, (90, 130, 3)), np.uint8)
    assert np.array_equal(net_input(rgb, 320), u2net_input(rgb)[0])


def test_deep_supervision_is_the_sum_of_seven_bces() -> None:
    target = (torch.rand(2, 1, 8, 8) > 0.5).float()
    logits = tuple(torch.randn(2, 1, 8, 8) for _ in range(7))
    total, fused = deep_supervision_loss(logits, target)
    expected = sum(F.binary_cross_entropy(torch.sigmoid(d), target) for d in logits)
    assert total.item() == pytest.approx(expected.item(), rel=1e-5)
    assert fused.item() == pytest.approx(F.binary_cross_entropy(torch.sigmoid(logits[0]), target).item(), rel=1e-5)
    sure = tuple(30 * (2 * target - 1) for _ in range(7))  # confident and right: near zero
    assert deep_supervision_loss(sure, target)[0].item() < 1e-6


def test_the_start_is_the_shipped_net() -> None:
    net = build_u2net("u2netp")
    net.load_state_dict(initial_state("shipped"), strict=True)
    bn = net.stage1.rebnconvin.bn_s1
    assert torch.equal(bn.running_mean, torch.zeros_like(bn.running_mean))  # folded into the convolution


def test_a_step_trains_but_leaves_batch_norm_statistics_alone(pairs: Path) -> None:
    from restora.tools.background.training import TrainPairs

    config = BackgroundTrainConfig(size=64, batch=2, lr=1e-3, warmup=1)
    trainer = Trainer(config)
    before = {k: v.clone() for k, v in trainer.net.state_dict().items()}
    trainer.train_step(TrainPairs(pairs, 64))
    after = trainer.net.state_dict()
    assert not torch.equal(before["side1.weight"], after["side1.weight"])
    stats = [k for k in before if "running_" in k or "num_batches" in k]
    assert stats and all(torch.equal(before[k], after[k]) for k in stats)


def test_tiny_run_resumes_bit_for_bit_and_exports(pairs: Path, tmp_path: Path) -> None:
    straight, split = tmp_path / "straight", tmp_path / "split"
    for command in (
        ["--out", str(straight), "--steps", "3"],
        ["--out", str(split), "--steps", "3", "--stop-at-step", "2"],
        ["--out", str(split), "--steps", "3", "--resume"],
    ):
        result = CliRunner().invoke(main, ["train", "background", "--data", str(pairs), *TINY, *command])
        assert result.exit_code == 0, result.output
    a = load_checkpoint(straight / "checkpoints")
    b = load_checkpoint(split / "checkpoints")
    assert a["step"] == b["step"] == 3
    assert all(torch.equal(a["net"][k], b["net"][k]) for k in a["net"])
    start = initial_state("shipped")
    assert not torch.equal(a["net"]["outconv.weight"], start["outconv.weight"])  # it did train
    with (split / "metrics.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["step"]) for r in rows if r["loss"]] == [1, 2, 3]  # no row twice after the resume
    assert [int(r["step"]) for r in rows if r["val_iou"]] == [0, 2, 3]  # the last step is scored too
    assert (split / "loss.png").exists() and json.loads((split / "summary.json").read_text())["steps"] == 3
    last = load_file(str(split / LAST_EXPORT_NAME))
    assert all(torch.equal(last[k], b["net"][k]) for k in b["net"])
    exported = load_file(str(split / EXPORT_NAME))
    build_u2net("u2netp").load_state_dict(exported, strict=True)
    with Image.open(next((pairs / "val").glob("*.jpg"))) as image:
        alpha = torch_u2netp(split / EXPORT_NAME, threads=1)(np.asarray(image.convert("RGB")))
    assert alpha.shape == (image.height, image.width) and 0.0 <= alpha.min() and alpha.max() <= 1.0
    assert (split / ONNX_EXPORT_NAME).stat().st_size == (SHIPPED_DIR / "u2netp.onnx").stat().st_size  # same graph


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="multiple of 32"):
        BackgroundTrainConfig(size=100)
