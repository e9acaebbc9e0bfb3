"""``--save-views``: offered to a tool that declares views, and writes each beside the result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from skimage import data

from restora.cli import main
from restora.tools import TOOLS
from tests.cli.test_generated_commands import _command

SHIPPED = Path(__file__).resolve().parents[2] / "restora" / "weights"


@pytest.mark.parametrize("name", list(TOOLS))
def test_the_flag_is_offered_only_where_there_are_views(name):
    options = {p.name for p in _command(name).params}
    assert ("save_views" in options) == bool(getattr(TOOLS[name], "views", ()))


@pytest.mark.skipif(not (SHIPPED / "u2netp.onnx").is_file(), reason="the shipped u2netp weights are not here")
def test_the_views_are_written_beside_the_result(tmp_path):
    photo = tmp_path / "astronaut.png"
    Image.fromarray(data.astronaut()).resize((160, 160)).save(photo)
    out = tmp_path / "out" / "cut.png"
    command = ["background", str(photo), "-o", str(out), "--segmenter", "u2netp", "--background", "transparent"]
    plain = CliRunner().invoke(main, command)
    assert plain.exit_code == 0, plain.output
    assert sorted(p.name for p in out.parent.iterdir()) == ["cut.png"]  # nothing more unless asked
    result = CliRunner().invoke(main, [*command, "--save-views"])
    assert result.exit_code == 0, result.output
    with Image.open(out) as cut, Image.open(out.parent / "cut.mask.png") as mask:
        assert mask.size == cut.size
        # The mask is the cut-out's alpha as a picture: the subject white on black.
        assert np.array_equal(np.asarray(mask.convert("L")), np.asarray(cut.getchannel("A")))
        assert np.asarray(mask)[2, 150].tolist() == [0, 0, 0]


@pytest.mark.parametrize("inputs, out", [
    (["cut.mask.png"], "cut.png"),  # the view would overwrite the input
    (["photos"], "out"),  # photos/cat.jpg and photos/cat.png: both masks would be out/cat.mask.png
])
def test_a_view_that_would_overwrite_an_input_or_another_file_is_refused_before_any_run(tmp_path, monkeypatch,
                                                                                          inputs, out):
    picture = Image.fromarray(data.astronaut()).resize((48, 48))
    picture.save(tmp_path / "cut.mask.png")
    (tmp_path / "photos").mkdir()
    picture.save(tmp_path / "photos" / "cat.jpg")
    picture.save(tmp_path / "photos" / "cat.png")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["background", *inputs, "-o", out, "--segmenter", "u2netp", "--save-views"])
    assert result.exit_code == 2 and "--save-views" in result.output, result.output
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before  # nothing written
