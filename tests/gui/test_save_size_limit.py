"""Save in the window keeps a file size limit a tool was asked for (the background tool's ID photo within
30 KB, on a real face: scikit-image's astronaut): locally the tool's JPEG, from a server the server's file."""

from __future__ import annotations

import pytest
from PIL import Image
from skimage import data

from restora.imaging.io import SOURCE_JPEG_KEY
from tests.gui.conftest import open_and_wait, run_and_wait, save_and_wait
from tests.gui.test_remote import remote_window, server, server_jobs, token  # noqa: F401  (fixtures)

MAX_KB = 30
ID_PHOTO = {"segmenter": "u2netp", "id_photo": "eu", "max_kb": MAX_KB}


@pytest.fixture
def astronaut_path(tmp_path):
    path = tmp_path / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    return path


def run_id_photo(qtbot, window, photo) -> None:
    open_and_wait(qtbot, window, [photo])
    window.select_tool("background")
    for name, value in ID_PHOTO.items():
        window.form.set_value(name, value)
    run_and_wait(qtbot, window, timeout=180_000)
    assert window.last_problem is None, window.last_problem


def save_suggested(qtbot, window, folder):
    """Save under the name the Save dialog suggests; the file written."""
    target = folder / window.photos[0].suggested_name()
    assert save_and_wait(qtbot, window, target) is not None
    assert window.last_problem is None, window.last_problem
    return target


def test_save_writes_the_tools_jpeg_within_the_limit(qtbot, window, astronaut_path, tmp_path):
    run_id_photo(qtbot, window, astronaut_path)
    saved = save_suggested(qtbot, window, tmp_path)
    assert saved.name == "astronaut-background.jpg"  # a JPEG name: a PNG cannot promise a size
    assert saved.stat().st_size <= MAX_KB * 1024
    with Image.open(saved) as image:
        assert image.format == "JPEG" and image.size == (413, 531)
        assert tuple(round(v) for v in image.info["dpi"]) == (300, 300)
    assert save_and_wait(qtbot, window, tmp_path / "id.png") is not None  # a PNG asked for is refused, in words
    assert "needs a JPEG" in window.problem_box.text() and not (tmp_path / "id.png").exists()


def test_save_of_a_servers_result_writes_the_servers_jpeg_as_it_is(qtbot, remote_window, astronaut_path, tmp_path,
                                                                   server, token):
    run_id_photo(qtbot, remote_window, astronaut_path)
    assert server_jobs(server[0], token) == []  # downloaded, then deleted on the server
    served = remote_window.photos[0].current.info[SOURCE_JPEG_KEY]
    saved = save_suggested(qtbot, remote_window, tmp_path)
    assert saved.suffix == ".jpg" and saved.read_bytes() == served
    assert len(served) <= MAX_KB * 1024
