"""Web jobs: the upload request (decode, checks, re-encoded store, job row) and upload-to-done latency.

Runs the real app in-process (Flask test client, SQLite, the thread executor) with the adjust tool, so
the numbers are the site's own overhead around a tool: what a person waits for besides the model.
"""

from __future__ import annotations

import io
import re
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import photo

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def _logged_in_client(app):
    from restora.accounts.models import User, utcnow
    from restora.accounts.passwords import hash_password
    from restora.web.database import database

    with database(app).sessions() as session:
        session.add(
            User(username="bench", username_key="bench", email="bench@example.org", password_hash=hash_password(PASSWORD),
                 active=True, email_verified=True, created_at=utcnow(), session_version=0, failed_logins=0)
        )
        session.commit()
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"login": "bench", "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def _upload(client, jpeg: bytes) -> tuple[float, float]:
    """(upload ms, upload-to-done ms) for one adjust job."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    token = CSRF.search(client.get("/bench/adjust").get_data(as_text=True)).group(1)
    boundary, body = encode_multipart(
        {"csrf_token": token, "rotate": "left", "brightness": "1.3", "photo": FileStorage(io.BytesIO(jpeg), "p.jpg")}
    )
    started = time.perf_counter()
    response = client.post(
        "/bench/adjust", data=body, content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Accept": "application/json"},
    )
    uploaded = time.perf_counter()
    assert response.status_code == 202, response.get_data(as_text=True)
    status_url = response.get_json()["status_url"]
    while client.get(status_url, headers={"Accept": "application/json"}).get_json()["status"] not in ("done", "failed"):
        time.sleep(0.02)
    return (uploaded - started) * 1000, (time.perf_counter() - started) * 1000


def run(repeats: int = 5) -> list[dict]:
    from restora.config import Settings
    from restora.migrations import migrate
    from restora.web import create_app
    from restora.web.executor import stop_executor

    entries = []
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder) / "instance", secret_key="bench", max_waiting_jobs=1000)
        settings.data_dir.mkdir(parents=True)
        migrate(settings)
        app = create_app(settings)
        client = _logged_in_client(app)
        try:
            for megapixels in (1, 12):
                buffer = io.BytesIO()
                photo(megapixels).save(buffer, "JPEG", quality=90)
                timings = [_upload(client, buffer.getvalue()) for _ in range(repeats)]
                entries.append(
                    {
                        "name": f"web_upload_adjust_{megapixels}mp",
                        "megapixels": megapixels,
                        "jpeg_bytes": len(buffer.getvalue()),
                        "median_ms": round(statistics.median(t[0] for t in timings), 1),
                        "upload_to_done_median_ms": round(statistics.median(t[1] for t in timings), 1),
                        "repeats": repeats,
                    }
                )
        finally:
            stop_executor(app)
    return entries
