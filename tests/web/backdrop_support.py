"""A test-only tool with every kind the site draws (colour, picture, box, hints, a long choice list, weights,
an advanced number), installed in the registry for the web tests of generic forms and job inputs."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from PIL import Image

from restora.tools import TOOLS
from restora.tools.base import BaseTool, InvalidParams, Param, colour_to_rgb
from restora.web.executor import stop_executor
from tests.web.tools_support import picture_bytes


@dataclass
class Backdrop(BaseTool):
    """Paints the right half with a colour or the picture (resized), the box black, then the hints over it."""

    name: str = "backdrop"
    title: str = "Backdrop"
    description: str = "Test-only: a colour or a picture on the right half."
    params: tuple[Param, ...] = field(
        default=(
            Param("color", "colour", default="white"),
            # Not "image": that is the name of run()'s first argument (see restora.tools.base).
            Param("background", "image", default=None, label="Backdrop picture"),
            Param("area", "box", default=None),
            Param("marks", "hints", default=None),
            Param("size", "choice", default="a", choices=tuple("abcdefg"),
                  choice_labels=tuple(f"Size {c.upper()}, {i} mm" for i, c in enumerate("abcdefg"))),
            Param("weights", "weights", default=""),
            Param("tile", "int", default=512, minimum=64, maximum=4096, advanced=True),
        )
    )

    def check(self, values: dict) -> None:
        if values["weights"]:
            raise InvalidParams("weights cannot be chosen here")

    def run(self, image, *, color="white", background=None, area=None, marks=None, size="a", weights="", tile=512,
            progress=None, settings=None):
        result = image.convert("RGB").copy()
        half = (result.width // 2, 0, result.width, result.height)
        if background is not None:
            result.paste(background.convert("RGB").resize((half[2] - half[0], result.height)), half[:2])
        else:
            result.paste(Image.new("RGB", (half[2] - half[0], result.height), colour_to_rgb(color)), half[:2])
        if area is not None:
            x, y, w, h = area
            result.paste(Image.new("RGB", (w, h), (0, 0, 0)), (x, y))
        if marks is not None:
            result.paste(marks.convert("RGB"), (0, 0), marks.convert("RGBA").getchannel("A"))
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


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def post_files(client, auth, files: dict, **fields):
    """Post the backdrop form with extra file parts {name: (bytes, filename)}."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    data = {"csrf_token": auth.csrf("/alice/backdrop"), "photo": FileStorage(io.BytesIO(picture_bytes()), "photo.jpg"),
            **fields}
    data.update({name: FileStorage(io.BytesIO(body), filename) for name, (body, filename) in files.items()})
    boundary, body = encode_multipart(data)
    return client.post("/alice/backdrop", data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers={"Accept": "application/json"})
