"""Keep/remove marks painted in Chromium on the background page (the ``strokes`` kind's brush): the marks
reach the job as a PNG of the photo's size that the one rule (restora/tools/marks.py) reads as painted,
and the job uses them: the cup under the remove mark is gone from the mask, the cat kept."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from restora.jobs.models import Job
from restora.tools.marks import KEEP, REMOVE, strokes_from_picture
from restora.web.database import database
from tests.background.marks_support import cup_and_cat_alpha, two_subjects
from tests.browser.test_drawn_controls import submit, user  # noqa: F401 (user is a fixture)
from tests.browser.test_live_progress import log_in

pytestmark = pytest.mark.slow

SIZE = (1200, 400)  # the cup on the left half, the cat on the right


def paint(page, shown: dict, mode: str, y: float, x0: float, x1: float) -> None:
    """One stroke in ``mode`` at height ``y`` from ``x0`` to ``x1`` (fractions of the photo)."""
    page.check(f"[data-name=strokes] input[data-mode={mode}]")
    page.mouse.move(shown["x"] + shown["width"] * x0, shown["y"] + shown["height"] * y)
    page.mouse.down()
    page.mouse.move(shown["x"] + shown["width"] * x1, shown["y"] + shown["height"] * y, steps=10)
    page.mouse.up()


def test_paint_keep_and_remove_marks_on_the_background_page(page, live_server, user, tmp_path):  # noqa: F811
    base, app = live_server
    photo = tmp_path / "cup-and-cat.png"
    two_subjects().save(photo)
    log_in(page, base, user)
    page.goto(f"{base}/{user}/background")
    page.select_option("select[name=segmenter]", "u2netp")
    page.set_input_files("#photo", str(photo))
    page.wait_for_selector(f"#tool-form[data-photo-ready='{SIZE[0]}x{SIZE[1]}']")
    canvas = page.locator("[data-name=strokes] [data-hints-canvas]")
    canvas.scroll_into_view_if_needed()
    shown = canvas.bounding_box()
    assert shown["width"] < SIZE[0]  # scaled down: the marks must still land in the photo's pixels

    paint(page, shown, "keep", 0.1, 0.1, 0.3)  # a slip, then Clear: none of it may reach the job
    page.click("[data-name=strokes] [data-hints-clear]")
    paint(page, shown, "remove", 0.55, 0.15, 0.35)  # across the cup
    paint(page, shown, "keep", 0.51, 0.68, 0.82)  # across the cat's face

    job = submit(page, app)
    assert sorted(job.inputs) == ["strokes"]
    data_dir = app.extensions["restora.settings"].data_dir
    with Image.open(data_dir / job.inputs["strokes"]) as stored:
        assert stored.mode == "RGBA" and stored.size == SIZE
        strokes = strokes_from_picture(stored, SIZE)
    assert strokes[220, 300] == REMOVE and strokes[204, 900] == KEEP
    assert not strokes[:100].any()  # the cleared slip
    assert set(np.unique(strokes[220, 200:400])) == {REMOVE} and not (strokes[:, :600] == KEEP).any()

    page.locator("#compare-section:visible, #job-error:visible").first.wait_for(timeout=180_000)
    assert page.locator("#compare-section").is_visible(), page.inner_text("#job-error")
    with database(app).sessions() as session:
        mask_path = session.get(Job, job.id).views["mask"]
    with Image.open(data_dir / mask_path) as mask:
        alpha = np.asarray(mask.convert("L")) / 255
    cup, cat = cup_and_cat_alpha(alpha)
    assert cup < 0.02 and cat > 0.95
    page.goto(f"{base}/{user}/history/{job.id}")
    assert page.locator("#job-inputs .job-input-strokes .hints-over-photo").is_visible()
