"""Tool pages from the TOOLS registry, uploads through to a finished job, results served safely."""

from __future__ import annotations

import io
import re
import time

import numpy as np
import pytest
from PIL import Image

from restora.imaging.io import load_image
from restora.tools import TOOLS
from restora.tools.adjust import Adjust
from restora.web.database import database
from restora.web.executor import EXECUTOR_KEY, executor_for, stop_executor
from tests.web.tools_support import JSON, get_file, picture_bytes, post_upload, wait_for_job


@pytest.fixture(autouse=True)
def executor_stopped_after_test(app):
    yield
    stop_executor(app)


@pytest.fixture
def alice(auth):
    auth.create_user("alice")
    assert auth.login("alice").status_code == 302
    return auth


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_every_registered_tool_has_a_page_built_from_its_params(client, alice, tool):
    page = client.get(f"/alice/{tool}").get_data(as_text=True)
    assert 'type="file"' in page and 'accept="image/jpeg,image/png,image/webp"' in page
    assert 'id="start"' in page
    for param in TOOLS[tool].params:
        if param.kind == "weights":  # never chosen from a web form
            assert f'name="{param.name}"' not in page
        else:
            assert f'name="{param.name}"' in page


def test_the_adjust_page_offers_every_rotation_and_the_brightness_range(client, alice):
    page = client.get("/alice/adjust").get_data(as_text=True)
    rotate = re.search(r'<select id="param-rotate" name="rotate".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="([^"]+)"', rotate) == ["none", "left", "right", "180", "flip-h", "flip-v"]
    assert re.search(r'name="brightness" value="1.0"\s+min="0.2"\s+max="100.0"', page)


def test_an_adjust_job_runs_and_its_result_is_served_safely(client, alice, app):
    photo = picture_bytes("JPEG")
    response = post_upload(client, alice, photo=photo, rotate="right", brightness="1.5")
    assert response.status_code == 202, response.get_data(as_text=True)
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done", job

    result = get_file(client, job["result_url"])
    assert result.status_code == 200
    assert result.headers["Content-Type"] == "image/png"
    assert result.headers["X-Content-Type-Options"] == "nosniff"
    assert result.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert result.headers["Content-Disposition"].startswith("inline")
    expected = Adjust().run(load_image(photo), rotate="right", brightness=1.5)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(result.data))), np.asarray(expected))

    download = get_file(client, job["download_url"])
    assert re.match(r'attachment; filename=restora-adjust-[0-9a-f]{8}-result\.png', download.headers["Content-Disposition"])
    original = get_file(client, job["original_url"])
    assert original.headers["Content-Type"] == "image/png"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(original.data))), np.asarray(load_image(photo)))


def test_without_javascript_the_form_leads_to_the_jobs_own_page(client, alice):
    response = post_upload(client, alice, photo=picture_bytes("PNG"), json=False, rotate="180", brightness="1")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "180°" in page.get_data(as_text=True)


def test_nothing_to_do_is_refused_with_the_tools_message_and_nothing_is_stored(client, alice, app, tmp_path):
    response = post_upload(client, alice, photo=picture_bytes(), rotate="none", brightness="1")
    assert response.status_code == 422
    assert "Nothing to do" in response.get_json()["error"]
    html = post_upload(client, alice, photo=picture_bytes(), json=False, rotate="none", brightness="1")
    assert html.status_code == 422 and "Nothing to do" in html.get_data(as_text=True)
    assert not list((tmp_path / "instance").glob("uploads/**/*.*"))
    assert job_count(app) == 0


@pytest.mark.parametrize(
    "body, name, status, words",
    [
        (None, None, 400, "Choose"),
        (b"<html><script>alert(1)</script></html>", "evil.jpg", 415, "JPEG, PNG or WebP"),
        (b"II*\x00" + bytes(200), "scan.png", 415, "TIFF"),
        ("truncated", "cut.jpg", 400, "damaged"),
        ("bomb", "huge.png", 422, "too large"),
        ("strip", "strip.png", 422, "too large"),
    ],
)
def test_bad_uploads_get_a_clear_4xx_and_leave_nothing_behind(client, alice, app, tmp_path, body, name, status, words):
    if body == "truncated":
        body = picture_bytes("JPEG", size=(200, 150))[:900]
    elif body == "bomb":
        body = png_header_only(50_000, 50_000)
    elif body == "strip":
        body = png_header_only(200_000, 1)
    response = post_upload(client, alice, photo=body, filename=name or "", rotate="left")
    assert response.status_code == status, response.get_data(as_text=True)
    assert words in response.get_json()["error"]
    assert not list((tmp_path / "instance").glob("uploads/**/*.*"))
    assert job_count(app) == 0


