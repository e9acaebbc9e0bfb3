"""A folder as a batch: every photo into the output folder, a bad file reported with its reason."""

from __future__ import annotations

from PIL import Image

from tests.gui.conftest import open_and_wait, write_photo


def test_a_folder_with_one_bad_file(qtbot, window, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    write_photo(folder / "a.png")
    write_photo(folder / "b.jpg", seed=5)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 half a jpeg")
    (folder / "notes.txt").write_text("not a photo, not listed")
    window.select_tool("adjust")
    window.form.set_value("rotate", "left")
    open_and_wait(qtbot, window, [folder])  # a folder opens as a batch
    dialog = window.batch
    assert [str(relative) for _, relative in dialog.files] == ["a.png", "b.jpg", "broken.jpg"]
    out = tmp_path / "out"
    dialog.output.setText(str(out))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=60_000)
    statuses = dialog.statuses()
    assert statuses[0].endswith("done") and statuses[1].endswith("done")
    assert "broken.jpg — failed: " in statuses[2] and "damaged or truncated" in statuses[2]
    assert "2 of 3 done, 1 failed" == dialog.summary.text()
    with Image.open(out / "a.png") as a, Image.open(out / "b.jpg") as b:
        assert a.size == (48, 64) and b.size == (48, 64) and b.format == "JPEG"
    assert not (out / "broken.jpg").exists()
    assert window.photos == []  # a batch does not open its photos in the window


def test_a_batch_refuses_to_write_into_its_own_folder(window, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    write_photo(folder / "a.png")
    window.select_tool("adjust")
    window.form.set_value("rotate", "left")
    dialog = window.open_batch(folder)
    dialog.output.setText(str(folder))
    assert dialog.start() is None
    assert "must differ" in window.problem_box.text()


def test_a_batch_stops_at_once_on_missing_weights(qtbot, window, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    write_photo(folder / "a.png")
    write_photo(folder / "b.png")
    window.select_tool("deblur")
    window.form.set_value("weights", "no-such-weights")
    dialog = window.open_batch(folder)
    dialog.output.setText(str(tmp_path / "out"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=60_000)
    assert window.last_problem.kind == "weights"
    first, second = dialog.statuses()
    assert first.startswith("a.png — failed: No deblur weights") and second == "b.png — waiting"
