"""In Chromium: an ID photo asked within 30 KB (a real face, scikit-image's astronaut) shows as the result, its page
says "(JPEG, … KB)" beside the download, and the download is a .jpg within the limit."""

from __future__ import annotations

import pytest
from PIL import Image
from skimage import data

from tests.browser.test_live_progress import log_in
from tests.browser.test_site_flow import run_tool
from tests.web.conftest import AuthActions

pytestmark = pytest.mark.slow


def test_a_size_limited_result_shows_its_size_and_downloads_as_a_jpeg(page, live_server, tmp_path):
    base, app = live_server
    AuthActions(app, app.test_client(), None).create_user("passport")
    photo = tmp_path / "astronaut.jpg"
    Image.fromarray(data.astronaut()).save(photo, quality=95)
    log_in(page, base, "passport")

    run_tool(page, base, "passport", "background", photo, segmenter="u2netp", id_photo="eu", max_kb="30")
    after = page.locator("[data-compare-after]")
    after.wait_for(state="attached")
    page.wait_for_function("() => { const img = document.querySelector('[data-compare-after]');"
                           " return img.complete && img.naturalWidth === 413; }")  # the JPEG decodes in the slider
    said = page.locator("#result-file").inner_text()  # filled in by the page's script when the job ended
    assert said.startswith("(JPEG, ") and said.endswith(" KB)")

    with page.expect_download() as download:
        page.locator("#download").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".jpg" and saved.stat().st_size <= 30 * 1024
    assert said == f"(JPEG, {saved.stat().st_size / 1024:.1f} KB)"
    with Image.open(saved) as result:
        assert result.format == "JPEG" and result.size == (413, 531)

    page.goto(f"{base}/passport/history")
    page.locator(".history-item h2 a").first.click()
    assert page.locator("#result-file").inner_text() == said  # the job's own page, drawn by the server
