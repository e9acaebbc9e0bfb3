"""U1 (sample): Pillow's own test images, valid and hostile, uploaded through the web form.

Every reply is 202 or a 4xx with a message, never a 5xx; rejected files leave nothing behind; the
site stays healthy. The nightly run can raise SAMPLE to the whole corpus.
"""

from __future__ import annotations

import random

import pytest

from restora.web.executor import executor_for, stop_executor
from tests.conftest import PILLOW_CORPUS
from tests.web.tools_support import post_upload

FILES = sorted(p for p in PILLOW_CORPUS.rglob("*") if p.is_file()) if PILLOW_CORPUS.is_dir() else []
SAMPLE = 100

pytestmark = pytest.mark.slow


@pytest.mark.corpus
def test_corpus_uploads_never_give_a_server_error(make_app, smtp, tmp_path):
    from tests.web.conftest import AuthActions

    app = make_app(max_waiting_jobs=len(FILES))  # the cap is not what this test is about
    client = app.test_client()
    auth = AuthActions(app, client, smtp)
    auth.create_user("alice")
    auth.login("alice")
    executor_for(app).stop()  # store and queue only; running the jobs is tested elsewhere
    accepted = 0
    try:
        for path in random.Random(20261125).sample(FILES, min(SAMPLE, len(FILES))):
            response = post_upload(client, auth, photo=path.read_bytes(), filename=path.name, rotate="left")
            assert response.status_code in (202, 400, 413, 415, 422), (path.name, response.status_code)
            if response.status_code == 202:
                accepted += 1
            else:
                assert response.get_json()["error"], path.name
        uploads = list((tmp_path / "instance").glob("uploads/*/*"))
        assert len(uploads) == accepted  # one re-encoded PNG per accepted file, none for the rejected
        assert all(p.suffix == ".png" for p in uploads)
        assert client.get("/").status_code == 200
    finally:
        stop_executor(app)
