"""What ``restora gui --server`` uploads as the photo, against a live server with a 30,000-byte upload limit: the
opened file as it is (EXIF turn and all, so the server's "before" is the window's), a PNG of a chained result,
a JPEG at quality 95 when the PNG is over the limit (said in the status bar), and a clear refusal, with no job
made, for a picture nothing fits."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from werkzeug.formparser import parse_form_data

from restora.client import ApiError, Client
from restora.config import Settings
from restora.migrations import migrate
from restora.web import create_app
from tests.gui.conftest import close_window, open_and_wait, run_and_wait, write_photo
from tests.web.api_support import make_token
from tests.web.live import serving

LIMIT = 30_000  # bytes: a 160×120 grainy photo is over it as a PNG (~40 KB), under it as a JPEG (~19 KB)


class PhotoParts:
    """The server's WSGI app, noting the photo part (file name, bytes) and the size of every job submitted to it,
    and how often the limits were asked; with ``limits_gone`` it is a server older than ``/api/v1/limits``."""

    def __init__(self, app) -> None:
        self.app, self.seen, self.sizes, self.limits_asked, self.limits_gone = app.wsgi_app, [], [], 0, False
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"] == "/api/v1/limits":
            self.limits_asked += 1
            if self.limits_gone:
                start_response("404 NOT FOUND", [("Content-Type", "text/html")])
                return [b"<!doctype html><title>404 Not Found</title>"]
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/api/v1/jobs":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            _, _, files = parse_form_data({**environ, "wsgi.input": io.BytesIO(body)})
            self.seen.append((files["photo"].filename, files["photo"].read()))
            self.sizes.append(len(body))
            for part in files.values():
                part.close()
            environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, token, photo parts seen) of a running server with a small upload limit."""
    from tests.web.conftest import AuthActions

    settings = Settings(data_dir=tmp_path_factory.mktemp("upload-instance"), secret_key="remote-upload-key",
                        max_upload_bytes=LIMIT)
    migrate(settings)
    app = create_app(settings)
    AuthActions(app, app.test_client(), None).create_user("alice")
    parts = PhotoParts(app)
    with serving(app) as base:
        yield base, make_token(app, "alice"), parts


@pytest.fixture
def window(qtbot, gui_settings, server):
    from restora.gui.main_window import MainWindow
    from restora.gui.remote import RemoteEngine, connect

    base, token, parts = server
    parts.seen.clear()
    parts.limits_asked, parts.limits_gone = 0, False
    client, tools = connect(base, token)
    main = MainWindow(gui_settings, engine=RemoteEngine(client), tools=lambda: tools, server=base)
    qtbot.addWidget(main)
    main.show()
    main.select_tool("adjust")
    main.form.set_value("rotate", "left")  # an exact turn: the result shows the server's "before"
    yield main
    close_window(main)


