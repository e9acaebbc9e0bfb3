"""Helpers for the API tests: tokens straight into the database, multipart uploads, waiting for a job."""

from __future__ import annotations

import io
import time

from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from restora.accounts.models import User
from restora.accounts.tokens import create_token
from restora.web.database import database


def make_token(app: Flask, username: str, name: str = "tests") -> str:
    with database(app).sessions() as session:
        user = session.query(User).filter_by(username_key=username.lower()).one()
        _row, secret = create_token(session, user, name)
        session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def api_upload(client, secret: str | None, photo: bytes | None, tool: str = "adjust", headers: dict | None = None,
               **params):
    data = {"tool": tool, **params}
    if photo is not None:
        data["photo"] = FileStorage(io.BytesIO(photo), "photo.jpg")
    boundary, body = encode_multipart(data)
    return client.post("/api/v1/jobs", data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers={**(bearer(secret) if secret else {}), **(headers or {})})


def wait_done(client, secret: str, job_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=bearer(secret)).get_json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")
