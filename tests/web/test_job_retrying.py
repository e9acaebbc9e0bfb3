"""A job waiting for, or running, another attempt says so on its page and over the API."""

from __future__ import annotations

from sqlalchemy import update

from restora.jobs.models import Job
from restora.web.database import database
from restora.web.executor import stop_executor
from tests.web.api_support import bearer, make_token


def test_a_requeued_job_shows_retrying_with_its_next_attempt(app, auth):
    user = auth.create_user("alice")
    stop_executor(app)
    from restora.jobs.queue import submit_job

    with database(app).sessions() as session:
        job = submit_job(session, user_id=user.id, tool="adjust", params={"rotate": "left"}, input_path="uploads/x.png")
        session.execute(update(Job).where(Job.id == job.id).values(status="queued", attempt=1))
        session.commit()
        job_id = job.id
    app.extensions["restora.executor"] = type("Idle", (), {"submit": lambda self, _id: None,
                                                           "stop": lambda self, timeout=None: None})()
    auth.login("alice")
    page = auth.client.get(f"/alice/history/{job_id}").get_data(as_text=True)
    assert "retrying (attempt 2)" in page
    document = app.test_client().get(f"/api/v1/jobs/{job_id}", headers=bearer(make_token(app, "alice"))).get_json()
    assert document["retrying"] is True and document["attempt"] == 1
    with database(app).sessions() as session:
        session.execute(update(Job).where(Job.id == job_id).values(status="running", attempt=2))
        session.commit()
    assert "retrying (attempt 2)" in auth.client.get(f"/alice/history/{job_id}").get_data(as_text=True)
