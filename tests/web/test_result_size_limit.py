"""A result that must fit a file size (the background tool's ID photo with a "File size limit", a real face:
scikit-image's astronaut) through a job: stored and served as the tool's JPEG within the limit, named .jpg,
on the site and over the API; its page says the file's format and size; another person gets 404."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from skimage import data

from restora.web.extensions import settings_of
from tests.web.api_support import bearer, make_token
from tests.web.test_tools import alice, executor_stopped_after_test  # noqa: F401  (fixtures: a user, the executor stopped)
from tests.web.tools_support import get_file, post_upload, wait_for_job

MAX_KB = 30
# u2netp: the small net keeps the job to a few seconds; the face is found whichever net cuts out.
ID_PHOTO = {"segmenter": "u2netp", "id_photo": "eu", "color": "white", "max_kb": str(MAX_KB)}


def astronaut_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


@pytest.fixture
def id_photo_job(client, alice) -> dict:
    response = post_upload(client, alice, tool="background", photo=astronaut_jpeg(), **ID_PHOTO)
    assert response.status_code == 202, response.get_data(as_text=True)
    job = wait_for_job(client, response.get_json()["status_url"], timeout=120)
    assert job["status"] == "done", job
    return job


def _id_photo_jpeg(response, attachment: bool) -> Image.Image:
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"
    assert len(response.data) <= MAX_KB * 1024  # the limit asked, in KB of 1,024 bytes
    disposition = "attachment" if attachment else "inline"
    assert re.match(rf'{disposition}; filename="?restora-background-[0-9a-f]{{8}}-result\.jpg',
                    response.headers["Content-Disposition"])
    picture = Image.open(io.BytesIO(response.data))
    assert picture.format == "JPEG" and picture.size == (413, 531)  # 35×45 mm at 300 dpi
    assert tuple(round(v) for v in picture.info["dpi"]) == (300, 300)
    return picture


def test_the_owner_gets_the_id_photo_as_a_jpeg_within_the_limit_on_the_site(client, id_photo_job):
    shown = get_file(client, id_photo_job["result_url"])
    _id_photo_jpeg(shown, attachment=False)
    downloaded = get_file(client, id_photo_job["download_url"])
    _id_photo_jpeg(downloaded, attachment=True)
    assert downloaded.data == shown.data
    size_kb = len(shown.data) / 1024
    assert id_photo_job["result_file"] == f"JPEG, {size_kb:.1f} KB"
    page = client.get(id_photo_job["page_url"]).get_data(as_text=True)
    assert f'<span class="result-file" id="result-file">(JPEG, {size_kb:.1f} KB)</span>' in page
    thumbnail = get_file(client, id_photo_job["result_url"].replace("/result", "/thumbnail"))
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"


def test_the_api_serves_the_same_jpeg_and_deleting_the_job_removes_it(client, app, id_photo_job):
    token = make_token(app, "alice")
    document = client.get(f"/api/v1/jobs/{id_photo_job['id']}", headers=bearer(token)).get_json()
    response = client.get(document["links"]["result"], headers=bearer(token))
    response.get_data()
    response.close()
    _id_photo_jpeg(response, attachment=True)
    assert response.data == get_file(client, id_photo_job["result_url"]).data
    results = settings_of(app).data_dir / "results"
    assert [p.suffix for p in results.rglob("*-a1.*") if p.name.count(".") == 1] == [".jpg"]
    assert client.delete(f"/api/v1/jobs/{id_photo_job['id']}", headers=bearer(token)).status_code == 204
    assert list(results.rglob("*.*")) == []


def test_another_person_gets_404_for_the_result(client, auth, id_photo_job):
    auth.logout()
    auth.create_user("bob")
    auth.login("bob")
    assert get_file(client, id_photo_job["result_url"]).status_code == 404
    assert get_file(client, id_photo_job["download_url"].replace("/alice/", "/bob/")).status_code == 404
    token = make_token(client.application, "bob")
    response = client.get(f"/api/v1/jobs/{id_photo_job['id']}/result", headers=bearer(token))
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/problem+json"


def test_a_result_without_a_limit_is_still_a_png(client, alice):
    response = post_upload(client, alice, photo=astronaut_jpeg(), rotate="left")
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done" and re.fullmatch(r"PNG, \d+\.\d KB", job["result_file"])
    shown = get_file(client, job["download_url"])
    assert shown.headers["Content-Type"] == "image/png"
    disposition = shown.headers["Content-Disposition"]
    assert re.match(r"attachment; filename=restora-adjust-[0-9a-f]{8}-result\.png", disposition)
