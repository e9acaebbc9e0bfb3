"""docs/images/gui.png: the desktop window on scikit-image's real motion-blurred clock_motion.png after
the deblur tool (its defaults), before | after on either side of the split line.
Run (no display needed): .venv/bin/python docs/gui_screenshot.py"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import skimage  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from restora.gui.app import application, create_window  # noqa: E402
from restora.gui.settings import GuiSettings  # noqa: E402

OUT = Path(__file__).parent / "images" / "gui.png"
PHOTO = Path(skimage.__file__).parent / "data" / "clock_motion.png"
TOOL = "deblur"


def wait_until(app, condition, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            sys.exit("timed out")
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    app = application()
    folder = Path(tempfile.mkdtemp())
    settings = GuiSettings(QSettings(str(folder / "gui.ini"), QSettings.Format.IniFormat))  # not the user's
    settings.language = os.environ.get("RESTORA_SCREENSHOT_LANGUAGE", "en")
    window = create_window(settings=settings)
    window.resize(1200, 720)
    window.open_paths([PHOTO])
    wait_until(app, lambda: not window.busy())
    window.select_tool(TOOL)
    window.run_tool()
    wait_until(app, lambda: not window.busy())
    if window.last_problem is not None:
        sys.exit(f"{window.last_problem.title}: {window.last_problem.message}")
    window.view.split = 0.5
    window.view.fit()
    app.processEvents()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(OUT))
    print(f"wrote {OUT} ({window.photos[0].chain()})")
    window.close()


if __name__ == "__main__":
    main()
