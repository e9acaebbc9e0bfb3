"""Jobs over the API: submit (the site's own upload path), history, one job, its result and views, delete, limits.

Every view names only the caller's jobs: ``owned_or_404`` filters by the current user, so another
person's job id answers exactly like an id that does not exist (404 ``not_found``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import select

from restora.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job
from restora.tools import TOOLS
from restora.web.access import api_user, owned_or_404
from restora.web.api.core import api_limit
from restora.web.api.problems import ApiError
from restora.web.api.schema import api_params
from restora.web.database import db_session
from restora.web.executor import executor_for
from restora.web.extensions import settings_of
from restora.web.forms_from_params import CUSTOM
from restora.web.job_views import finished_views
from restora.web.submission import accept_upload, delete_job, usage_of
from restora.web.uploads import UploadRejected, send_stored, stored_path

bp = Blueprint("jobs", __name__)


def _iso(moment) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _retrying(job: Job) -> bool:
    """Waiting for, or running, another attempt after one that failed or whose worker was lost."""
    attempt = int(job.attempt or 0)
    return (job.status == QUEUED and attempt > 0) or (job.status == RUNNING and attempt > 1)


def job_document(job: Job) -> dict[str, Any]:
    """A job as the API shows it: English texts, API links (the site's pages have their own JSON)."""
    links = {
        "self": url_for("api.jobs.get_job", job_id=job.id),
        "events": url_for("api.events.job_events", job_id=job.id),
    }
    if job.status == DONE:
        links["result"] = url_for("api.jobs.job_result", job_id=job.id)
    return {
        "id": job.id,
        "tool": job.tool,
        "params": job.params,
        "inputs": sorted(job.inputs),
        "status": job.status,
        "progress": round(float(job.progress or 0.0), 3),
        "attempt": int(job.attempt or 0),
        # Shown while a job waits for another attempt too: the reason of the last one.
        "retrying": _retrying(job),
        "error": job.error if job.status == FAILED or (job.status == QUEUED and job.attempt) else None,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "views": [{"name": name, "label": label, "url": url_for("api.jobs.job_view", job_id=job.id, name=name)}
                  for name, label in finished_views(job)],
        "links": links,
    }



def _unknown_fields(tool) -> list[str]:
    """Form or file parts the tool does not take (a typo must not pass silently as a default)."""
    known = {"tool", "photo"}
    for param in api_params(tool):
        known.add(param.name)
        if param.kind == "colour":
            known.add(f"{param.name}_{CUSTOM}")
    return sorted((set(request.form) | set(request.files)) - known)


@bp.route("/jobs", methods=["POST"])
@api_user
@api_limit
def submit():
    name = request.form.get("tool", "")
    tool = TOOLS.get(name)
    if tool is None:
        raise ApiError(422, "unknown_tool", f"There is no tool named {name!r}; GET /api/v1/tools lists them.")
    unknown = _unknown_fields(tool)
    if unknown:
        raise ApiError(422, "unknown_parameter", f"{tool.name} takes no parameter named {', '.join(unknown)}.")
    try:
        job = accept_upload(tool, current_user.id, request.form, request.files)
    except UploadRejected as rejected:
        headers = {"Retry-After": "60"} if rejected.status in (429, 503) else {}
        raise ApiError(rejected.status, rejected.code, rejected.message, headers) from None
    executor_for(current_app._get_current_object()).submit(job.id)
    response = jsonify(job_document(job))
    response.status_code = 201
    response.headers["Location"] = url_for("api.jobs.get_job", job_id=job.id)
    return response


@bp.route("/jobs")
@api_user
@api_limit
def history():
    """The caller's jobs, newest first (at most the per-person quota, so the list is bounded)."""
    jobs = db_session().scalars(
        select(Job).where(Job.user_id == current_user.id).order_by(Job.created_at.desc(), Job.id)
        .limit(settings_of().max_jobs_per_user)
    ).all()
    return jsonify(jobs=[job_document(job) for job in jobs])


@bp.route("/jobs/<job_id>")
@api_user
@api_limit
def get_job(job_id: str):
    response = jsonify(job_document(owned_or_404(db_session(), Job, job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/jobs/<job_id>/result")
@api_user
@api_limit
def job_result(job_id: str):
    job = owned_or_404(db_session(), Job, job_id)
    if job.status != DONE:
        raise ApiError(409, "not_done", f"The job is {job.status}; its result exists once it is done.")
    # PNG, or a JPEG where the tool had to fit a file size: the name's suffix and the type say which.
    path = stored_path(settings_of().data_dir, job.result_path)
    return send_stored(path, f"restora-{job.tool}-{job.id[:8]}-result", True)


@bp.route("/jobs/<job_id>/views/<name>")
@api_user
@api_limit
def job_view(job_id: str, name: str):
    job = owned_or_404(db_session(), Job, job_id)
    if job.status != DONE:
        raise ApiError(409, "not_done", f"The job is {job.status}; its views exist once it is done.")
    path = job.views.get(name)
    if path is None:
        raise ApiError(404, "not_found", f"The job has no view named {name!r}; its `views` list those it has.")
    return send_stored(stored_path(settings_of().data_dir, path), f"restora-{job.tool}-{job.id[:8]}-{name}", True)


@bp.route("/jobs/<job_id>", methods=["DELETE"])
@api_user
@api_limit
def remove_job(job_id: str):
    sql = db_session()
    delete_job(sql, owned_or_404(sql, Job, job_id), settings_of().data_dir)
    return "", 204


@bp.route("/limits")
@api_user
@api_limit
def limits():
    """What the caller may send and keep, and what they use now."""
    settings = settings_of()
    used = usage_of(current_user.id)
    return jsonify(
        max_upload_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_pixels,
        max_side=settings.max_side,
        max_waiting_jobs=settings.max_waiting_jobs,
        max_queued_jobs=settings.max_queued_jobs,
        max_jobs_per_user=settings.max_jobs_per_user,
        max_bytes_per_user=settings.max_bytes_per_user,
        rate_limit=settings.api_rate_limit,
        used={"jobs": used.jobs, "bytes": used.bytes, "waiting": used.waiting},
    )
