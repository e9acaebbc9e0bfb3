"""Tool pages, job status, pictures, and the history: the ``tools`` blueprint.

Every route is owner-checked (``restora.web.access``): pages under ``/<username>/`` with ``@owner_page``,
anything naming a job with ``@owner_object`` + :func:`owned_or_404`, so one person never sees, downloads,
runs against or deletes another's jobs. The executor that runs the jobs is :mod:`restora.web.executor`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from restora.imaging.io import InvalidImage
from restora.jobs.models import DONE, Job
from restora.tools import TOOLS
from restora.web.access import owned_or_404, owner_object, owner_page
from restora.web.database import db_session
from restora.web.executor import executor_for
from restora.web.extensions import settings_of
from restora.web.forms_from_params import controls_for
from restora.web.job_views import (describe_inputs, describe_params, describe_views, job_json, status_text, tool_text,
                                   translate_tool_message)
from restora.web.submission import accept_upload
from restora.web.submission import delete_job as delete_job_and_files
from restora.web.uploads import UploadRejected, make_thumbnail, send_picture, send_stored, stored_path

bp = Blueprint("tools", __name__)

@bp.errorhandler(OperationalError)
def _database_unavailable(_error):
    """The database is down or locked: say so and when to retry, rather than a bare 500."""
    message = _("The server is busy or its database is not reachable. Try again in a minute.")
    headers = {"Retry-After": "30"}
    if _wants_json():
        return jsonify(error=message), 503, headers
    # Rendered without context processors: Flask-Login's would ask the missing database who is logged in.
    page = current_app.jinja_env.get_template("tools/unavailable.html")
    return page.render(title=_("Try again soon"), message=message), 503, headers


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _data_dir() -> Path:
    return settings_of().data_dir


def _tool_or_404(name: str):
    tool = TOOLS.get(name)
    if tool is None:
        abort(404)
    return tool


@bp.route("/<username>/<tool>", methods=["GET", "POST"])
@owner_page
def tool_page(username: str, tool: str):
    chosen = _tool_or_404(tool)
    if request.method == "GET":
        return _render_tool(chosen)
    try:
        job = accept_upload(chosen, current_user.id, request.form, request.files)
    except UploadRejected as rejected:
        headers = {"Retry-After": "60"} if rejected.status in (429, 503) else {}
        if _wants_json():
            return jsonify(error=rejected.message), rejected.status, headers
        return _render_tool(chosen, error=rejected.message), rejected.status, headers
    executor_for(current_app._get_current_object()).submit(job.id)
    if _wants_json():
        return jsonify(job_json(job)), 202
    return redirect(url_for(".job_page", username=current_user.username, job_id=job.id), 303)


def _render_tool(tool, error: str | None = None):
    title, description = tool_text(tool)
    return render_template(
        "tools/tool.html", tool=tool, title=title, description=description, controls=controls_for(tool), error=error,
    )


@bp.route("/<username>/jobs/<job_id>")
@owner_object
def job_status(username: str, job_id: str):
    """The job as JSON; the tool page polls this while the job runs."""
    job = owned_or_404(db_session(), Job, job_id)
    response = jsonify(job_json(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<username>/history/<job_id>")
@owner_object
def job_page(username: str, job_id: str):
    """One job: its state while it runs, then the original and the result side by side."""
    job = owned_or_404(db_session(), Job, job_id)
    tool = TOOLS.get(job.tool)
    title = tool_text(tool)[0] if tool else job.tool
    return render_template(
        "tools/job.html", job=job, title=title, params=describe_params(job), status=status_text(job.status),
        job_data=job_json(job), inputs=describe_inputs(job), views=describe_views(job),
    )


def _picture_name(job: Job, kind: str) -> str:
    """The download's name without its suffix, which the stored file's format gives (send_stored)."""
    return f"restora-{job.tool}-{job.id[:8]}-{kind}"


@bp.route("/<username>/jobs/<job_id>/original")
@owner_object
def original(username: str, job_id: str):
    job = owned_or_404(db_session(), Job, job_id)
    return send_stored(stored_path(_data_dir(), job.input_path), _picture_name(job, "original"), False)


@bp.route("/<username>/jobs/<job_id>/inputs/<name>")
@owner_object
def job_input(username: str, job_id: str, name: str):
    """One of the pictures a tool took besides the photo (an ``image`` or ``hints`` parameter), as stored."""
    job = owned_or_404(db_session(), Job, job_id)
    path = job.inputs.get(name)
    if path is None:
        abort(404)
    # Named after its parameter (a parameter name: letters, digits, _), so a tool's two pictures
    # (colorize's hints and reference) are not saved under one name.
    return send_stored(stored_path(_data_dir(), path), _picture_name(job, name), False)


@bp.route("/<username>/jobs/<job_id>/result")
@owner_object
def result(username: str, job_id: str):
    job = owned_or_404(db_session(), Job, job_id)
    if job.status != DONE:
        abort(404)
    download = request.args.get("download") == "1"
    return send_stored(stored_path(_data_dir(), job.result_path), _picture_name(job, "result"), download)


@bp.route("/<username>/jobs/<job_id>/views/<name>")
@owner_object
def job_view(username: str, job_id: str, name: str):
    """One of the side pictures the tool gave with the result (a declared view, such as a mask)."""
    job = owned_or_404(db_session(), Job, job_id)
    path = job.views.get(name)
    if job.status != DONE or path is None:
        abort(404)
    download = request.args.get("download") == "1"
    return send_stored(stored_path(_data_dir(), path), _picture_name(job, name), download)


@bp.route("/<username>/jobs/<job_id>/thumbnail")
@owner_object
def thumbnail(username: str, job_id: str):
    job = owned_or_404(db_session(), Job, job_id)
    data_dir = _data_dir()
    done = job.status == DONE and job.result_path
    target = data_dir / "thumbs" / str(job.user_id) / f"{job.id}{'-result' if done else ''}.jpg"
    if not target.is_file():
        source = stored_path(data_dir, job.result_path if done else job.input_path)
        try:
            make_thumbnail(source, target)
        except (InvalidImage, OSError):
            abort(404)
    return send_picture(target, f"restora-{job.id[:8]}-thumbnail.jpg", False, mimetype="image/jpeg")


@bp.route("/<username>/jobs/<job_id>/delete", methods=["POST"])
@owner_object
def delete_job(username: str, job_id: str):
    sql = db_session()
    job = owned_or_404(sql, Job, job_id)
    delete_job_and_files(sql, job, _data_dir())
    if _wants_json():
        return jsonify(deleted=job_id)
    flash(_("The job and its pictures were deleted."), "success")
    return redirect(url_for(".history", username=current_user.username), 303)


@bp.route("/<username>/history")
@owner_page
def history(username: str):
    jobs = db_session().scalars(
        select(Job).where(Job.user_id == current_user.id).order_by(Job.created_at.desc()).limit(settings_of().max_jobs_per_user)
    ).all()
    rows = [
        (job, describe_params(job), status_text(job.status), _tool_title(job.tool), translate_tool_message(job.error or ""))
        for job in jobs
    ]
    return render_template("tools/history.html", rows=rows)


def _tool_title(name: str):
    tool = TOOLS.get(name)
    return tool_text(tool)[0] if tool else name
