"""`restora data background`: composites whose matte is the truth, and held-out categories kept out of training.

Synthetic stamps and photos stand in for the Debian packages (the real fetch is the command's, not a test's).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from restora.tools.background.data import (
    EVAL_CATEGORIES, VAL_CATEGORIES, BackgroundDataConfig, Cutout, Photo, category_split, is_photographic_cutout,
    make_composite, read_pairs, stamps_in, write_pairs,
)

RED, GREEN = (200, 0, 0), (0, 200, 0)


def photographic_stamp(seed: int, size: int = 128, flat: tuple[int, int, int] | None = None) -> np.ndarray:
    """RGBA: a textured ellipse (thousands of colours, like a photo) or a flat one (clip art) on transparency."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    inside = ((yy - size / 2) / (0.42 * size)) ** 2 + ((xx - size / 2) / (0.3 * size)) ** 2 <= 1
    rgb = rng.integers(0, 256, (size, size, 3)) if flat is None else np.broadcast_to(np.array(flat), (size, size, 3))
    return np.dstack([rgb, np.where(inside, 255, 0)]).astype(np.uint8)


def flat_photo(colour: tuple[int, int, int], height: int = 200, width: int = 260) -> np.ndarray:
    return np.broadcast_to(np.array(colour, np.uint8), (height, width, 3)).copy()


def cutout(category: str, seed: int) -> Cutout:
    return Cutout(photographic_stamp(seed), f"stamps/{category}/s{seed}.png", category, "test-stamps", "1", "GPL-2", f"{seed:064x}")


def test_photographic_cutouts_are_told_from_clip_art_and_opaque_pictures() -> None:
    assert is_photographic_cutout(photographic_stamp(1))
    assert not is_photographic_cutout(photographic_stamp(1, flat=(10, 200, 30)))  # one colour: clip art
    opaque = photographic_stamp(1)
    opaque[:, :, 3] = 255
    assert not is_photographic_cutout(opaque)  # nothing to remove


def test_stamps_in_keeps_photographic_stamps_and_skips_cartoon_folders(tmp_path: Path) -> None:
    for folder, seed, flat in (("animals/birds", 1, None), ("animals/birds/cartoon", 2, None), ("food", 3, (9, 9, 9))):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        Image.fromarray(photographic_stamp(seed, flat=flat), "RGBA").save(tmp_path / folder / f"s{seed}.png")
    found = stamps_in(tmp_path, version="1")
    assert [(c.category, Path(c.source).name) for c in found] == [("animals/birds", "s1.png")]
    assert found[0].sha256 == hashlib.sha256((tmp_path / "animals/birds/s1.png").read_bytes()).hexdigest()


def test_categories_and_their_sub_folders_are_held_out_whole() -> None:
    for category in EVAL_CATEGORIES:
        assert category_split(category) == "eval" and category_split(category + "/sub") == "eval"
    for category in VAL_CATEGORIES:
        assert category_split(category) == "val"
    assert category_split("animals/birds") == "train"
    assert category_split("food/fruitcake") == "train"  # a prefix of a name is not its folder


def test_composite_is_the_matte_mix_of_subject_and_ground() -> None:
    stamp = photographic_stamp(0, flat=RED)
    for seed in range(12):  # covers draws with and without blur and noise
        picture, matte = make_composite(np.random.default_rng(seed), stamp, flat_photo(GREEN), side=160)
        assert picture.dtype == np.uint8 and matte.dtype == np.float32
        assert picture.shape[:2] == matte.shape and max(matte.shape) == 160
        assert 0.0 <= matte.min() and matte.max() <= 1.0
        assert 0.02 < matte.mean() < 0.8  # a subject, and ground around it
        # The stamp has no green and the ground no red: green = (1 - matte) · 200 up to noise and rounding.
        error = np.abs(picture[:, :, 1].astype(np.float64) - (1 - matte) * 200)
        assert error.mean() < 3.0 and error.max() < 20, seed
        # Feathered: the stamp's binary edge became a ramp of mixed pixels.
        assert np.count_nonzero((matte > 0.1) & (matte < 0.9)) > 0.5 * np.sqrt(np.count_nonzero(matte > 0.5))


def test_composites_are_reproducible_from_their_seed() -> None:
    stamp, photo = photographic_stamp(4), np.asarray(np.random.default_rng(5).integers(0, 256, (120, 150, 3)), np.uint8)
    first = make_composite(np.random.default_rng([7, 1]), stamp, photo, 96)
    again = make_composite(np.random.default_rng([7, 1]), stamp, photo, 96)
    other = make_composite(np.random.default_rng([7, 2]), stamp, photo, 96)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert any(a.shape != b.shape or not np.array_equal(a, b) for a, b in zip(first, other))


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bgset")
    cutouts = [cutout(c, i) for i, c in enumerate(["animals/birds", "town/houses", EVAL_CATEGORIES[0],
                                                    EVAL_CATEGORIES[1] + "/sub", VAL_CATEGORIES[0]])]
    rng = np.random.default_rng(0)
    photos = [Photo(rng.integers(0, 256, (150, 200, 3)).astype(np.uint8), f"p{i}.jpg", "test-photos", "1", "GPL-2+", split)
              for i, split in enumerate(["train", "train", "val", "eval"])]
    other = [Cutout(photographic_stamp(9), "hands.rcc:/h.webp", "leftright", "gcompris", "3", "GPL-3", "0" * 64)]
    config = BackgroundDataConfig(train_per_stamp=3, eval_per_stamp=2, train_side=64, eval_side=80)
    entries = write_pairs(out, cutouts, photos, config, other)
    (out / "manifest.json").write_text(json.dumps({"entries": [e.__dict__ for e in entries]}))
    return out


def test_written_pairs_keep_held_out_categories_out_of_training(small_set: Path) -> None:
    entries = read_pairs(small_set)
    by_split = {s: [e for e in entries if e.split == s] for s in ("train", "val", "eval", "other")}
    assert [len(by_split[s]) for s in ("train", "val", "eval", "other")] == [6, 2, 4, 2]
    assert {category_split(e.category) for e in by_split["train"]} == {"train"}
    assert not {e.category for e in by_split["train"]} & {e.category for e in by_split["eval"] + by_split["val"]}
    assert {e.background for e in by_split["eval"] + by_split["other"]} == {"test-photos:p3.jpg"}  # eval photos only
    assert {e.background for e in by_split["train"]} <= {"test-photos:p0.jpg", "test-photos:p1.jpg"}


def test_written_pairs_match_their_manifest(small_set: Path) -> None:
    for entry in read_pairs(small_set):
        image, matte = small_set / entry.image, small_set / entry.matte
        assert hashlib.sha256(image.read_bytes()).hexdigest() == entry.image_sha256
        assert hashlib.sha256(matte.read_bytes()).hexdigest() == entry.matte_sha256
        with Image.open(image) as picture, Image.open(matte) as alpha:
            assert picture.size == alpha.size == (entry.width, entry.height)
            assert alpha.mode == "L" and max(picture.size) == (64 if entry.split == "train" else 80)
        assert entry.subject_licence and entry.background_licence and entry.subject_version


def test_a_split_without_photos_is_refused(tmp_path: Path) -> None:
    photos = [Photo(flat_photo(GREEN), "p.jpg", "x", "1", "GPL", "train")]
    with pytest.raises(ValueError, match="no eval background photo"):
        write_pairs(tmp_path, [cutout(EVAL_CATEGORIES[0], 1)], photos, BackgroundDataConfig(eval_per_stamp=1))


def test_reading_a_folder_without_manifest_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="restora data background"):
        read_pairs(tmp_path)
