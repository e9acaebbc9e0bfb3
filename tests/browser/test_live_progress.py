"""The tool page in Chromium follows a job by the API's event stream (not by polling), and falls back to
polling when the server refuses the stream."""

from __future__ import annotations

import pytest

from tests.browser.test_site_flow import run_tool, write_photo
from tests.web.conftest import AuthActions

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].button")
    page.wait_for_url(f"{base}/{username}/")


def test_the_tool_page_uses_the_event_stream_then_falls_back_to_polling(page, live_server, tmp_path):
    base, app = live_server
    AuthActions(app, app.test_client(), None).create_user("streamer")
    photo = tmp_path / "photo.jpg"
    write_photo(photo)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, base, "streamer")

    run_tool(page, base, "streamer", "adjust", photo, rotate="left")
    streams = [url for url in requests if url.endswith("/events")]
    polls = [url for url in requests if "/streamer/jobs/" in url and url.split("/")[-1].count("-") == 4]
    assert len(streams) == 1 and "/api/v1/jobs/" in streams[0]
    assert len(polls) <= 1  # one read of the page's own JSON when the stream ends, no polling loop

    from restora.web.api.events import _slots

    slots = _slots(app)
    held = [slots.acquire(blocking=False) for _ in range(app.extensions["restora.settings"].max_event_streams)]
    try:
        requests.clear()
        run_tool(page, base, "streamer", "adjust", photo, rotate="right")  # the stream is refused: 503
        assert any(url.endswith("/events") for url in requests)
        assert page.locator("#compare-section").is_visible()
    finally:
        for taken in held:
            if taken:
                slots.release()
