import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from restora.cli import main
from restora.tools.deblur.data import PairConfig, PairMaker, prefetch, validation_pairs
from restora.training.debian import deb_version, fetch_deb, is_photographic_cutout


def build_deb(folder, name: str, version: str):
    """A real (tiny) Debian package, so fetch_deb's cache reuse is tested without the network."""
    root = folder / f"{name}-root"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: {version}\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n"
    )
    (root / "usr/share/doc" / name).mkdir(parents=True)
    (root / "usr/share/doc" / name / "copyright").write_text("GPL-2+\n")
    target = folder / f"{name}_{version}_all.deb"
    subprocess.run(["dpkg-deb", "--build", "-Zgzip", str(root), str(target)], check=True, capture_output=True)
    return target


def test_fetch_deb_reuses_a_cached_package(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    deb = build_deb(cache, "restora-test-pkg", "1.2-3")
    assert fetch_deb("restora-test-pkg", cache) == deb
    assert deb_version(deb) == "1.2-3"


def test_photographic_cutouts_are_told_from_clip_art(tmp_path):
    rng = np.random.default_rng(0)
    photo = np.zeros((300, 300, 4), np.uint8)
    photo[..., :3] = rng.integers(0, 256, (300, 300, 3))
    photo[50:250, 50:250, 3] = 255
    Image.fromarray(photo).save(tmp_path / "photo.png")
    clip_art = photo.copy()
    clip_art[..., :3] = (photo[..., :3] // 64) * 64  # 64 colours
    Image.fromarray(clip_art).save(tmp_path / "clip.png")
    Image.fromarray(photo[:100, :100]).save(tmp_path / "small.png")
    assert is_photographic_cutout(tmp_path / "photo.png")
    assert not is_photographic_cutout(tmp_path / "clip.png")
    assert not is_photographic_cutout(tmp_path / "small.png")


def test_blur_pairs_command_writes_reproducible_pairs(tmp_path, tiny_photo_set):
    runner = CliRunner()
    for out in ("a", "b"):
        result = runner.invoke(main, ["data", "blur-pairs", "--src", str(tiny_photo_set / "photos"),
                                      "--out", str(tmp_path / out), "--kind", "trajectory", "--seed", "7"])
        assert result.exit_code == 0, result.output
        assert "4 pairs (trajectory, seed 7)" in result.output
    pairs = json.loads((tmp_path / "a" / "pairs.json").read_text())["pairs"]
    assert [p["name"] for p in pairs] == ["p0", "p1", "p2", "p3"]
    for p in pairs:
        name = p["name"]
        sharp = np.asarray(Image.open(tmp_path / "a" / "sharp" / f"{name}.png"))
        blurred = np.asarray(Image.open(tmp_path / "a" / "blurred" / f"{name}.png"))
        assert sharp.shape == blurred.shape and not np.array_equal(sharp, blurred)
        kernel = np.load(tmp_path / "a" / "kernels" / f"{name}.npy")
        assert kernel.sum() == pytest.approx(1, abs=1e-5)
        assert (tmp_path / "a" / "kernels" / f"{name}.png").exists()
        np.testing.assert_array_equal(kernel, np.load(tmp_path / "b" / "kernels" / f"{name}.npy"))
        np.testing.assert_array_equal(blurred, np.asarray(Image.open(tmp_path / "b" / "blurred" / f"{name}.png")))


def test_blur_pairs_refuses_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["data", "blur-pairs", "--src", str(tmp_path / "empty"), "--out",
                                       str(tmp_path / "o"), "--kind", "linear"])
    assert result.exit_code == 2 and "no images" in result.output


def test_training_batches_depend_only_on_seed_and_step(tiny_photo_set):
    config = PairConfig(crop=32, batch=3)
    maker = PairMaker(tiny_photo_set, config, seed=5)
    blurred, sharp = maker.batch(11)
    assert blurred.shape == sharp.shape == (3, 3, 32, 32) and blurred.dtype == np.float32
    assert blurred.min() >= -1 and blurred.max() <= 1
    again = PairMaker(tiny_photo_set, config, seed=5)
    again.batch(3)  # other steps in between change nothing
    for x, y in zip(again.batch(11), (blurred, sharp)):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(maker.batch(12)[1], sharp)


def test_worker_processes_deliver_the_same_batches_in_order(tiny_photo_set):
    # a GPU run makes its pairs in several processes; the batches must not depend on how they were made
    maker = PairMaker(tiny_photo_set, PairConfig(crop=32, batch=2), seed=3)
    threaded = list(prefetch(maker, 4, 9))
    forked = list(prefetch(maker, 4, 9, workers=2))
    assert len(forked) == 5
    for (b1, s1), (b2, s2) in zip(threaded, forked):
        np.testing.assert_array_equal(b1, b2)
        np.testing.assert_array_equal(s1, s2)


def test_stopping_early_leaves_no_worker_processes(tiny_photo_set):
    import multiprocessing

    maker = PairMaker(tiny_photo_set, PairConfig(crop=32, batch=1), seed=3)
    batches = prefetch(maker, 0, 1000, workers=2)
    next(batches)
    batches.close()  # what a training loop that stops at its time limit does
    assert multiprocessing.active_children() == []


def test_validation_pairs_come_only_from_held_out_photos(tiny_photo_set):
    pairs = validation_pairs(tiny_photo_set, crop=32, per_photo=2)
    assert len(pairs) == 2  # one val photo in the tiny set
    val_photo = np.asarray(Image.open(tiny_photo_set / "photos" / "p3.jpg"), dtype=np.float32) / 255
    for _, sharp in pairs:
        # each sharp crop is a piece of the held-out photo
        windows = np.lib.stride_tricks.sliding_window_view(val_photo[:, :, 0], (32, 32))
        assert np.abs(windows - sharp[:, :, 0]).max(axis=(2, 3)).min() < 1e-6


DEB_CACHE = Path(os.environ.get("RESTORA_DEB_CACHE", "/work/cache"))


@pytest.mark.slow
@pytest.mark.skipif(not list(DEB_CACHE.glob("mate-backgrounds_*.deb")), reason=f"no Debian packages in {DEB_CACHE}")
def test_debian_set_from_real_packages(tmp_path):
    from restora.training.debian import build_debian_set, read_manifest

    entries = build_debian_set(tmp_path, DEB_CACHE, packages=("mate-backgrounds", "tuxpaint-data"))
    assert [e.file for e in read_manifest(tmp_path)] == [e.file for e in entries]
    assert len(entries) == 12 + 19 and {e.kind for e in entries} == {"photo"}
    assert sorted(e.file for e in entries if e.split == "val") == [
        "photos/mate-backgrounds__LadyBird.jpg", "photos/tuxpaint-data__corn_maze.jpg", "photos/tuxpaint-data__lighthouse.jpg"]
    for package in ("mate-backgrounds", "tuxpaint-data"):
        assert "GPL" in (tmp_path / "licences" / f"{package}.copyright").read_text()
    first = entries[0]
    with Image.open(tmp_path / first.file) as image:
        assert image.size == (first.width, first.height)
    assert first.version and len(first.sha256) == 64


def test_large_photos_are_stored_downscaled_and_small_ones_copied(tmp_path):
    from restora.training.debian import MAX_STORED_SIDE, store_photo

    large, small = tmp_path / "large.jpg", tmp_path / "small.jpg"
    Image.new("RGB", (3000, 1000), (200, 100, 50)).save(large, quality=90)
    Image.new("RGB", (800, 600), (10, 20, 30)).save(small, quality=90)
    store_photo(large, tmp_path / "large-stored.jpg")
    store_photo(small, tmp_path / "small-stored.jpg")
    with Image.open(tmp_path / "large-stored.jpg") as image:
        assert image.size == (MAX_STORED_SIDE, 853)
    assert (tmp_path / "small-stored.jpg").read_bytes() == small.read_bytes()


@pytest.mark.slow
@pytest.mark.skipif(not list(DEB_CACHE.glob("lomiri-wallpapers-16.04_*.deb")), reason=f"no Lomiri wallpapers in {DEB_CACHE}")
def test_lomiri_photos_come_with_their_licences(tmp_path):
    from restora.training.debian import LOMIRI_PHOTOS, MAX_STORED_SIDE, build_debian_set

    entries = build_debian_set(tmp_path, DEB_CACHE, packages=("lomiri-wallpapers-16.04",))
    assert len(entries) == len(LOMIRI_PHOTOS["lomiri-wallpapers-16.04"]) == 13
    assert all(max(e.width, e.height) <= MAX_STORED_SIDE and e.split == "train" for e in entries)
    assert "CC-BY-4.0" in (tmp_path / "licences" / "lomiri-wallpapers-16.04.copyright").read_text()
