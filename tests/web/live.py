"""A real HTTP server for an app, in a thread on a free port of 127.0.0.1 (client and schemathesis tests)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from flask import Flask
from werkzeug.serving import make_server

from restora.web.executor import stop_executor
from tests.web.mailbox import free_port


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The base URL while ``app`` serves; afterwards the server and the app's job executor are stopped."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        stop_executor(app)
