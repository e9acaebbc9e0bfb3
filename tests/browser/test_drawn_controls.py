"""The drawn controls in Chromium, on real tools' pages (drawn from their Param kinds): a box dragged on the
photo before upload, colour swatches and the picker, and painted hints sent as an RGBA PNG of the photo's
size. What the job received is read back from the database and the stored files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from restora.jobs.models import Job
from restora.web.database import database
from tests.browser.test_live_progress import log_in
from tests.web.conftest import AuthActions

pytestmark = pytest.mark.slow

PHOTO = (640, 480)  # wider than the form, so the page shows it scaled down and must map back


def write_photo(path, colour: bool = True) -> None:
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:PHOTO[1], 0:PHOTO[0]]
    base = (60 + 120 * x / PHOTO[0] + rng.normal(0, 6, x.shape))[..., None]
    pixels = np.repeat(base, 3, axis=2)
    if colour:
        pixels[140:340, 220:420] = (200, 160, 120)  # a subject-like block in the middle
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=92)


@pytest.fixture(scope="module")
def user(live_server):
    _base, app = live_server
    AuthActions(app, app.test_client(), None).create_user("drawer")
    return "drawer"


def choose_photo(page, base: str, tool: str, photo) -> dict:
    """Open the tool page, choose the photo, wait until it is shown; returns the first stage's box."""
    page.goto(f"{base}/drawer/{tool}")
    page.set_input_files("#photo", str(photo))
    page.wait_for_selector(f"#tool-form[data-photo-ready='{PHOTO[0]}x{PHOTO[1]}']")
    stage = page.locator("[data-photo-stage]").first
    stage.scroll_into_view_if_needed()
    return stage.bounding_box()


def submit(page, app) -> Job:
    """Start the job; returns its row once the server has accepted it."""
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/drawer/" + page.url.split("/")[-1])) as answer:
        page.click("#start")
    assert answer.value.status == 202, answer.value.text()
    job_id = answer.value.json()["id"]
    with database(app).sessions() as session:
        job = session.get(Job, job_id)
        session.expunge(job)
    return job


