"""A job's pictures besides the photo (``image`` and ``hints`` parameters) and the drawn kinds (box, hints),
server side: form parsing per kind, what is refused before anything is stored, the job's stored inputs,
the API's multipart parts, the migration from the single second picture, and deletion."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import inspect, select, text
from werkzeug.datastructures import FileStorage, MultiDict

from restora.jobs.models import Job
from restora.migrations import downgrade_database, upgrade_database
from restora.web.database import database
from restora.web.forms_from_params import raw_params_from
from tests.web.api_support import api_upload, make_token, wait_done
from tests.web.backdrop_support import Backdrop, alice, backdrop_tool, png_bytes, post_files  # noqa: F401 (fixtures)
from tests.web.tools_support import get_file, picture_bytes, wait_for_job

PHOTO_SIZE = (64, 48)  # picture_bytes()


def hints_png(size=PHOTO_SIZE, colour=(200, 30, 30), square=(40, 10, 50, 20)) -> bytes:
    """Transparent except one painted square."""
    pixels = np.zeros((size[1], size[0], 4), np.uint8)
    x0, y0, x1, y1 = square
    pixels[y0:y1, x0:x1] = (*colour, 255)
    return png_bytes(Image.fromarray(pixels, "RGBA"))


def result_pixels(client, job) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(get_file(client, job["result_url"]).data)).convert("RGB"))


def stored_uploads(tmp_path) -> list:
    return sorted((tmp_path / "instance").glob("uploads/*/*"))


def test_form_parsing_per_kind():
    form = MultiDict({"color": "custom", "color_custom": "#123456", "area": " 10, 20 ,30,40 ", "marks": "x",
                      "background": "y", "weights": "/etc/passwd", "tile": "256"})
    values = raw_params_from(Backdrop(), form).values
    # file kinds come from files, never from text fields; weights never from a form; a missing choice is ""
    assert values == {"color": "#123456", "area": "10,20,30,40", "size": "", "tile": "256"}
    assert raw_params_from(Backdrop(), MultiDict({"color": "red"})).values["color"] == "red"
    validated = Backdrop().validate({**values, "size": "c"})
    assert validated["area"] == (10, 20, 30, 40) and validated["color"] == "#123456"


def test_a_dragged_box_reaches_the_tool_in_photo_pixels(client, alice):
    response = post_files(client, alice, {}, area="10, 5, 20, 10")
    assert response.status_code == 202, response.get_data(as_text=True)
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done"
    pixels = result_pixels(client, job)
    assert pixels[5:15, 10:30].max() == 0 and pixels[20, 5].max() > 0  # black inside the box only
    page = client.get(f"/alice/history/{job['id']}").get_data(as_text=True)
    assert "<dd>10,5,20,10</dd>" in page  # the job's parameters show the box as sent


@pytest.mark.parametrize("box, message", [
    ("1,2,3", "must be four numbers X,Y,W,H"),
    ("a,b,c,d", "must be four numbers X,Y,W,H"),
    ("-5,0,10,10", "X, Y >= 0 and a positive width and height"),
    ("0,0,0,10", "X, Y >= 0 and a positive width and height"),
])
def test_a_bad_box_is_refused_like_on_the_command_line(client, alice, tmp_path, box, message):
    response = post_files(client, alice, {}, area=box)
    assert response.status_code == 422 and message in response.get_json()["error"]
    assert stored_uploads(tmp_path) == []


def test_painted_hints_are_stored_as_given_and_used(client, alice, tmp_path):
    response = post_files(client, alice, {"marks": (hints_png(), "hints.png")})
    assert response.status_code == 202, response.get_data(as_text=True)
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done"
    pixels = result_pixels(client, job)
    assert pixels[10:20, 40:50].reshape(-1, 3).tolist() == [[200, 30, 30]] * 100
    stored = Image.open(io.BytesIO(get_file(client, f"/alice/jobs/{job['id']}/inputs/marks").data))
    assert stored.mode == "RGBA" and stored.size == PHOTO_SIZE
    alpha = np.asarray(stored)[..., 3]
    assert alpha[10:20, 40:50].min() == 255 and alpha.sum() == 255 * 100
    page = client.get(f"/alice/history/{job['id']}").get_data(as_text=True)
    assert 'class="job-input job-input-hints"' in page and "hints-over-photo" in page


def test_hints_of_another_size_are_refused_before_anything_is_stored(client, alice, tmp_path):
    response = post_files(client, alice, {"marks": (hints_png(size=(32, 24), square=(1, 1, 5, 5)), "hints.png")})
    assert response.status_code == 422
    assert "must be the size of the photo (64×48 px), not 32×24 px" in response.get_json()["error"]
    assert stored_uploads(tmp_path) == []


def test_deleting_a_job_removes_every_picture(client, alice, tmp_path):
    files = {"marks": (hints_png(), "h.png"), "background": (png_bytes(Image.new("RGB", (8, 8), (1, 2, 3))), "b.png")}
    response = post_files(client, alice, files)
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done" and len(stored_uploads(tmp_path)) == 3
    deleted = client.post(f"/alice/jobs/{job['id']}/delete", data={"csrf_token": alice.csrf("/alice/history")},
                          headers={"Accept": "application/json"})
    assert deleted.status_code == 200
    assert stored_uploads(tmp_path) == [] and not list((tmp_path / "instance").glob("results/*/*"))


def test_the_api_takes_hints_and_a_reference_as_file_parts(app, auth, client):
    auth.create_user("alice")
    secret = make_token(app, "alice")
    grey = png_bytes(Image.new("RGB", PHOTO_SIZE, (128, 128, 128)))
    reference = png_bytes(Image.new("RGB", (20, 20), (40, 90, 200)))
    submitted = api_upload(client, secret, grey, tool="colorize",
                           hints=FileStorage(io.BytesIO(hints_png(colour=(220, 20, 20))), "hints.png"),
                           reference=FileStorage(io.BytesIO(reference), "ref.png"))
    assert submitted.status_code == 201, submitted.get_data(as_text=True)
    document = submitted.get_json()
    assert document["inputs"] == ["hints", "reference"]
    with database(app).sessions() as session:
        inputs = session.get(Job, document["id"]).inputs
    assert sorted(inputs) == ["hints", "reference"]
    done = wait_done(client, secret, document["id"], timeout=180)
    assert done["status"] == "done", done
    result = client.get(done["links"]["result"], headers={"Authorization": f"Bearer {secret}"})
    pixels = np.asarray(Image.open(io.BytesIO(result.get_data())).convert("RGB")).astype(int)
    result.close()
    painted = pixels[10:20, 40:50].reshape(-1, 3).mean(axis=0)
    assert painted[0] > painted[1] + 40 and painted[0] > painted[2] + 40  # red where the hint was painted

    wrong = api_upload(client, secret, grey, tool="colorize",
                       hints=FileStorage(io.BytesIO(hints_png(size=(10, 10), square=(0, 0, 2, 2))), "h.png"))
    assert wrong.status_code == 422 and wrong.get_json()["code"] == "invalid_parameters"


def test_the_api_lists_and_documents_picture_kinds_as_file_parts(client):
    tools = {tool["name"]: tool for tool in client.get("/api/v1/tools").get_json()["tools"]}
    parts = {param["name"]: param["part"] for param in tools["backdrop"]["params"]}
    assert parts == {"color": "field", "background": "file", "area": "field", "marks": "file", "size": "field",
                     "tile": "field"}
    document = client.get("/api/v1/openapi.json").get_json()
    multipart = document["paths"]["/api/v1/jobs"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert multipart["schema"]["properties"]["marks"]["format"] == "binary"
    own = document["components"]["schemas"]["Params_backdrop"]["properties"]
    assert own["background"]["format"] == own["marks"]["format"] == "binary" and "format" not in own["area"]
    assert multipart["encoding"]["marks"]["contentType"] == "image/png"
    assert "RGBA PNG the size of the photo" in multipart["schema"]["properties"]["marks"]["description"]


def _job_row(job_id: str, user_id: int, tool: str, **paths) -> dict:
    return {"id": job_id, "user_id": user_id, "tool": tool, "params_json": "{}", "status": "done", "progress": 1.0,
            "attempt": 1, "max_attempts": 3, "input_path": f"uploads/{user_id}/{job_id}.png",
            "created_at": "2026-01-01 00:00:00", **paths}


def test_the_migration_moves_the_second_picture_and_back(app, auth):
    engine = database(app).engine
    user = auth.create_user("alice")
    downgrade_database(engine, "0004_user_sessions")
    old = ("id, user_id, tool, params_json, status, progress, attempt, max_attempts, input_path, created_at, "
           "second_input_path")
    with engine.begin() as connection:
        for row in (_job_row("job-a", user.id, "background", second_input_path="uploads/1/a.png"),
                    _job_row("job-b", user.id, "gone-tool", second_input_path="uploads/1/b.png"),
                    _job_row("job-c", user.id, "background", second_input_path=None)):
            connection.execute(text(f"INSERT INTO jobs ({old}) VALUES ({', '.join(':' + c.strip() for c in old.split(','))})"),
                               row)
    upgrade_database(engine)
    with engine.connect() as connection:
        moved = dict(connection.execute(text("SELECT id, inputs_json FROM jobs ORDER BY id")).all())
    assert json.loads(moved["job-a"]) == {"picture": "uploads/1/a.png"}  # the background tool's image parameter
    assert json.loads(moved["job-b"]) == {"image": "uploads/1/b.png"}  # tool not installed: kept, still deletable
    assert moved["job-c"] is None
    with database(app).sessions() as session:
        assert session.get(Job, "job-a").inputs == {"picture": "uploads/1/a.png"}
        assert session.get(Job, "job-c").inputs == {}
        session.execute(text("UPDATE jobs SET tool='colorize', inputs_json=:j WHERE id='job-c'"),
                        {"j": json.dumps({"hints": "uploads/1/h.png", "reference": "uploads/1/r.png"})})
        session.commit()

    downgrade_database(engine, "0004_user_sessions")
    with engine.connect() as connection:
        back = dict(connection.execute(text("SELECT id, second_input_path FROM jobs")).all())
        assert "inputs_json" not in {c["name"] for c in inspect(connection).get_columns("jobs")}
    # One picture fits the old schema: an image parameter's (hints are forgotten by it).
    assert back == {"job-a": "uploads/1/a.png", "job-b": "uploads/1/b.png", "job-c": "uploads/1/r.png"}
    upgrade_database(engine)
    with database(app).sessions() as session:
        assert session.scalars(select(Job.id).order_by(Job.id)).all() == ["job-a", "job-b", "job-c"]
    engine.dispose()
