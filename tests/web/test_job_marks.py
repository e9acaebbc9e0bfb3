"""Keep/remove marks (the ``strokes`` kind) through the site and the HTTP API: the form's brush markup, the
API's file part and its description, the stored marks, their use, and what is refused before anything is
stored."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from restora.jobs.models import Job
from restora.web.database import database
from restora.web.extensions import settings_of
from tests.background.marks_support import cup_and_cat_alpha, marks_picture, png_bytes, two_subjects
from tests.web.api_support import api_upload, bearer, make_token, wait_done


@pytest.fixture
def secret(app, auth) -> str:
    auth.create_user("alice")
    return make_token(app, "alice")


def marks_part(picture: Image.Image | bytes) -> FileStorage:
    data = picture if isinstance(picture, bytes) else png_bytes(picture)
    return FileStorage(io.BytesIO(data), "marks.png")


def stored_files(app) -> list:
    return sorted(settings_of(app).data_dir.glob("uploads/*/*"))


def test_the_api_describes_the_marks_as_a_png_file_part(client):
    tools = {tool["name"]: tool for tool in client.get("/api/v1/tools").get_json()["tools"]}
    strokes = next(p for p in tools["background"]["params"] if p["name"] == "strokes")
    assert strokes["kind"] == "strokes" and strokes["part"] == "file" and strokes["label"] == "Keep / remove marks"
    document = client.get("/api/v1/openapi.json").get_json()
    multipart = document["paths"]["/api/v1/jobs"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert multipart["encoding"]["strokes"]["contentType"] == "image/png"
    described = multipart["schema"]["properties"]["strokes"]
    assert described["format"] == "binary" and "green > red keep" in described["description"]


@pytest.mark.slow
def test_the_api_takes_marks_as_a_file_part_stores_and_uses_them(app, client, secret):
    submitted = api_upload(client, secret, png_bytes(two_subjects()), tool="background", segmenter="u2netp",
                           background="transparent", strokes=marks_part(marks_picture()))
    assert submitted.status_code == 201, submitted.get_data(as_text=True)
    document = submitted.get_json()
    assert document["inputs"] == ["strokes"]
    with database(app).sessions() as session:
        stored = session.get(Job, document["id"]).inputs["strokes"]
    with Image.open(settings_of(app).data_dir / stored) as picture:
        assert np.array_equal(np.asarray(picture.convert("RGBA")), np.asarray(marks_picture()))
    done = wait_done(client, secret, document["id"], timeout=180)
    assert done["status"] == "done", done
    result = client.get(done["links"]["result"], headers=bearer(secret))
    alpha = np.asarray(Image.open(io.BytesIO(result.get_data())).getchannel("A")) / 255
    result.close()
    cup, cat = cup_and_cat_alpha(alpha)
    assert cup < 0.02 and cat > 0.95


@pytest.mark.parametrize("marks, status, words", [
    (marks_picture((600, 400)), 422, "must be the size of the photo (1200×400 px), not 600×400 px"),
    (b"not a picture at all", 415, "is not a JPEG, PNG or WebP picture"),
])
def test_marks_of_another_size_or_not_a_picture_are_refused_before_anything_is_stored(app, client, secret,
                                                                                      marks, status, words):
    refused = api_upload(client, secret, png_bytes(two_subjects()), tool="background",
                         strokes=marks_part(marks))
    assert refused.status_code == status, refused.get_data(as_text=True)
    problem = refused.get_json()
    assert "Keep / remove marks" in problem["detail"] and words in problem["detail"]
    assert stored_files(app) == []


def test_the_background_page_has_a_keep_and_remove_brush(client, auth):
    auth.create_user("alice")
    auth.login("alice")
    page = client.get("/alice/background").get_data(as_text=True)
    start = page.index('class="field param-strokes"')
    control = page[start:page.index("</fieldset>", start)]
    assert 'data-hints-control data-name="strokes"' in control and "data-hints-canvas" in control
    assert 'data-mode="keep" checked' in control and 'data-mode="remove"' in control
    assert "Clear the marks" in control and 'type="file" id="param-strokes" name="strokes" accept="image/png"' in control