def grainy(width: int, height: int, sigma: float, seed: int = 1) -> Image.Image:
    """Smooth colour ramps with film-like grain: hard for PNG, easy for JPEG."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    ramps = np.stack([x * 255 / width, y * 255 / height, (x + y) * 127 / (width + height) + 60], -1)
    return Image.fromarray(np.clip(ramps + rng.normal(0, sigma, (height, width, 3)), 0, 255).astype(np.uint8))


def test_the_opened_file_goes_as_it_is_and_the_servers_before_is_the_windows(qtbot, window, server, tmp_path):
    base, token, parts = server
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to show
    path = tmp_path / "camera.jpg"
    with Image.open(write_photo(tmp_path / "stored.png")) as stored:  # 64×48, a red top-left corner
        stored.save(path, quality=90, exif=exif)
    open_and_wait(qtbot, window, [path])
    original = window.photos[0].original
    assert original.size == (48, 64)  # the window shows it turned

    run_and_wait(qtbot, window)
    assert window.last_problem is None, window.last_problem
    assert parts.seen[-1] == ("photo.jpg", path.read_bytes())
    turned = original.transpose(Image.Transpose.ROTATE_90)
    assert window.photos[0].current.tobytes() == turned.tobytes()  # the server read the EXIF turn as the window did

    run_and_wait(qtbot, window)  # on the first result: no file holds it, a PNG does
    name, data = parts.seen[-1]
    with Image.open(io.BytesIO(data)) as sent:
        assert name == "photo.png" and sent.tobytes() == turned.tobytes()
    assert Client(base, token).jobs() == []
    assert parts.limits_asked == 1  # the server's setting, asked once: not a GET per run against the rate limit


def test_a_file_changed_on_disk_since_it_was_opened_is_not_sent(tmp_path):
    from restora.gui.photos import open_photo
    from restora.gui.upload import unchanged_source, upload_candidates

    path = write_photo(tmp_path / "photo.png")
    image = open_photo(path)
    assert unchanged_source(image) == (path.read_bytes(), "PNG")
    write_photo(path, seed=4)  # edited in another program
    assert unchanged_source(image) is None
    folder = tmp_path / "upload"
    folder.mkdir()
    assert next(upload_candidates(image, folder)).what == "a PNG"


def test_a_png_over_the_limit_goes_as_a_jpeg_and_the_window_says_so(qtbot, window, server, tmp_path):
    path = tmp_path / "grainy.png"
    grainy(160, 120, sigma=8).save(path)
    assert path.stat().st_size > LIMIT
    open_and_wait(qtbot, window, [path])
    run_and_wait(qtbot, window)
    assert window.last_problem is None, window.last_problem
    name, data = server[2].seen[-1]
    with Image.open(io.BytesIO(data)) as sent:
        assert (name, sent.format, sent.size) == ("photo.jpg", "JPEG", (160, 120))
        assert [layer[1:3] for layer in sent.layer] == [(1, 1)] * 3  # 4:4:4: no chroma subsampling
    message = window.statusBar().currentMessage()
    assert "sent compressed (JPEG, quality 95)" in message and "upload limit of 29.3 KB" in message
    assert window.photos[0].steps[-1].tool == "adjust"


@pytest.mark.parametrize("picture", ["transparent", "noise"])
def test_a_picture_nothing_fits_is_refused_naming_the_limit_and_makes_no_job(qtbot, window, server, tmp_path,
                                                                            picture):
    base, token, parts = server
    if picture == "transparent":  # no JPEG for a picture with transparency
        image = grainy(160, 120, sigma=8).convert("RGBA")
        image.putalpha(Image.linear_gradient("L").resize((160, 120)))
    else:  # grain no JPEG at quality 95 squeezes under the limit
        image = Image.fromarray(np.random.default_rng(2).integers(0, 256, (120, 160, 3), dtype=np.uint8))
    image.save(tmp_path / "big.png")
    open_and_wait(qtbot, window, [tmp_path / "big.png"])
    run_and_wait(qtbot, window)
    problem = window.last_problem
    assert problem is not None and problem.title == "The photo is too large for the server"
    shown = window.problem_box.text()
    assert "up to 29.3 KB" in shown and "Nothing was sent" in shown
    assert ("as a JPEG at quality 95" in shown) == (picture == "noise")
    assert parts.seen == [] and Client(base, token).jobs() == []
    assert window.photos[0].steps == []


def test_the_refusal_is_in_the_windows_language(qtbot, window, server, tmp_path):
    image = Image.fromarray(np.random.default_rng(2).integers(0, 256, (120, 160, 3), dtype=np.uint8))
    image.save(tmp_path / "big.png")
    window.set_language("zh")
    open_and_wait(qtbot, window, [tmp_path / "big.png"])
    run_and_wait(qtbot, window)
    assert window.problem_box.windowTitle() == "照片超出服务器的上传限制"
    shown = window.problem_box.text()
    assert "上传上限为 29.3 KB" in shown and "即使作为质量 95 的 JPEG" in shown and "Nothing" not in shown


def test_the_clients_upload_size_is_what_submit_sends(server, tmp_path):
    base, token, parts = server
    client = Client(base, token)
    photo, picture = write_photo(tmp_path / "photo.png"), write_photo(tmp_path / "backdrop.png", seed=5)
    asked = {"rotate": "left", "brightness": 1.5, "note": "ünïcode", "backdrop": picture}
    size = client.upload_size(photo, "adjust", **asked)
    with pytest.raises(ApiError):  # adjust has no note or backdrop: refused, but only after the server read it all
        client.submit(photo, "adjust", **asked)
    assert parts.sizes[-1] == size


def test_a_batch_says_why_a_photo_is_too_large(window, gui_settings, tmp_path):
    from restora.gui.batch import run_batch

    big = tmp_path / "big.png"
    Image.fromarray(np.random.default_rng(2).integers(0, 256, (120, 160, 3), dtype=np.uint8)).save(big)
    notes = []
    done, failed = run_batch(window.engine, window.tool, window.tool.validate(window.form.values()),
                             gui_settings.restora_settings(), [(big, big.relative_to(tmp_path))], tmp_path / "out",
                             lambda fraction: None, notes.append)
    assert (done, failed) == (0, 1)
    assert notes[-1][2].startswith("This server takes uploads of up to 29.3 KB") and "{" not in notes[-1][2]


def test_a_server_without_limits_gets_the_file_and_refuses_a_too_large_one_itself(qtbot, window, server, tmp_path):
    base, token, parts = server
    parts.limits_gone = True
    small = write_photo(tmp_path / "small.png")
    big = tmp_path / "grainy.png"
    grainy(160, 120, sigma=8).save(big)
    open_and_wait(qtbot, window, [small, big])
    window.photo_list.setCurrentRow(0)
    run_and_wait(qtbot, window)
    assert window.last_problem is None, window.last_problem
    assert parts.seen[-1] == ("photo.png", small.read_bytes())
    window.photo_list.setCurrentRow(1)
    run_and_wait(qtbot, window)  # no JPEG in its place: the limit is not known
    assert window.last_problem.title == "The tool cannot run" and "Too large" in window.last_problem.message
    assert parts.limits_asked == 1 and Client(base, token).jobs() == []


def test_a_batch_says_which_photos_went_compressed(qtbot, window, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    grainy(160, 120, sigma=8).save(folder / "grainy.png")
    write_photo(folder / "small.png")
    dialog = window.open_batch(folder)
    dialog.output.setText(str(tmp_path / "out"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=60_000)
    grainy_status, small_status = dialog.statuses()
    assert grainy_status == ("grainy.png — done — The photo was sent compressed (JPEG, quality 95): as a PNG it is "
                             "over the server's upload limit of 29.3 KB.")
    assert small_status == "small.png — done"
