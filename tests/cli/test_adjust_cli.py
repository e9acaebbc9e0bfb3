"""`restora adjust` on files, folders and bad files, with the contract's exit codes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from restora.cli import main


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def album(tmp_path, photo_rgb):
    """album/a.jpg, album/b.png, album/trip/c.webp, album/trip/broken.jpg (HTML), album/notes.txt"""
    root = tmp_path / "album"
    (root / "trip").mkdir(parents=True)
    photo_rgb.save(root / "a.jpg", quality=95)
    photo_rgb.save(root / "b.png")
    photo_rgb.save(root / "trip" / "c.webp", quality=95)
    (root / "trip" / "broken.jpg").write_text("<html>not a photo</html>")
    (root / "notes.txt").write_text("not an image")
    return root


def test_single_file(runner, tmp_path, photo_rgb):
    photo_rgb.save(tmp_path / "in.png")
    result = runner.invoke(main, ["adjust", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "--rotate", "left"])
    assert result.exit_code == 0, result.output
    assert np.array_equal(np.asarray(Image.open(tmp_path / "out.png")), np.rot90(np.asarray(photo_rgb), 1))


def test_single_file_into_existing_folder(runner, tmp_path, photo_rgb):
    photo_rgb.save(tmp_path / "in.png")
    (tmp_path / "out").mkdir()
    result = runner.invoke(main, ["adjust", str(tmp_path / "in.png"), "-o", str(tmp_path / "out"), "--rotate", "180"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "in.png").is_file()


def test_folder_without_recursion_takes_top_level_images(runner, album, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["adjust", str(album), "-o", str(out), "--brightness", "1.2"])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == ["a.jpg", "b.png"]


def test_recursive_folder_mirrors_tree_and_goes_past_bad_files(runner, album, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["adjust", str(album), "-r", "-o", str(out), "--rotate", "flip-h"])
    assert result.exit_code == 3
    assert "broken.jpg: the file is an HTML page" in result.output
    assert "1 of 4 images failed" in result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["a.jpg", "b.png", "trip/c.webp"]
    with Image.open(out / "trip" / "c.webp") as image:
        assert image.format == "WEBP"


def test_bad_single_file_exits_3(runner, tmp_path):
    (tmp_path / "x.png").write_bytes(b"")
    result = runner.invoke(main, ["adjust", str(tmp_path / "x.png"), "-o", str(tmp_path / "y.png"), "--rotate", "left"])
    assert result.exit_code == 3
    assert "the file is empty" in result.output


def test_missing_input_exits_3(runner, tmp_path):
    result = runner.invoke(main, ["adjust", str(tmp_path / "nope.jpg"), "-o", str(tmp_path / "y.png"), "--rotate", "left"])
    assert result.exit_code == 3
    assert "does not exist" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--rotate", "none"], "nothing to do"),
        (["--brightness", "0.1"], "between 0.2 and 100"),
        (["--rotate", "sideways"], "Invalid value"),
    ],
)
def test_usage_errors_exit_2(runner, tmp_path, photo_rgb, args, message):
    photo_rgb.save(tmp_path / "in.png")
    result = runner.invoke(main, ["adjust", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "out.png").exists()


def test_refuses_to_overwrite_input(runner, tmp_path, photo_rgb):
    photo_rgb.save(tmp_path / "in.png")
    result = runner.invoke(main, ["adjust", str(tmp_path / "in.png"), "-o", str(tmp_path / "in.png"), "--rotate", "left"])
    assert result.exit_code == 2
    assert "overwrite the input" in result.output


def test_help_is_fast_and_imports_no_torch():
    code = "import sys; from restora.cli import main; assert 'torch' not in sys.modules; assert 'PIL' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
