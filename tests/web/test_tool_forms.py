"""A tool that lands later gets a working page with no web code: here a test-only "backdrop" tool with every
kind the site draws (colour swatches, a picture, a box, painted hints, an advanced number) runs through it."""

from __future__ import annotations

import io
import re

import numpy as np
from PIL import Image

from tests.web.backdrop_support import alice, backdrop_tool, png_bytes, post_files  # noqa: F401 (fixtures)
from tests.web.tools_support import get_file, picture_bytes, post_upload, wait_for_job


def right_half_colour(client, job) -> tuple[int, int, int]:
    result = get_file(client, job["result_url"])
    pixels = np.asarray(Image.open(io.BytesIO(result.data)).convert("RGB"))
    return tuple(int(v) for v in pixels[pixels.shape[0] // 2, -2])


def test_the_page_draws_each_kind(client, alice):
    page = client.get("/alice/backdrop").get_data(as_text=True)
    # colour: radio swatches with their colours, and the picker behind "custom"
    for value, swatch in (("white", "#ffffff"), ("red", "#ff0000"), ("blue", "#0000ff"), ("green", "#008000")):
        assert re.search(rf'<input type="radio" name="color" value="{value}"[^>]*>\s*<span class="swatch-chip" '
                         rf'data-swatch="{swatch}"', page)
    assert re.search(r'<input type="radio" name="color" value="white" checked>', page)
    assert 'value="custom" data-custom-choice' in page and 'type="color"' in page and 'name="color_custom"' in page
    assert "<option" not in re.search(r'<fieldset class="field param-colour".*?</fieldset>', page, re.S).group(0)
    # image: a file input of its own, labelled by the parameter
    assert re.search(r'<label for="param-background">Backdrop picture', page)
    assert 'id="param-background" name="background" accept="image/jpeg,image/png,image/webp"' in page
    # box: the photo stage to drag on, and the text input for keyboards
    box = re.search(r'<div class="field param-box" data-box-control>.*?data-box-clear', page, re.S).group(0)
    assert "data-photo-stage" in box and 'name="area"' in box and 'placeholder="X,Y,W,H"' in box
    # hints: a canvas on the photo, brush colour and size, clear, and a file for hints made elsewhere
    hints = re.search(r'<fieldset class="field param-hints".*?</fieldset>', page, re.S).group(0)
    for part in ("data-hints-canvas", "data-brush-colour", "data-brush-size", "data-hints-clear",
                 'type="file" id="param-marks" name="marks" accept="image/png"'):
        assert part in hints
    # many choices: a list that shows them all, with their labels
    choices = re.search(r'<select id="param-size" name="size" size="7" class="choice-list".*?</select>', page, re.S)
    assert choices and "Size C, 2 mm" in choices.group(0)
    assert 'name="weights"' not in page  # never from a form
    assert '<details class="advanced">' in page and 'name="tile"' in page
    assert "js/drawn.js" in page


def test_a_named_and_a_custom_colour(client, alice):
    red = post_upload(client, alice, tool="backdrop", photo=picture_bytes(), color="red")
    assert right_half_colour(client, wait_for_job(client, red.get_json()["status_url"])) == (255, 0, 0)
    custom = post_upload(client, alice, tool="backdrop", photo=picture_bytes(), color="custom", color_custom="#336699")
    assert right_half_colour(client, wait_for_job(client, custom.get_json()["status_url"])) == (0x33, 0x66, 0x99)


def test_a_picture_parameter_is_its_own_file(client, alice, tmp_path):
    response = post_files(client, alice, {"background": (png_bytes(Image.new("RGB", (10, 10), (0, 200, 0))), "g.png")})
    assert response.status_code == 202, response.get_data(as_text=True)
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done" and right_half_colour(client, job) == (0, 200, 0)
    second = get_file(client, f"/alice/jobs/{job['id']}/inputs/background")
    assert second.status_code == 200 and second.headers["Content-Type"] == "image/png"
    assert second.headers["Content-Disposition"] == f'inline; filename="restora-backdrop-{job["id"][:8]}-background.png"'
    assert np.asarray(Image.open(io.BytesIO(second.data)).convert("RGB"))[0, 0].tolist() == [0, 200, 0]
    assert get_file(client, f"/alice/jobs/{job['id']}/inputs/marks").status_code == 404  # not given
    assert len(list((tmp_path / "instance").glob("uploads/*/*.png"))) == 2
    page = client.get(f"/alice/history/{job['id']}").get_data(as_text=True)
    assert f'/alice/jobs/{job["id"]}/inputs/background' in page and "Backdrop picture" in page


def test_a_picture_that_is_not_one_is_refused_by_its_name_and_nothing_is_kept(client, alice, tmp_path):
    response = post_files(client, alice, {"background": (b"%PDF-1.4 not a picture", "b.png")})
    assert response.status_code == 415 and response.get_json()["error"].startswith("Backdrop picture is not")
    assert not list((tmp_path / "instance").glob("uploads/*/*"))


def test_a_weights_value_in_the_form_is_ignored(client, alice):
    response = post_upload(client, alice, tool="backdrop", photo=picture_bytes(), color="blue", weights="/etc/passwd")
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done"  # the tool refuses any weights value, so it was never passed on
