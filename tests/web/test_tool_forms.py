"""A tool that lands later gets a working page with no web code: here a test-only "backdrop" tool with the
same kinds of parameters as the background tool (a colour and a second picture) runs through the site."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pytest
from PIL import Image

from restora.tools import TOOLS
from restora.tools.base import BaseTool, InvalidParams, Param, colour_to_rgb
from restora.web.executor import stop_executor
from tests.web.tools_support import get_file, picture_bytes, post_upload, wait_for_job


@dataclass
class Backdrop(BaseTool):
    """Paints the right half with a colour, or with the second picture (resized)."""

    name: str = "backdrop"
    title: str = "Backdrop"
    description: str = "Test-only: a colour or a picture on the right half."
    params: tuple[Param, ...] = field(
        default=(
            Param("color", "colour", default="white"),
            # Not "image": that is the name of run()'s first argument (see restora.tools.base).
            Param("background", "image", default=None),
            Param("weights", "weights", default=""),
            Param("tile", "int", default=512, minimum=64, maximum=4096, advanced=True),
        )
    )

    def check(self, values: dict) -> None:
        if values["weights"]:
            raise InvalidParams("weights cannot be chosen here")

    def run(self, image, *, color="white", background=None, weights="", tile=512, progress=None, settings=None):
        picture = background
        result = image.convert("RGB").copy()
        half = (result.width // 2, 0, result.width, result.height)
        if picture is not None:
            result.paste(picture.convert("RGB").resize((half[2] - half[0], result.height)), half[:2])
        else:
            result.paste(Image.new("RGB", (half[2] - half[0], result.height), colour_to_rgb(color)), half[:2])
        return result


@pytest.fixture(autouse=True)
def backdrop_tool(monkeypatch, app):
    monkeypatch.setitem(TOOLS, "backdrop", Backdrop())
    yield
    stop_executor(app)


@pytest.fixture
def alice(auth):
    auth.create_user("alice")
    auth.login("alice")
    return auth


def right_half_colour(client, job) -> tuple[int, int, int]:
    result = get_file(client, job["result_url"])
    pixels = np.asarray(Image.open(io.BytesIO(result.data)).convert("RGB"))
    return tuple(int(v) for v in pixels[pixels.shape[0] // 2, -2])


def test_the_page_offers_named_colours_custom_and_picture(client, alice):
    page = client.get("/alice/backdrop").get_data(as_text=True)
    for value in ("white", "red", "blue", "green", "custom", "picture"):
        assert f'<option value="{value}"' in page
    assert 'type="color"' in page and 'name="color_custom"' in page
    assert 'id="second-photo" name="background" type="file"' in page
    assert 'name="weights"' not in page  # never from a form
    assert '<details class="advanced">' in page and 'name="tile"' in page


def test_a_named_and_a_custom_colour(client, alice):
    red = post_upload(client, alice, tool="backdrop", photo=picture_bytes(), color="red")
    assert right_half_colour(client, wait_for_job(client, red.get_json()["status_url"])) == (255, 0, 0)
    custom = post_upload(client, alice, tool="backdrop", photo=picture_bytes(), color="custom", color_custom="#336699")
    assert right_half_colour(client, wait_for_job(client, custom.get_json()["status_url"])) == (0x33, 0x66, 0x99)


def test_picture_requires_the_second_file_and_then_uses_it(client, alice, tmp_path):
    missing = post_upload(client, alice, tool="backdrop", photo=picture_bytes(), color="picture")
    assert missing.status_code == 400 and "second picture" in missing.get_json()["error"]
    assert not list((tmp_path / "instance").glob("uploads/*/*"))

    green = Image.new("RGB", (10, 10), (0, 200, 0))
    buffer = io.BytesIO()
    green.save(buffer, format="PNG")
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart(
        {
            "csrf_token": alice.csrf("/alice/backdrop"),
            "color": "picture",
            "photo": FileStorage(io.BytesIO(picture_bytes()), "photo.jpg"),
            "background": FileStorage(io.BytesIO(buffer.getvalue()), "green.png"),
        }
    )
    response = client.post(
        "/alice/backdrop", data=body, content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done" and right_half_colour(client, job) == (0, 200, 0)
    second = get_file(client, f"/alice/jobs/{job['id']}/picture")
    assert second.status_code == 200 and second.headers["Content-Type"] == "image/png"
    assert np.asarray(Image.open(io.BytesIO(second.data)).convert("RGB"))[0, 0].tolist() == [0, 200, 0]
    assert len(list((tmp_path / "instance").glob("uploads/*/*.png"))) == 2


def test_a_weights_value_in_the_form_is_ignored(client, alice):
    response = post_upload(client, alice, tool="backdrop", photo=picture_bytes(), color="blue", weights="/etc/passwd")
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done"  # the tool refuses any weights value, so it was never passed on
