"""The clean-up net's training pairs: the kernel method's real output beside the sharp crop, on disk."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from restora.cli import main
from restora.imaging.blind import blind_deblur
from restora.imaging.metrics import psnr
from restora.training.deconv_pairs import (
    MANIFEST,
    DeconvPairConfig,
    FolderPairMaker,
    folder_validation_pairs,
    make_pair,
    write_deconv_pairs,
)

SMALL = DeconvPairConfig(side=48, per_photo=2)


def _read(folder, sub, name):
    return np.asarray(Image.open(folder / sub / f"{name}.png"))


@pytest.fixture(scope="module")
def pair_folder(tiny_photo_set, tmp_path_factory):
    out = tmp_path_factory.mktemp("deconv")
    write_deconv_pairs(tiny_photo_set, out, SMALL, seed=3)
    return out


def test_every_photo_gets_its_pairs_and_the_manifest_says_what_made_them(pair_folder):
    records = json.loads((pair_folder / MANIFEST).read_text())["pairs"]
    # 3 training photos × 2, the validation photo half as many
    assert [r["name"] for r in records] == ["train-000-00", "train-000-01", "train-001-00", "train-001-01",
                                            "train-002-00", "train-002-01", "val-000-00"]
    for record in records:
        sharp, blurred, deconvolved = (_read(pair_folder, sub, record["name"]) for sub in ("sharp", "blurred", "deconvolved"))
        assert sharp.shape == blurred.shape == deconvolved.shape and sharp.shape[0] % 4 == 0
        assert record["psnr_blurred"] == pytest.approx(psnr(sharp, blurred), abs=1e-3)  # crops too small for a border
        assert record["psnr_deconvolved"] == pytest.approx(psnr(sharp, deconvolved), abs=1e-3)
        assert not np.array_equal(sharp, blurred)  # every pair is blurred


def test_the_deconvolved_image_is_the_kernel_methods_own_result(tiny_photo_set, pair_folder):
    from restora.training.data import load_photos

    photo = load_photos(tiny_photo_set, "train", SMALL.load_side)[1]
    pair = make_pair(photo, np.random.default_rng([3, 1, 0, False]), SMALL)
    assert np.array_equal(pair["sharp"], _read(pair_folder, "sharp", "train-001-00"))
    assert np.array_equal(pair["deconvolved"], _read(pair_folder, "deconvolved", "train-001-00"))
    again = blind_deblur(pair["blurred"].astype(np.float32) / 255.0).restored
    # from the 8-bit blurred file the estimate sees nearly the same photo: nearly the same result
    assert psnr(pair["deconvolved"], np.clip(np.rint(again * 255), 0, 255).astype(np.uint8)) > 30


def test_a_second_run_keeps_the_pairs_it_has_and_makes_only_the_missing_ones(tiny_photo_set, pair_folder, tmp_path):
    out = tmp_path / "pairs"
    out.mkdir()
    first = write_deconv_pairs(tiny_photo_set, out, SMALL, seed=3)
    (out / "deconvolved" / "train-000-00.png").write_bytes(b"kept as it is")  # marks the file: was it rewritten?
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["pairs"] = [r for r in manifest["pairs"] if r["name"] != "train-002-01"]  # as if interrupted
    (out / MANIFEST).write_text(json.dumps(manifest))
    second = write_deconv_pairs(tiny_photo_set, out, SMALL, seed=3)
    assert second == first
    assert (out / "deconvolved" / "train-000-00.png").read_bytes() == b"kept as it is"
    assert np.array_equal(_read(out, "deconvolved", "train-002-01"), _read(pair_folder, "deconvolved", "train-002-01"))


def test_two_worker_processes_make_the_same_set(tiny_photo_set, pair_folder, tmp_path):
    records = write_deconv_pairs(tiny_photo_set, tmp_path, SMALL, seed=3, workers=2)
    assert records == json.loads((pair_folder / MANIFEST).read_text())["pairs"]
    for record in records:
        assert np.array_equal(_read(tmp_path, "deconvolved", record["name"]),
                              _read(pair_folder, "deconvolved", record["name"]))


def test_batches_turn_input_and_target_together_and_depend_only_on_the_step(pair_folder, tmp_path):
    maker = FolderPairMaker(pair_folder, crop=24, batch=6, seed=1)
    inputs, targets = maker.batch(5)
    assert inputs.shape == targets.shape == (6, 3, 24, 24) and inputs.dtype == np.float32
    assert -1.0 <= inputs.min() and inputs.max() <= 1.0
    again = FolderPairMaker(pair_folder, crop=24, batch=6, seed=1).batch(5)
    assert np.array_equal(again[0], inputs) and np.array_equal(again[1], targets)
    assert not np.array_equal(maker.batch(6)[0], inputs)

    # a set whose "deconvolved" images are the sharp ones: any misalignment would show as a difference
    (tmp_path / "sharp").mkdir()
    (tmp_path / "deconvolved").mkdir()
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)
    for sub in ("sharp", "deconvolved"):
        Image.fromarray(image).save(tmp_path / sub / "train-000-00.png")
    (tmp_path / MANIFEST).write_text(json.dumps({"pairs": [{"name": "train-000-00", "split": "train"}]}))
    inputs, targets = FolderPairMaker(tmp_path, crop=24, batch=8, seed=0).batch(0)
    assert np.array_equal(inputs, targets)
    assert len({inputs[i].tobytes() for i in range(8)}) > 1  # and the crops and turns do vary


def test_validation_pairs_are_middle_crops_of_the_held_out_photos(pair_folder):
    pairs = folder_validation_pairs(pair_folder, crop=32)
    assert len(pairs) == 1
    deconvolved, sharp = pairs[0]
    assert deconvolved.shape == sharp.shape == (32, 32, 3) and sharp.dtype == np.float32
    full = _read(pair_folder, "sharp", "val-000-00")
    top = (full.shape[0] - 32) // 2
    assert np.array_equal(np.rint(sharp * 255).astype(np.uint8), full[top: top + 32, top: top + 32])


def test_a_crop_larger_than_the_pairs_or_a_folder_without_pairs_is_refused(pair_folder, tmp_path):
    with pytest.raises(ValueError, match="larger than the smallest pair"):
        FolderPairMaker(pair_folder, crop=400, batch=2, seed=0)
    with pytest.raises(FileNotFoundError, match="restora data deconv-pairs"):
        FolderPairMaker(tmp_path, crop=16, batch=2, seed=0)


def test_training_from_a_pair_folder_through_the_cli(pair_folder, tmp_path):
    result = CliRunner().invoke(main, [
        "train", "deblur", "--data", str(pair_folder), "--out", str(tmp_path / "run"), "--pairs", "folder",
        "--ngf", "4", "--blocks", "1", "--crop", "24", "--batch", "2", "--val-crop", "32", "--steps", "3",
        "--log-every", "1", "--val-every", "3", "--sample-every", "3", "--no-progress"])
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "run" / "metrics.csv").read_text().splitlines()
    header, last = rows[0].split(","), rows[-1].split(",")
    assert last[0] == "3" and last[header.index("val_gain")] != ""


def test_the_cli_builds_a_set_and_refuses_a_folder_that_is_not_a_photo_set(tiny_photo_set, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["data", "deconv-pairs", "--data", str(tiny_photo_set), "--out", str(tmp_path / "a"),
                                  "--per-photo", "1", "--side", "128"])
    assert result.exit_code == 0, result.output
    assert "4 pairs (seed 0)" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(main, ["data", "deconv-pairs", "--data", str(empty), "--out", str(tmp_path / "b")])
    assert result.exit_code == 2 and "restora data debian" in result.output
