"""The main window end to end (offscreen): open, pick a tool, run with progress, cancel, undo and chain,
save, copy, errors as dialogs, language, settings."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from restora.gui.settings import GuiSettings
from restora.tools import TOOLS
from tests.gui.conftest import open_and_wait, run_and_wait, save_and_wait, write_photo


def test_a_photo_opens_and_is_remembered(qtbot, window, photo_path):
    open_and_wait(qtbot, window, [photo_path])
    assert [p.path for p in window.photos] == [photo_path]
    assert window.view.before is not None and window.view.after is None
    assert window.settings.recent[0] == str(photo_path.resolve())
    assert "photo.png" in window.chain_label.text()


def test_a_refused_file_is_a_dialog_and_the_others_still_open(qtbot, window, tmp_path, photo_path):
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a picture")
    open_and_wait(qtbot, window, [fake, photo_path])
    assert [p.path for p in window.photos] == [photo_path]
    assert window.last_problem.kind == "image"
    assert "notes.jpg" in window.problem_box.text() and "not a JPEG, PNG or WebP" in window.problem_box.text()
    assert "Traceback" not in window.problem_box.text()


def test_every_registered_tool_can_be_picked(qtbot, window, photo_path):
    open_and_wait(qtbot, window, [photo_path])
    for name, tool in TOOLS.items():
        window.select_tool(name)
        assert window.form.tool is tool
        assert list(window.form.controls) == [p.name for p in tool.params]


def test_adjust_runs_with_progress_then_chains_and_undoes(qtbot, window, photo_path):
    open_and_wait(qtbot, window, [photo_path])
    window.select_tool("adjust")
    window.form.set_value("rotate", "left")
    seen = []
    window.progress.valueChanged.connect(seen.append)
    run_and_wait(qtbot, window)
    photo = window.photos[0]
    assert [step.tool for step in photo.steps] == ["adjust"]
    assert photo.current.size == (48, 64)  # turned
    assert seen and seen[-1] == 1000
    assert window.view.after is not None and window.undo_action.isEnabled()

    # chain: the second run takes the first result, with no save in between
    window.form.set_value("rotate", "none")
    window.form.set_value("brightness", 0.5)
    run_and_wait(qtbot, window)
    assert [step.tool for step in photo.steps] == ["adjust", "adjust"]
    assert photo.before is photo.steps[0].result
    darker = np.asarray(photo.current, dtype=float).mean()
    assert darker < np.asarray(photo.steps[0].result, dtype=float).mean()

    window.undo()
    assert len(photo.steps) == 1
    window.undo()
    assert photo.steps == [] and photo.current is photo.original
    assert window.view.after is None and not window.undo_action.isEnabled()


def test_invalid_params_are_a_dialog_not_a_run(qtbot, window, photo_path):
    open_and_wait(qtbot, window, [photo_path])
    window.select_tool("adjust")  # the defaults ask for nothing: the tool refuses them
    assert window.run_tool() is None
    assert window.last_problem.kind == "params" and "Nothing to do" in window.problem_box.text()


def test_run_without_a_photo_says_so(window):
    assert window.run_tool() is None
    assert "Open a photo first" in window.problem_box.text()


def test_a_long_run_reports_progress_and_time_left_and_cancel_stops_it(qtbot, window, photo_path, test_tools):
    open_and_wait(qtbot, window, [photo_path])
    window.select_tool("slow")
    window.form.set_value("seconds", 60)
    task = window.run_tool()
    qtbot.waitUntil(lambda: window.progress.value() > 0, timeout=20_000)
    qtbot.waitUntil(lambda: "left" in window.time_left.text(), timeout=20_000)
    assert not window.run_button.isEnabled() and window.cancel_button.isEnabled()
    with qtbot.waitSignal(task.worker.cancelled, timeout=10_000):
        window.cancel()
    qtbot.waitUntil(lambda: window.task is None, timeout=10_000)
    assert not task.is_running()
    assert window.photos[0].steps == []  # nothing half-done was kept
    assert window.run_button.isEnabled()


@pytest.mark.slow  # waits out the grace period a silent tool is given
def test_cancel_stops_a_tool_that_never_reports_by_ending_its_process(qtbot, window, photo_path, tmp_path,
                                                                     test_tools):
    open_and_wait(qtbot, window, [photo_path])
    window.select_tool("silent")
    started = tmp_path / "started"
    window.form.set_value("started", str(started))
    task = window.run_tool()
    # inside the tool's run, not merely a live process: a Cancel before the run is answered at once
    qtbot.waitUntil(started.exists, timeout=30_000)
    with qtbot.waitSignal(task.worker.cancelled, timeout=30_000):
        window.cancel()
    assert not window.engine.alive()  # ended after the grace period, not after the tool's 60 s
    assert window.photos[0].steps == []


def test_a_crashing_tool_is_a_dialog_and_the_photos_stay(qtbot, window, photo_path, tmp_path, test_tools):
    other = write_photo(tmp_path / "other.png", seed=9)
    open_and_wait(qtbot, window, [photo_path, other])
    window.select_tool("failing")
    window.form.set_value("kind", "runtime")
    run_and_wait(qtbot, window)
    assert window.last_problem.kind == "bug"
    assert "CUDA out of memory" in window.problem_box.text() and "Traceback" not in window.problem_box.text()
    assert len(window.photos) == 2 and window.photos[1].steps == []
    window.form.set_value("kind", "memory")
    run_and_wait(qtbot, window)
    assert window.last_problem.kind == "memory" and "Not enough memory" in window.problem_box.text()


def test_a_tool_that_kills_its_process_is_a_dialog_and_the_next_run_works(qtbot, window, photo_path, test_tools):
    open_and_wait(qtbot, window, [photo_path])
    window.select_tool("crash")  # os._exit(137), as an out-of-memory kill or a segfault would
    run_and_wait(qtbot, window)
    assert window.last_problem.kind == "crash" and "exit code 137" in window.problem_box.text()
    assert window.isVisible() and len(window.photos) == 1 and window.photos[0].steps == []
    window.select_tool("adjust")
    window.form.set_value("rotate", "left")
    run_and_wait(qtbot, window)  # a fresh tool process
    assert [step.tool for step in window.photos[0].steps] == ["adjust"]


def test_missing_weights_name_the_way_to_get_them(qtbot, window, photo_path, tmp_path):
    open_and_wait(qtbot, window, [photo_path])
    window.select_tool("deblur")
    window.form.set_value("weights", "no-such-weights")
    run_and_wait(qtbot, window)
    assert window.last_problem.kind == "weights"
    assert "No deblur weights named 'no-such-weights'" in window.problem_box.text()
    assert "restora models list" in window.problem_box.text()

    window.settings.models_dir = str(tmp_path / "empty-models")  # the official weights are not there
    window.form.set_value("weights", "deblurgan-v1")
    run_and_wait(qtbot, window)
    assert window.last_problem.kind == "weights"
    assert "latest_net_G.pth" in window.problem_box.text() and "to get them" in window.problem_box.text()
    assert window.photos[0].steps == []


@pytest.mark.parametrize("name, fmt", [("out.png", "PNG"), ("out.jpg", "JPEG"), ("out.webp", "WEBP")])
def test_save_writes_the_result_in_the_chosen_format(qtbot, window, photo_path, tmp_path, name, fmt):
    open_and_wait(qtbot, window, [photo_path])
    window.select_tool("adjust")
    window.form.set_value("rotate", "right")
    run_and_wait(qtbot, window)
    assert save_and_wait(qtbot, window, tmp_path / name, quality=80) is not None
    with Image.open(tmp_path / name) as saved:
        assert saved.format == fmt and saved.size == (48, 64)
    assert window.photos[0].saved_to == tmp_path / name
    (tmp_path / name).unlink()
    window.save()  # Save again: the same file, no dialog
    qtbot.waitUntil(lambda: window.saving is None)
    assert (tmp_path / name).exists()


def test_saving_to_an_unknown_format_is_a_dialog(qtbot, window, photo_path, tmp_path):
    open_and_wait(qtbot, window, [photo_path])
    assert window.save_to(tmp_path / "out.tiff") is None
    assert ".png, .jpg or .webp" in window.problem_box.text()


def test_copy_puts_the_result_on_the_clipboard(qtbot, window, photo_path):
    from PySide6.QtGui import QGuiApplication

    open_and_wait(qtbot, window, [photo_path])
    window.copy_result()
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (64, 48)


def test_the_window_speaks_chinese(qtbot, window, photo_path):
    open_and_wait(qtbot, window, [photo_path])
    window.select_tool("adjust")
    window.set_language("zh")
    assert window.run_button.text() == "运行"
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    labels = [w.text() for w in window.form.findChildren(type(window.time_left))]
    assert "旋转" in labels and "亮度" in labels
    assert window.settings.language == "zh"


def test_settings_are_remembered(gui_settings, tmp_path):
    from PySide6.QtCore import QSettings

    gui_settings.threads = 3
    gui_settings.precision = "float32"
    gui_settings.models_dir = str(tmp_path / "models")
    gui_settings.language = "zh"
    gui_settings.sync()
    again = GuiSettings(QSettings(gui_settings.store.fileName(), QSettings.Format.IniFormat))
    assert (again.threads, again.precision, again.models_dir, again.language) == (3, "float32", str(tmp_path / "models"), "zh")
    settings = again.restora_settings()
    assert settings.torch_threads == 3 and settings.inference_precision == "float32"
    assert settings.models_dir == tmp_path / "models"
    with pytest.raises(ValueError):
        again.precision = "float8"


def test_recent_files_keep_the_newest_first_without_repeats(gui_settings, tmp_path):
    for name in ("a.png", "b.png", "a.png"):
        gui_settings.add_recent(tmp_path / name)
    assert gui_settings.recent == [str(tmp_path / "a.png"), str(tmp_path / "b.png")]


def test_a_dropped_file_opens(qtbot, window, photo_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(photo_path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: not window.busy())
    assert [p.path for p in window.photos] == [photo_path]


@pytest.mark.slow  # the nets' tools import torch and build their nets in the tool process
@pytest.mark.parametrize("name", list(TOOLS))
def test_each_registered_tool_runs_from_its_form(qtbot, window, tmp_path, name):
    """Its typical job (``bench_params``, as `make bench` runs it) set through the form, on a small photo."""
    photo = write_photo(tmp_path / "small.png", 96, 72)
    open_and_wait(qtbot, window, [photo])
    window.select_tool(name)
    tool = TOOLS[name]
    for param, value in tool.bench_params.items():
        window.form.set_value(param, value)
    assert tool.validate(window.form.values()) == tool.validate(dict(tool.bench_params))
    run_and_wait(qtbot, window, timeout=300_000)
    assert window.last_problem is None, window.last_problem
    assert [step.tool for step in window.photos[0].steps] == [name]


COPY_THEN_QUIT = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from restora.gui.main_window import MainWindow
from restora.gui.settings import GuiSettings

app = QApplication([])
window = MainWindow(GuiSettings(QSettings(sys.argv[2], QSettings.Format.IniFormat)))
window.show()
window.open_paths([Path(sys.argv[1])])
deadline = time.monotonic() + 30
while window.opening and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
assert window.photos, "the photo did not open"
window.copy_result()
window.close()
"""


def test_a_copy_then_quit_ends_cleanly(photo_path, tmp_path):
    """Qt frees the clipboard's image after Python has finished: an image still pointing into Python's
    memory then crashed the process at exit (exit code -11), after a Copy and a quit."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", COPY_THEN_QUIT, str(photo_path), str(tmp_path / "gui.ini")],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
