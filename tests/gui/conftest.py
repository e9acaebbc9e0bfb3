"""Fixtures for the desktop window: Qt offscreen, a private settings file, a window, photos, test tools."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt makes the QApplication: no display here

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402


@pytest.fixture
def gui_settings(tmp_path):
    """Settings in a private .ini file (never the user's), in English, with an empty models folder."""
    from PySide6.QtCore import QSettings

    from restora.gui.settings import GuiSettings

    settings = GuiSettings(QSettings(str(tmp_path / "restora-gui.ini"), QSettings.Format.IniFormat))
    settings.language = "en"
    return settings


@pytest.fixture(scope="package")
def tool_engine():
    """One tool process for these tests' windows (starting one, and importing torch in it, takes seconds);
    it ends with the last of them, so later tests see no child process of ours.

    It unpickles the test-only tools by importing tests.*, so it starts with the checkout on its path.
    """
    from restora.gui.engine import ToolProcess

    root = str(Path(__file__).resolve().parents[2])
    sys.path.insert(0, root)
    engine = ToolProcess()
    yield engine
    engine.close()
    sys.path.remove(root)


@pytest.fixture
def window(qtbot, gui_settings, tool_engine):
    from restora.gui.main_window import MainWindow

    main = MainWindow(gui_settings, engine=tool_engine)
    qtbot.addWidget(main)
    main.show()
    yield main
    close_window(main)


def close_window(main) -> None:
    """A test's window closed: a run or a batch still going is cancelled and waited for first."""
    if main.task is not None:
        main.task.cancel()
        main.task.wait()
    if main.batch is not None and main.batch.task is not None:
        main.batch.task.cancel()
        main.batch.task.wait()
    main.close()  # ends the tool processes


def write_photo(path: Path, width: int = 64, height: int = 48, seed: int = 3) -> Path:
    """An asymmetric RGB picture (a red top-left corner), so turns and flips are told apart."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    pixels[:8, :8] = (255, 0, 0)
    Image.fromarray(pixels, "RGB").save(path)
    return path


@pytest.fixture
def photo_path(tmp_path) -> Path:
    return write_photo(tmp_path / "photo.png")


@pytest.fixture
def test_tools():
    """The slow, failing and crashing tools of the jobs tests, plus a probe of the drawn kinds, in the registry
    (the window sends them to its tool process pickled: they are not in that process's registry)."""
    from restora.tools import register, unregister
    from tests.gui.probe_tool import DrawnProbe, Silent
    from tests.jobs.tools_for_tests import CrashingTool, FailingTool, SlowAdjust

    tools = {"slow": SlowAdjust(), "failing": FailingTool(), "crash": CrashingTool(), "drawn-probe": DrawnProbe(),
             "silent": Silent()}
    for tool in tools.values():
        register(tool)
    yield tools
    for name in tools:
        unregister(name)


def open_and_wait(qtbot, window, paths, timeout: int = 30_000) -> None:
    """Open photos (decoded in the background) and wait until they are in the window."""
    window.open_paths(paths)
    qtbot.waitUntil(lambda: not window.opening, timeout=timeout)


def save_and_wait(qtbot, window, path, quality: int = 92, timeout: int = 30_000):
    task = window.save_to(path, quality)
    qtbot.waitUntil(lambda: window.saving is None, timeout=timeout)
    return task


def run_and_wait(qtbot, window, timeout: int = 60_000):
    """Press Run and wait until the background run is over (whatever its outcome)."""
    task = window.run_tool()
    assert task is not None, window.last_problem
    # the window's own handler of the end (connected before the start), not a signal that may be gone by now
    qtbot.waitUntil(lambda: window.task is None, timeout=timeout)
    return task
