"""Helpers for the tool, upload and history tests: pictures as bytes, posting uploads, waiting for jobs."""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

JSON = {"Accept": "application/json"}


def picture_bytes(fmt: str = "JPEG", size=(64, 48), seed: int = 3) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    pixels[:8, :8] = (255, 0, 0)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt)
    return buffer.getvalue()


def post_upload(client, auth, username="alice", tool="adjust", photo=None, filename="photo.jpg", json=True, **params):
    """POST the tool form the way the page does (multipart, CSRF token, optional JSON answer)."""
    data = {"csrf_token": auth.csrf(f"/{username}/{tool}"), **params}
    if photo is not None:
        data["photo"] = FileStorage(io.BytesIO(photo), filename)
    # Encoded here, in memory: the test client spools bodies over 500 KB to a temporary file it never
    # closes, which pytest (warnings are errors) would report as a leak of ours.
    boundary, body = encode_multipart(data)
    return client.post(
        f"/{username}/{tool}",
        data=body,
        headers=JSON if json else {},
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def wait_for_job(client, status_url: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(status_url, headers=JSON).get_json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job at {status_url} did not finish in {timeout} s")


def get_file(client, url: str):
    """GET a file response, read it, and close it (send_file keeps the file open until then)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response