@pytest.mark.slow
def test_an_upload_over_the_size_limit_is_413_with_a_page(make_app, smtp, tmp_path):
    from tests.web.conftest import AuthActions

    app = make_app(max_upload_bytes=20_000)
    client = app.test_client()
    auth = AuthActions(app, client, smtp)
    auth.create_user("alice")
    auth.login("alice")
    try:
        response = post_upload(client, auth, photo=picture_bytes("PNG", size=(300, 300)), json=False, rotate="left")
        assert response.status_code == 413
        assert "too large" in response.get_data(as_text=True).lower()
        assert not list((tmp_path / "instance").glob("uploads/**/*.*"))
    finally:
        stop_executor(app)


def test_a_polyglot_is_stored_and_served_re_encoded(client, alice, tmp_path):
    photo = picture_bytes("JPEG") + b"<script>alert(1)</script>PK\x03\x04"
    job = wait_for_job(client, post_upload(client, alice, photo=photo, rotate="left").get_json()["status_url"])
    for stored in (tmp_path / "instance").glob("*/**/*.png"):
        assert b"<script" not in stored.read_bytes() and b"PK\x03\x04" not in stored.read_bytes()
    for url in (job["original_url"], job["result_url"]):
        assert b"<script" not in get_file(client, url).data


def test_the_job_json_is_only_for_its_owner_and_not_cached(client, alice):
    job = post_upload(client, alice, photo=picture_bytes(), rotate="left").get_json()
    status = client.get(job["status_url"], headers=JSON)
    assert status.headers["Cache-Control"] == "no-store"
    assert status.get_json()["tool"] == "adjust"


def job_count(app) -> int:
    from sqlalchemy import func, select

    from restora.jobs.models import Job

    with database(app).sessions() as session:
        return session.scalar(select(func.count()).select_from(Job))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width``×``height`` (a few bytes, no pixel data worth decoding)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")


@pytest.mark.slow
def test_the_page_sees_progress_while_a_slow_job_runs(client, alice, monkeypatch):
    from tests.jobs.tools_for_tests import SlowAdjust

    monkeypatch.setitem(TOOLS, "slow", SlowAdjust())
    job = post_upload(client, alice, tool="slow", photo=picture_bytes(), seconds="3").get_json()
    seen = set()
    final = None
    for _ in range(100):
        final = client.get(job["status_url"], headers=JSON).get_json()
        seen.add((final["status"], 0 < final["progress"] < 1))
        if final["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert ("running", True) in seen  # a moving bar, not just waiting and done
    assert final["status"] == "done" and final["progress"] == 1.0


def test_without_javascript_a_waiting_job_page_reloads_itself(client, alice, app):
    executor_for(app).stop()  # keep the job waiting
    response = post_upload(client, alice, photo=picture_bytes(), json=False, rotate="left")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page and "Waiting" in page


def test_the_executor_runs_jobs_with_the_settings_the_app_was_built_with(make_app, tmp_path):
    app = make_app(job_lease_seconds=7.5, models_dir=tmp_path / "models")
    config = executor_for(app).config
    assert config.settings is app.extensions["restora.settings"]
    assert config.lease_seconds == 7.5 and config.settings.models_dir == tmp_path / "models"


def test_jobs_left_queued_by_a_stopped_server_run_after_the_next_start(make_app, smtp):
    from tests.web.conftest import AuthActions

    first = make_app()
    client = first.test_client()
    auth = AuthActions(first, client, smtp)
    auth.create_user("alice")
    auth.login("alice")
    executor_for(first).stop()  # the server goes down before running it
    job = post_upload(client, auth, photo=picture_bytes(), rotate="left").get_json()
    stop_executor(first)

    second = make_app()  # the restart, on the same database and data folder
    other = second.test_client()
    assert EXECUTOR_KEY not in second.extensions
    assert other.get("/").status_code == 200  # any first request, even the home page, starts the executor
    assert EXECUTOR_KEY in second.extensions
    AuthActions(second, other, smtp).login("alice")
    assert wait_for_job(other, job["status_url"])["status"] == "done"
