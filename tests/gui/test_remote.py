"""``restora gui --server``: the window runs tools on a live local server (werkzeug in a thread, SQLite,
the thread executor) through restora.client, with its tool list and forms from ``/api/v1/tools``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from restora.client import Client
from restora.config import Settings
from restora.migrations import migrate
from restora.web import create_app
from tests.gui.conftest import close_window, open_and_wait, run_and_wait
from tests.web.api_support import make_token
from tests.web.live import serving


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, app) of a running server with one user, alice."""
    from tests.web.conftest import AuthActions

    settings = Settings(data_dir=tmp_path_factory.mktemp("remote-instance"), secret_key="remote-gui-key")
    migrate(settings)
    app = create_app(settings)
    AuthActions(app, app.test_client(), None).create_user("alice")
    with serving(app) as base:
        yield base, app


@pytest.fixture
def token(server):
    return make_token(server[1], "alice")


@pytest.fixture
def remote_window(qtbot, gui_settings, server, token):
    from restora.gui.main_window import MainWindow
    from restora.gui.remote import RemoteEngine, connect

    base, _app = server
    client, tools = connect(base, token)
    main = MainWindow(gui_settings, engine=RemoteEngine(client), tools=lambda: tools, server=base)
    qtbot.addWidget(main)
    main.show()
    yield main
    close_window(main)


def add_test_tools(window, base, token):
    """The test tools joined the server's registry (this process's) after the window connected: list again."""
    from restora.gui.remote import remote_tools

    window._tools().update(remote_tools(Client(base, token)))
    window.refresh_tools()


def server_jobs(base, token):
    return Client(base, token).jobs()


def test_the_tools_and_their_forms_come_from_the_server(remote_window, server, token):
    base, _app = server
    described = {tool["name"]: tool for tool in Client(base, token).tools()}
    listed = [remote_window.tool_box.itemData(i) for i in range(remote_window.tool_box.count())]
    assert listed == list(described)
    assert base in remote_window.windowTitle()
    for name, tool in described.items():
        remote_window.select_tool(name)
        assert list(remote_window.form.controls) == [p["name"] for p in tool["params"]]
    remote_window.select_tool("adjust")
    rotate = remote_window.form.controls["rotate"].widget
    assert [rotate.itemData(i) for i in range(rotate.count())] == described["adjust"]["params"][0]["choices"]


def test_a_run_on_the_server_shows_progress_and_the_result_and_leaves_no_job(qtbot, remote_window, photo_path,
                                                                            server, token):
    open_and_wait(qtbot, remote_window, [photo_path])
    remote_window.select_tool("adjust")
    remote_window.form.set_value("rotate", "left")
    seen = []
    remote_window.progress.valueChanged.connect(seen.append)
    run_and_wait(qtbot, remote_window)
    assert remote_window.last_problem is None
    photo = remote_window.photos[0]
    assert [step.tool for step in photo.steps] == ["adjust"]
    assert photo.current.size == (48, 64)  # turned on the server
    assert seen and seen[-1] == 1000
    assert server_jobs(*server[:1], token) == []  # downloaded, then deleted on the server


def test_painted_hints_and_a_box_travel_to_the_server(qtbot, remote_window, photo_path, server, token, test_tools):
    import numpy as np
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor

    from tests.gui.test_compare import drag

    add_test_tools(remote_window, *server[:1], token)
    open_and_wait(qtbot, remote_window, [photo_path])  # 64×48
    remote_window.select_tool("drawn-probe")
    remote_window.view.set_side_by_side(False)
    remote_window.form.controls["hints"].toggle.click()
    remote_window.overlay.brush_colour = QColor("#00ff00")
    remote_window.overlay.brush_radius = 2
    to_widget = lambda x, y: (QPointF(x, y) * remote_window.view.zoom + remote_window.view.offset).toPoint()  # noqa: E731
    drag(qtbot, remote_window.view, to_widget(10, 30), to_widget(50, 30))
    remote_window.form.controls["keep"].toggle.click()
    drag(qtbot, remote_window.view, to_widget(5, 6), to_widget(45, 40))
    run_and_wait(qtbot, remote_window)
    assert remote_window.last_problem is None, remote_window.last_problem
    result = np.asarray(remote_window.photos[0].current)
    assert tuple(result[30, 30]) == (0, 255, 0)  # the server composited the painted hints
    assert tuple(result[5, 5]) == tuple(np.asarray(remote_window.photos[0].original)[5, 5])


