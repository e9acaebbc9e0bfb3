"""A job's views (a tool's side pictures, such as the background tool's mask) on the site and over the API:
listed with the job, shown on its page, served to the owner only, deleted with the job; the column's migration."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import inspect, text

from restora.jobs.models import Job
from restora.migrations import downgrade_database, upgrade_database
from restora.web.database import database
from tests.web.api_support import bearer, make_token
from tests.web.test_tools import alice, executor_stopped_after_test  # noqa: F401  (fixtures: a user, the executor stopped)
from tests.web.tools_support import JSON, get_file, picture_bytes, post_upload, wait_for_job

# u2netp, not auto: a random picture has no face, and the small net keeps the job about a second.
BACKGROUND = {"segmenter": "u2netp", "color": "blue"}


@pytest.fixture
def background_job(client, alice) -> dict:
    response = post_upload(client, alice, tool="background", photo=picture_bytes(size=(96, 72)), **BACKGROUND)
    assert response.status_code == 202, response.get_data(as_text=True)
    job = wait_for_job(client, response.get_json()["status_url"], timeout=120)
    assert job["status"] == "done", job
    return job


def _picture(response) -> Image.Image:
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.data))


def get_file_with(client, url: str, token: str):
    """An API file response, read and closed (send_file keeps the file open until then)."""
    response = client.get(url, headers=bearer(token))
    response.get_data()
    response.close()
    return response


def test_the_job_lists_its_mask_and_its_page_shows_it_beside_the_result(client, background_job):
    (view,) = background_job["views"]
    assert view["name"] == "mask" and view["label"] == "Mask"
    assert view["url"] == f"/alice/jobs/{background_job['id']}/views/mask"
    page = client.get(background_job["page_url"]).get_data(as_text=True)
    section = page[page.index('id="compare-section"'):page.index("</section>", page.index('id="compare-section"'))]
    assert f'<img src="{view["url"]}" alt="Mask">' in section  # beside the slider, in the same section
    assert f'href="{view["download_url"]}" download' in section

    mask = _picture(get_file(client, view["url"]))
    result = _picture(get_file(client, background_job["result_url"]))
    assert mask.size == result.size and mask.mode == "RGB"
    pixels = np.asarray(mask)
    assert (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all()  # grey levels
    download = get_file(client, view["download_url"])
    assert re.match(r"attachment; filename=restora-background-[0-9a-f]{8}-mask\.png", download.headers["Content-Disposition"])


def test_a_view_is_the_owners_only_and_unknown_names_are_404(client, auth, background_job):
    url = background_job["views"][0]["url"]
    assert get_file(client, url.replace("/views/mask", "/views/nothing")).status_code == 404
    auth.logout()
    auth.create_user("bob")
    auth.login("bob")
    assert get_file(client, url).status_code == 404  # like a job that does not exist
    assert get_file(client, url.replace("/alice/", "/bob/")).status_code == 404


def test_a_job_without_views_lists_none(client, alice):
    response = post_upload(client, alice, photo=picture_bytes(), rotate="left")
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done" and job["views"] == []
    assert 'class="job-view"' not in client.get(job["page_url"]).get_data(as_text=True)


def test_deleting_the_job_removes_its_views(client, alice, app, background_job):
    data_dir = app.extensions["restora.settings"].data_dir
    with database(app).sessions() as session:
        stored = session.get(Job, background_job["id"]).views["mask"]
    assert (data_dir / stored).is_file() and stored.endswith("-a1.mask.png")
    response = client.post(f"/alice/jobs/{background_job['id']}/delete", data={"csrf_token": alice.csrf("/")}, headers=JSON)
    assert response.status_code == 200
    assert not (data_dir / stored).exists()
    assert list((data_dir / "results").rglob(f"{background_job['id']}*")) == []


def test_the_api_lists_and_serves_views_to_the_owner_only(client, app, auth, background_job):
    token = make_token(app, "alice")
    document = client.get(f"/api/v1/jobs/{background_job['id']}", headers=bearer(token)).get_json()
    assert document["views"] == [{"name": "mask", "label": "Mask",
                                  "url": f"/api/v1/jobs/{background_job['id']}/views/mask"}]
    over_api = _picture(get_file_with(client, document["views"][0]["url"], token))
    on_site = _picture(get_file(client, background_job["views"][0]["url"]))
    assert over_api.tobytes() == on_site.tobytes()
    missing = client.get(f"/api/v1/jobs/{background_job['id']}/views/nothing", headers=bearer(token))
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    auth.create_user("bob")
    other = client.get(document["views"][0]["url"], headers=bearer(make_token(app, "bob")))
    assert other.status_code == 404 and other.get_json()["code"] == "not_found"


def test_the_views_column_migrates_down_and_up(app, background_job):
    engine = database(app).engine
    downgrade_database(engine, "0005_job_inputs")
    with engine.connect() as connection:
        assert "views_json" not in {c["name"] for c in inspect(connection).get_columns("jobs")}
        assert connection.execute(text("SELECT COUNT(*) FROM jobs")).scalar() == 1  # the job stays
    upgrade_database(engine)
    with database(app).sessions() as session:
        assert session.get(Job, background_job["id"]).views == {}  # the old schema forgot them
    engine.dispose()