def test_drag_a_box_and_pick_swatches_on_the_background_page(page, live_server, user, tmp_path):
    base, app = live_server
    photo = tmp_path / "portrait.jpg"
    write_photo(photo)
    log_in(page, base, user)
    stage = page.locator("[data-box-control] [data-photo-stage]")
    choose_photo(page, base, "background", photo)
    stage.scroll_into_view_if_needed()
    shown = stage.bounding_box()
    assert shown["width"] < PHOTO[0]  # scaled down on the page: the box must still be in the photo's pixels

    page.mouse.move(shown["x"] + shown["width"] * 0.25, shown["y"] + shown["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(shown["x"] + shown["width"] * 0.75, shown["y"] + shown["height"] * 0.75, steps=8)
    page.mouse.up()
    box = [int(v) for v in page.input_value("input[name=keep]").split(",")]
    expected = [160, 120, 320, 240]
    assert all(abs(got - want) <= 3 for got, want in zip(box, expected)), box
    assert page.locator("[data-box-overlay]").is_visible()

    # The keyboard's way: typing moves the drawn box; Clear empties both.
    page.fill("input[name=keep]", "0,0,320,240")
    overlay = page.locator("[data-box-overlay]").bounding_box()
    assert abs(overlay["width"] - shown["width"] / 2) <= 3 and abs(overlay["x"] - shown["x"]) <= 2
    page.click("[data-box-control] [data-box-clear]")
    assert page.input_value("input[name=keep]") == "" and not page.locator("[data-box-overlay]").is_visible()
    page.fill("input[name=keep]", ",".join(map(str, box)))

    # Swatches: a named colour by its label; the picker selects "custom" by itself.
    page.click("fieldset:has(input[name=color]) label.swatch:has-text('Blue')")
    assert page.is_checked("input[name=color][value=blue]")
    page.eval_on_selector("input[name=color2_custom]",
                          "e => { e.value = '#123456'; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    assert page.is_checked("input[name=color2][value=custom]")
    chip = page.locator("input[name=color][value=red] + .swatch-chip")
    assert chip.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 0, 0)"

    job = submit(page, app)
    assert job.tool == "background"
    assert job.params["keep"] == ",".join(map(str, box))
    assert job.params["color"] == "blue" and job.params["color2"] == "#123456"
    page.locator("#compare-section:visible, #job-error:visible").first.wait_for(timeout=120_000)
    page.goto(f"{base}/drawer/history/{job.id}")
    facts = page.inner_text("#job-facts")
    assert "Keep this area" in facts and ",".join(map(str, box)) in facts


def test_paint_a_hint_on_the_colorize_page(page, live_server, user, tmp_path):
    base, app = live_server
    photo = tmp_path / "old.jpg"
    write_photo(photo, colour=False)
    log_in(page, base, user)
    choose_photo(page, base, "colorize", photo)
    canvas = page.locator("[data-hints-canvas]")
    canvas.scroll_into_view_if_needed()
    shown = canvas.bounding_box()
    page.eval_on_selector("[data-brush-colour]",
                          "e => { e.value = '#ff0000'; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    middle_y = shown["y"] + shown["height"] * 0.5
    page.mouse.move(shown["x"] + shown["width"] * 0.2, middle_y)
    page.mouse.down()
    page.mouse.move(shown["x"] + shown["width"] * 0.6, middle_y, steps=10)
    page.mouse.up()

    job = submit(page, app)
    assert sorted(job.inputs) == ["hints"]
    data_dir = app.extensions["restora.settings"].data_dir
    with Image.open(data_dir / job.inputs["hints"]) as stored:
        assert stored.mode == "RGBA" and stored.size == PHOTO
        pixels = np.asarray(stored)
    row = PHOTO[1] // 2
    assert pixels[row, int(PHOTO[0] * 0.4)].tolist() == [255, 0, 0, 255]  # on the stroke
    assert pixels[row, int(PHOTO[0] * 0.8), 3] == 0 and pixels[row // 4, int(PHOTO[0] * 0.4), 3] == 0  # off it
    painted = pixels[..., 3] > 0
    assert set(np.unique(pixels[..., 3])) == {0, 255}  # no half-transparent edge pixels
    assert (pixels[painted][:, :3] == (255, 0, 0)).all()
    page.locator("#compare-section:visible, #job-error:visible").first.wait_for(timeout=180_000)
    assert page.locator("#compare-section").is_visible(), page.inner_text("#job-error")
    page.goto(f"{base}/drawer/history/{job.id}")
    assert page.locator("#job-inputs .job-input-hints").is_visible()


def test_a_phone_photo_turned_by_exif_is_drawn_on_upright(page, live_server, user, tmp_path):
    """The page shows the photo turned by its EXIF orientation, as the server stores it: painted hints have
    the upright size (not refused as another size) and a box is in the upright photo's pixels."""
    base, app = live_server
    photo = tmp_path / "phone.jpg"
    write_photo(photo, colour=False)
    with Image.open(photo) as stored:  # stored 640×480, to be shown turned a quarter: 480×640
        exif = stored.getexif()
        exif[0x0112] = 6
        stored.save(photo, exif=exif.tobytes(), quality=92)
    log_in(page, base, user)
    page.goto(f"{base}/drawer/colorize")
    page.set_input_files("#photo", str(photo))
    page.wait_for_selector("#tool-form[data-photo-ready='480x640']")
    canvas = page.locator("[data-hints-canvas]")
    canvas.scroll_into_view_if_needed()
    shown = canvas.bounding_box()
    assert shown["height"] > shown["width"]  # upright
    page.mouse.move(shown["x"] + shown["width"] * 0.5, shown["y"] + shown["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(shown["x"] + shown["width"] * 0.5, shown["y"] + shown["height"] * 0.4, steps=5)
    page.mouse.up()
    job = submit(page, app)
    data_dir = app.extensions["restora.settings"].data_dir
    with Image.open(data_dir / job.inputs["hints"]) as hints, Image.open(data_dir / job.input_path) as upright:
        assert hints.size == upright.size == (480, 640)
        assert np.asarray(hints)[int(640 * 0.3), 240, 3] == 255  # painted where it was drawn, upright
    page.locator("#compare-section:visible, #job-error:visible").first.wait_for(timeout=180_000)
