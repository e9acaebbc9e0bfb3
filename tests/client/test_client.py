"""``restora.client`` against a real server (werkzeug in a thread, SQLite, the thread executor)."""

from __future__ import annotations


import pytest
from PIL import Image

from restora.client import ApiError, Client
from restora.config import Settings
from restora.migrations import migrate
from restora.web import create_app
from tests.web.api_support import make_token
from tests.web.live import serving
from tests.web.tools_support import picture_bytes


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, app) of a running server with one user, alice."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("client-instance"), secret_key="client-test-key",
                        max_event_streams=2)
    migrate(settings)
    app = create_app(settings)
    from tests.web.conftest import AuthActions

    AuthActions(app, app.test_client(), None).create_user("alice")
    with serving(app) as base:
        yield base, app


def test_submit_wait_with_progress_save_and_delete(server, tmp_path):
    base, app = server
    client = Client(base, make_token(app, "alice"))
    assert "adjust" in {tool["name"] for tool in client.tools()}
    photo = tmp_path / "old.jpg"
    photo.write_bytes(picture_bytes(size=(80, 60)))
    job = client.submit(photo, "adjust", rotate="left", brightness=1.1)
    seen = []
    finished = client.wait(job, progress=seen.append, timeout=60)
    assert finished["status"] == "done" and seen and seen[-1] == 1.0
    saved = client.result(finished, tmp_path / "restored.png")
    with Image.open(saved) as image:
        assert image.size == (60, 80)  # turned a quarter
    assert [j["id"] for j in client.jobs()] == [job["id"]]
    client.delete(job)
    with pytest.raises(ApiError) as gone:
        client.job(job)
    assert gone.value.status == 404 and gone.value.code == "not_found"


def test_wait_falls_back_to_polling_when_streams_are_full(server, tmp_path):
    base, app = server
    client = Client(base, make_token(app, "alice"))
    photo = tmp_path / "old.png"
    photo.write_bytes(picture_bytes("PNG"))
    from restora.web.api.events import _slots

    slots = _slots(app)
    taken = [slots.acquire(blocking=False) for _ in range(2)]
    try:
        job = client.submit(photo, "adjust", rotate="right")
        assert client.wait(job, timeout=60)["status"] == "done"
    finally:
        for held in taken:
            if held:
                slots.release()
    client.delete(job)


def test_errors_carry_the_servers_code(server, tmp_path):
    base, app = server
    photo = tmp_path / "old.jpg"
    photo.write_bytes(picture_bytes())
    with pytest.raises(ApiError) as refused:
        Client(base, "rst_wrong").jobs()
    assert refused.value.status == 401 and refused.value.code == "invalid_token"
    with pytest.raises(ApiError) as bad:
        Client(base, make_token(app, "alice")).submit(photo, "adjust", rotate="sideways")
    assert bad.value.status == 422 and bad.value.code == "invalid_parameters"


def test_a_jobs_views_are_listed_and_saved(server, tmp_path):
    base, app = server
    client = Client(base, make_token(app, "alice"))
    photo = tmp_path / "old.png"
    photo.write_bytes(picture_bytes("PNG", size=(96, 72)))
    job = client.wait(client.submit(photo, "background", segmenter="u2netp", background="transparent"), timeout=120)
    assert job["status"] == "done" and [view["name"] for view in job["views"]] == ["mask"]
    cut = client.result(job, tmp_path / "cut.png")
    mask = client.view(job, "mask", tmp_path / "cut.mask.png")
    with Image.open(cut) as cut_image, Image.open(mask) as mask_image:
        assert mask_image.size == cut_image.size
        assert mask_image.convert("L").tobytes() == cut_image.getchannel("A").tobytes()  # the alpha it used
    with pytest.raises(ApiError) as missing:
        client.view(job, "nothing", tmp_path / "nothing.png")
    assert missing.value.status == 404 and not (tmp_path / "nothing.png").exists()
    client.delete(job)


def test_a_size_limited_result_is_saved_as_the_servers_jpeg_under_a_jpg_name(server, tmp_path):
    """An ID photo within 30 KB (a real face): the client writes the server's bytes, renamed to .jpg."""
    import io

    from skimage import data

    base, app = server
    client = Client(base, make_token(app, "alice"))
    photo = tmp_path / "astronaut.jpg"
    Image.fromarray(data.astronaut()).save(photo, quality=95)
    job = client.wait(client.submit(photo, "background", segmenter="u2netp", id_photo="eu", max_kb=30), timeout=120)
    assert job["status"] == "done", job
    saved = client.result(job, tmp_path / "id.png")
    assert saved == tmp_path / "id.jpg" and not (tmp_path / "id.png").exists()
    assert saved.stat().st_size <= 30 * 1024
    assert client.result(job, tmp_path / "as-asked.jpeg") == tmp_path / "as-asked.jpeg"  # a JPEG name is kept
    assert (tmp_path / "as-asked.jpeg").read_bytes() == saved.read_bytes()
    with Image.open(io.BytesIO(saved.read_bytes())) as image:
        assert image.format == "JPEG" and image.size == (413, 531)
    # Renamed, the asked astronaut.png would be the photo itself: another file is never replaced unasked. Asked
    # again: each refusal must end its download cleanly (one left half-read kept the server's file open).
    original = photo.read_bytes()
    for _ in range(20):
        with pytest.raises(FileExistsError, match="astronaut.jpg"):
            client.result(job, tmp_path / "astronaut.png")
    assert photo.read_bytes() == original and not (tmp_path / "astronaut.png").exists()
    client.delete(job)
