"""``--strokes FILE``: keep/remove marks painted elsewhere, given to the background tool on the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from restora.cli import main
from tests.background.marks_support import cup_and_cat_alpha, marks_picture, two_subjects
from tests.cli.test_generated_commands import _command

SHIPPED = Path(__file__).resolve().parents[2] / "restora" / "weights"


@pytest.fixture()
def photo(tmp_path) -> Path:
    path = tmp_path / "cup-and-cat.png"
    two_subjects().save(path)
    return path


def test_the_flag_takes_a_file():
    option = next(p for p in _command("background").params if p.name == "strokes")
    assert option.opts == ["--strokes"] and option.type.dir_okay is False and "green" in option.help
    assert "--strokes FILE" in CliRunner().invoke(main, ["background", "--help"]).output


@pytest.mark.slow
@pytest.mark.skipif(not (SHIPPED / "u2netp.onnx").is_file(), reason="the shipped u2netp weights are not here")
def test_a_marks_png_removes_the_cup_and_keeps_the_cat(tmp_path, photo):
    marks = tmp_path / "marks.png"
    marks_picture().save(marks)
    out = tmp_path / "cut.png"
    result = CliRunner().invoke(main, ["background", str(photo), "-o", str(out), "--segmenter", "u2netp",
                                       "--background", "transparent", "--strokes", str(marks)])
    assert result.exit_code == 0, result.output
    with Image.open(out) as cut:
        alpha = np.asarray(cut.getchannel("A")) / 255
    cup, cat = cup_and_cat_alpha(alpha)
    assert cup < 0.02 and cat > 0.95


def test_marks_that_are_not_a_picture_are_a_usage_error(tmp_path, photo):
    marks = tmp_path / "marks.png"
    marks.write_text("not a picture")
    result = CliRunner().invoke(main, ["background", str(photo), "-o", str(tmp_path / "out.png"),
                                       "--strokes", str(marks)])
    assert result.exit_code == 2 and "--strokes" in result.output and not (tmp_path / "out.png").exists()


@pytest.mark.skipif(not (SHIPPED / "u2netp.onnx").is_file(), reason="the shipped u2netp weights are not here")
def test_marks_of_another_size_fail_that_photo(tmp_path, photo):
    marks = tmp_path / "marks.png"
    marks_picture((600, 400)).save(marks)
    result = CliRunner().invoke(main, ["background", str(photo), "-o", str(tmp_path / "out.png"),
                                       "--segmenter", "u2netp", "--strokes", str(marks)])
    assert result.exit_code == 3, result.output
    assert "size of the photo (1200×400 px), not 600×400 px" in result.output
    assert not (tmp_path / "out.png").exists()
