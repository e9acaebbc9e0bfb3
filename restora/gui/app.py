"""Start the window: the QApplication, the remembered settings, the photos named on the command line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Sequence

from PySide6.QtWidgets import QApplication

from restora.gui.main_window import MainWindow
from restora.gui.settings import GuiSettings

log = logging.getLogger(__name__)


def application() -> QApplication:
    """The process's QApplication (created once)."""
    app = QApplication.instance()
    if app is None:
        QApplication.setOrganizationName("Restora")
        QApplication.setApplicationName("Restora")
        app = QApplication(sys.argv[:1])
    return app


def create_window(paths: Sequence[str | Path] = (), settings: GuiSettings | None = None) -> MainWindow:
    """A shown window with ``paths`` opened (photos; a folder opens as a batch)."""
    application()
    window = MainWindow(settings)
    window.show()
    if paths:
        window.open_paths(paths)
    return window


def run(paths: Sequence[str | Path] = ()) -> int:
    """Open the window and run the event loop until it closes; the exit status."""
    app = application()
    window = create_window(paths)

    def show_unexpected(kind, exc, trace) -> None:
        # A bug in a slot: logged with its traceback for a report, shown as a dialog; the photos stay open.
        log.error("unexpected error", exc_info=(kind, exc, trace))
        window.show_problem(exc)

    sys.excepthook = show_unexpected
    return app.exec()
