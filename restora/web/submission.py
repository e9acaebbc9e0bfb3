"""Accepting a job and deleting one, shared by the site's tool pages and the HTTP API.

One path for both fronts, so a picture the site refuses the API refuses too, with the same quota, queue
limits and messages; :class:`restora.web.uploads.UploadRejected` carries the status, the message and a
stable code (the API's problem ``code``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from restora.imaging.io import ImageLimits
from restora.i18n import size_text
from restora.jobs.models import QUEUED, RUNNING, Job
from restora.jobs.queue import submit_job
from restora.tools import InvalidParams
from restora.tools.base import PAINTED_KINDS
from restora.web.content import tool_text
from restora.web.database import db_session
from restora.web.extensions import settings_of
from restora.web.forms_from_params import file_params, raw_params_from
from restora.web.job_views import translate_tool_message
from restora.web.uploads import UploadRejected, bytes_used, decode_upload, remove_stored, store_upload


@dataclass(frozen=True)
class Usage:
    """What one person uses now, against the Settings' quota and waiting-line limits."""

    jobs: int
    bytes: int
    waiting: int
    queued_everywhere: int


def usage_of(user_id: int) -> Usage:
    sql = db_session()
    count = sql.scalar(select(func.count()).select_from(Job).where(Job.user_id == user_id))
    waiting = sql.scalar(
        select(func.count()).select_from(Job).where(Job.user_id == user_id, Job.status.in_((QUEUED, RUNNING)))
    )
    queued_everywhere = sql.scalar(select(func.count()).select_from(Job).where(Job.status == QUEUED))
    return Usage(jobs=count, bytes=bytes_used(settings_of().data_dir, user_id), waiting=waiting,
                 queued_everywhere=queued_everywhere)


def check_quota(user_id: int) -> None:
    """The per-person quota (U9) and the waiting-line limits (L2), all from the site's Settings.

    :raises UploadRejected: 403 over quota, 503 when the site's queue is full, 429 when this person
        already has their most pictures waiting.
    """
    settings = settings_of()
    used = usage_of(user_id)
    if used.jobs >= settings.max_jobs_per_user:
        raise UploadRejected(
            403, _("You have %(count)d pictures stored, the most allowed. Delete some in your history first.",
                   count=used.jobs), "quota_jobs",
        )
    if used.bytes >= settings.max_bytes_per_user:
        raise UploadRejected(403, _("Your pictures use all of your %(size)s of space. Delete some in your history first.",
                                    size=size_text(settings.max_bytes_per_user)), "quota_bytes")
    if used.queued_everywhere >= settings.max_queued_jobs:
        raise UploadRejected(503, _("The server has too many pictures waiting. Try again in a few minutes."), "queue_full")
    if used.waiting >= settings.max_waiting_jobs:
        raise UploadRejected(
            429, _("%(count)d of your pictures are still waiting. Try again when one has finished.", count=used.waiting),
            "too_many_waiting",
        )


def accept_upload(tool, user_id: int, form: MultiDict, files: MultiDict) -> Job:
    """Decode, check, store and queue one upload: ``files["photo"]``, a file part for each of the tool's
    picture parameters that was given (``image``, ``hints``, ``strokes``), and the tool's fields in ``form``.

    The stored files and the job row commit together; a refused upload leaves nothing behind.
    :raises UploadRejected: for every refusal, with its status, message and code.
    """
    check_quota(user_id)
    limits = ImageLimits.from_settings(settings_of())
    raw = raw_params_from(tool, form)
    image = decode_upload(files.get("photo"), limits)
    pictures = read_pictures(tool, files, limits, image.size)
    try:
        tool.validate({**raw.values, **pictures})
    except InvalidParams as error:
        raise UploadRejected(422, translate_tool_message(str(error)), "invalid_parameters") from None

    data_dir = settings_of().data_dir
    photo_path = store_upload(data_dir, user_id, image)
    inputs: dict[str, str] = {}
    sql = db_session()
    try:
        for name, picture in pictures.items():
            inputs[name] = store_upload(data_dir, user_id, picture)
        job = submit_job(sql, user_id=user_id, tool=tool.name, params=raw.values, input_path=photo_path, inputs=inputs)
        sql.commit()
    except BaseException:
        sql.rollback()
        remove_stored(data_dir, photo_path, *inputs.values())  # no row, no file: nothing left behind
        raise
    return job


def read_pictures(tool, files: MultiDict, limits: ImageLimits, photo_size: tuple[int, int]) -> dict:
    """{parameter name: decoded picture} for each picture parameter given a file; a missing required one
    is the tool's refusal (``validate``). Painted pictures (hints, keep/remove marks) must be the photo's size.

    :raises UploadRejected: for a file that is not a picture we read, or a painted one of another size.
    """
    pictures = {}
    for param in file_params(tool):
        upload = files.get(param.name)
        if upload is None or not upload.filename:
            continue
        title = str(tool_text(tool, param.title))
        picture = decode_upload(upload, limits, title)
        if param.kind in PAINTED_KINDS and picture.size != photo_size:
            raise UploadRejected(422, _("%(what)s must be the size of the photo (%(photo)s px), not %(size)s px.",
                                        what=title, photo="×".join(map(str, photo_size)),
                                        size="×".join(map(str, picture.size))), "invalid_parameters")
        pictures[param.name] = picture
    return pictures


def delete_job(sql: Session, job: Job, data_dir: Path) -> None:
    """Delete a job's row, then its upload, other pictures, result, views, thumbnails and any attempt's files."""
    stored = [job.input_path, *job.inputs.values(), job.result_path, *job.views.values()]
    job_id, user_id = job.id, int(job.user_id)
    sql.delete(job)
    sql.commit()
    # After the commit: a worker still running this job is fenced off and removes its own file.
    remove_stored(data_dir, *stored)
    leftovers = [*(data_dir / "thumbs" / str(user_id)).glob(f"{job_id}*.jpg"),
                 *(data_dir / "results" / str(user_id)).glob(f"{job_id}-a*")]
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
