"""``GET /api/v1/jobs/<id>/events``: a job's live progress as Server-Sent Events.

Events: ``status`` (the state changed; also the first event), ``progress`` (the fraction moved), then
``done`` or ``failed`` (the stream ends), or ``gone`` (the job was deleted). Each carries the job's
document as JSON. A comment line every ``HEARTBEAT_SECONDS`` keeps proxies from closing a quiet stream.

Each open stream holds one server thread (gunicorn's gthread worker), so a process keeps at most
``Settings.max_event_streams`` open and ends each after ``Settings.event_stream_seconds`` (the browser's
EventSource reconnects by itself, after the ``retry`` we send). Past the cap the answer is 503 with
Retry-After, and the site's page polls instead. The stream reads the job from the database every
``POLL_SECONDS`` on its own short sessions: the workers write progress there, once a second.
"""

from __future__ import annotations

import json
import threading
import time

from flask import Blueprint, Flask, Response, current_app, stream_with_context
from flask_login import current_user

from restora.jobs.models import DONE, FAILED, Job
from restora.web.access import api_user, owned_or_404
from restora.web.api.core import api_limit
from restora.web.api.jobs import job_document
from restora.web.api.problems import ApiError
from restora.web.database import db_session, session_factory
from restora.web.extensions import settings_of
from restora.web.job_views import status_text

bp = Blueprint("events", __name__)

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
RECONNECT_MS = 2000
_SLOTS_KEY = "restora.event_slots"
_slots_lock = threading.Lock()


def _slots(app: Flask) -> threading.BoundedSemaphore:
    with _slots_lock:
        slots = app.extensions.get(_SLOTS_KEY)
        if slots is None:
            slots = app.extensions[_SLOTS_KEY] = threading.BoundedSemaphore(settings_of(app).max_event_streams)
        return slots


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


@bp.route("/jobs/<job_id>/events")
@api_user
@api_limit
def job_events(job_id: str):
    job = owned_or_404(db_session(), Job, job_id)
    app = current_app._get_current_object()
    slots = _slots(app)
    if not slots.acquire(blocking=False):
        raise ApiError(503, "too_many_streams", "Too many live streams are open; poll GET /api/v1/jobs/<id>.",
                       {"Retry-After": "5"})
    db_session().close()  # the request's session is not held open for the stream's lifetime
    sessions = session_factory(app)
    user_id, lifetime = current_user.id, settings_of(app).event_stream_seconds
    released = threading.Event()

    def release() -> None:
        # Once, whether the stream ran to its end or the client left before it started.
        with _slots_lock:
            if not released.is_set():
                released.set()
                slots.release()

    def stream():
        try:
            yield f"retry: {RECONNECT_MS}\n\n"
            deadline = time.monotonic() + lifetime
            last_beat = time.monotonic()
            last_status, last_progress = None, None
            while True:
                with sessions() as session:
                    current = session.get(Job, job.id)
                    if current is None or current.user_id != user_id:
                        yield sse("gone", {"id": job.id})
                        return
                    document = job_document(current)
                document["status_text"] = status_text(current.status)  # for the site's page, in its language
                if current.status != last_status:
                    yield sse("status", document)
                elif document["progress"] != last_progress:
                    yield sse("progress", document)
                last_status, last_progress = current.status, document["progress"]
                if current.status in (DONE, FAILED):
                    yield sse("done" if current.status == DONE else "failed", document)
                    return
                now = time.monotonic()
                if now >= deadline:
                    return  # bounded: EventSource reconnects after RECONNECT_MS
                if now - last_beat >= HEARTBEAT_SECONDS:
                    yield ": keep-alive\n\n"
                    last_beat = now
                time.sleep(POLL_SECONDS)
        finally:
            release()

    response = Response(stream_with_context(stream()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass events on at once
    response.call_on_close(release)
    return response