def test_progress_comes_from_the_events_stream_and_cancel_deletes_the_job(qtbot, remote_window, photo_path,
                                                                        server, token, test_tools):
    base, _app = server
    add_test_tools(remote_window, base, token)
    open_and_wait(qtbot, remote_window, [photo_path])
    remote_window.select_tool("slow")
    remote_window.form.set_value("seconds", 60)
    task = remote_window.run_tool()
    qtbot.waitUntil(lambda: remote_window.progress.value() > 0, timeout=20_000)
    assert len(server_jobs(base, token)) == 1
    with qtbot.waitSignal(task.worker.cancelled, timeout=10_000):
        remote_window.cancel()
    qtbot.waitUntil(lambda: remote_window.task is None, timeout=10_000)
    assert remote_window.photos[0].steps == []
    qtbot.waitUntil(lambda: server_jobs(base, token) == [], timeout=10_000)


def test_a_failed_job_and_a_revoked_token_are_dialogs_in_plain_words(qtbot, remote_window, photo_path, server,
                                                                     token, test_tools):
    from restora.accounts.tokens import list_tokens, revoke_token
    from restora.web.database import database

    base, app = server
    add_test_tools(remote_window, base, token)
    open_and_wait(qtbot, remote_window, [photo_path])
    remote_window.select_tool("failing")
    run_and_wait(qtbot, remote_window)
    assert remote_window.last_problem is not None and remote_window.photos[0].steps == []
    assert "Traceback" not in remote_window.problem_box.text()

    with database(app).sessions() as session:
        for row in list_tokens(session, 1):
            revoke_token(session, 1, row.id)
        session.commit()
    remote_window.select_tool("adjust")
    remote_window.form.set_value("rotate", "left")
    run_and_wait(qtbot, remote_window)
    assert remote_window.last_problem.title == "The server refused the token"
    assert "revoked" in remote_window.problem_box.text()


def test_a_batch_runs_on_the_server_too(qtbot, remote_window, tmp_path, server, token):
    from PIL import Image

    from tests.gui.conftest import write_photo

    folder = tmp_path / "scans"
    folder.mkdir()
    write_photo(folder / "a.png")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 half a jpeg")
    remote_window.select_tool("adjust")
    remote_window.form.set_value("rotate", "left")
    dialog = remote_window.open_batch(folder)
    assert dialog.engine is remote_window.engine
    dialog.output.setText(str(tmp_path / "out"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=60_000)
    assert dialog.summary.text() == "1 of 2 done, 1 failed"
    with Image.open(tmp_path / "out" / "a.png") as turned:
        assert turned.size == (48, 64)
    assert server_jobs(server[0], token) == []
    dialog.close()


def test_connect_asks_for_a_token_until_one_is_accepted(server, token):
    from restora.gui.remote import connect

    base, _app = server
    reasons = []
    answers = iter(["rst_wrong", token])

    def ask(reason):
        reasons.append(reason)
        return next(answers)

    client, tools = connect(base, None, ask)
    assert "adjust" in tools and client.token == token
    assert reasons[0] == "" and "refused the token" in reasons[1]
    with pytest.raises(ConnectionError, match="refused the token"):
        connect(base, "rst_wrong", lambda reason: None)
    with pytest.raises(ConnectionError, match="cannot be reached"):
        connect("http://127.0.0.1:9", token)


def test_the_command_line_refuses_a_server_it_cannot_reach_with_a_plain_message(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "restora", "gui", "--server", "http://127.0.0.1:9", "--token", "rst_x"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot be reached" in done.stderr and "Traceback" not in done.stderr
    bad = subprocess.run([sys.executable, "-m", "restora", "gui", "--server", "ftp://x"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "http://" in bad.stderr


def test_a_result_whose_download_breaks_still_leaves_no_job_on_the_server(server, token, monkeypatch):
    from urllib.error import URLError

    from PIL import Image

    from restora.gui.engine import ProblemRaised
    from restora.gui.remote import RemoteEngine, connect
    from restora.tools import TOOLS

    base, _app = server
    client, _tools = connect(base, token)

    def broken_download(job, target):
        raise URLError("connection reset while downloading")

    monkeypatch.setattr(client, "result", broken_download)
    with pytest.raises(ProblemRaised):
        RemoteEngine(client).run(TOOLS["adjust"], Image.new("RGB", (16, 8)), {"rotate": "left"}, None,
                                 lambda fraction: None)
    assert server_jobs(base, token) == []  # the finished job was deleted although its result never arrived


def test_labels_with_a_pixel_size_are_translated_from_the_servers_english(server, token):
    """The server sends "1-inch, 25×35 mm (295×413 px)" as one string; the catalogue knows the label before
    the pixel size, which every language writes alike."""
    from restora.gui.remote import remote_tools
    from restora.gui.texts import text

    tool = remote_tools(Client(server[0], token))["background"]
    id_photo = next(param for param in tool.params if param.name == "id_photo")
    assert id_photo.choice_label("1inch") == "1-inch, 25×35 mm (295×413 px)"
    assert text(id_photo.choice_label("1inch"), "zh", tool) == "一寸，25×35 mm (295×413 px)"
    assert text(id_photo.choice_label("none"), "zh", tool) != "None"
