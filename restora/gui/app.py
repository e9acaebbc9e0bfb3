"""Start the window: the QApplication, the remembered settings, the photos named on the command line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence

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


def create_window(paths: Sequence[str | Path] = (), settings: GuiSettings | None = None,
                  remote: tuple[str, Any, Mapping[str, Any]] | None = None) -> MainWindow:
    """A shown window with ``paths`` opened (photos; a folder opens as a batch).

    ``remote``: (server URL, its restora.client.Client, its tools) to run the tools on that server.
    """
    application()
    if remote is None:
        window = MainWindow(settings)
    else:
        from restora.gui.remote import RemoteEngine

        server, client, tools = remote
        window = MainWindow(settings, engine=RemoteEngine(client), tools=lambda: tools, server=server)
    window.show()
    if paths:
        window.open_paths(paths)
    return window


def run(paths: Sequence[str | Path] = (), server: str | None = None, token: str | None = None) -> int:
    """Open the window and run the event loop until it closes; the exit status.

    With ``server`` the tools run there (``token``, else a dialog asks for one); 2 when it cannot connect.
    """
    app = application()
    remote = None
    if server:
        from restora.gui.remote import ask_token, connect

        try:
            client, tools = connect(server, token, ask_token(server, GuiSettings().language))
        except ConnectionError as error:
            # On the terminal that gave --server; no window opens, so nothing waits on a dialog.
            print(f"restora gui: {error}", file=sys.stderr)
            return 2
        remote = (server, client, tools)
    window = create_window(paths, remote=remote)

    def show_unexpected(kind, exc, trace) -> None:
        # A bug in a slot: logged with its traceback for a report, shown as a dialog; the photos stay open.
        log.error("unexpected error", exc_info=(kind, exc, trace))
        window.show_problem(exc)

    sys.excepthook = show_unexpected
    return app.exec()
