"""In Chromium: after a background job the page shows the tool's mask view beside the before/after slider,
both on the tool page as the job ends and on the job's own page, and the mask downloads."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.browser.test_live_progress import log_in
from tests.browser.test_site_flow import run_tool, write_photo
from tests.web.conftest import AuthActions

pytestmark = pytest.mark.slow


def _shown_mask(page):
    view = page.locator("#compare-section [data-view=mask]")
    view.locator("img").wait_for(state="visible")
    # The picture loaded (a broken link has no natural width), and its caption names it.
    assert view.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert view.locator("figcaption").inner_text().startswith("Mask")
    return view


def test_the_job_page_shows_the_mask_beside_the_result(page, live_server, tmp_path):
    base, app = live_server
    AuthActions(app, app.test_client(), None).create_user("masker")
    photo = tmp_path / "photo.jpg"
    write_photo(photo)
    log_in(page, base, "masker")

    run_tool(page, base, "masker", "background", photo, segmenter="u2netp")
    _shown_mask(page)  # filled in by the page's script when the job ended

    page.goto(f"{base}/masker/history")
    page.locator(".history-item h2 a").first.click()
    view = _shown_mask(page)  # drawn by the server on the job's own page
    assert page.locator("[data-compare]").is_visible()
    with page.expect_download() as download:
        view.locator("a[download]").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.endswith("-mask.png")
    with Image.open(saved) as mask, Image.open(photo) as original:
        assert mask.size == original.size and mask.mode == "RGB"
