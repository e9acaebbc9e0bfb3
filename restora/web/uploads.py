"""Uploads in, pictures out: decode before storing, store re-encoded and atomically, serve only what we wrote.

Reliability rules (../shared/reference/reliability.md §4.3): an upload is decoded through
``restora.imaging.io`` (JPEG/PNG/WebP only, pixel caps read from the header) *before* anything is written;
what is stored is our own PNG re-encoding under ``uploads/<user_id>/<uuid>.png``, never the uploaded bytes
or name; a rejected file leaves nothing behind; pictures go out with ``nosniff``, a CSP that allows
nothing, and a file name the server chose.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort, send_file
from flask_babel import gettext as _
from PIL import Image
from werkzeug.datastructures import FileStorage

from restora.imaging.io import ImageLimits, InvalidImage, encode_image, load_image
from restora.jobs.files import RESULT_TYPES, encode_png, write_atomically

IMAGE_CSP = "default-src 'none'; sandbox"


@dataclass
class UploadRejected(Exception):
    """A refused upload: HTTP status, a message that tells the person what to do, and a stable code for
    programs (the API's problem ``code``)."""

    status: int
    message: str
    code: str = "upload_rejected"


def _status_for(error: InvalidImage) -> int:
    """415 for a format we do not read, 413/422 for sizes, 400 for a damaged file."""
    return {"format": 415, "file_size": 413, "dimensions": 422}.get(error.reason, 400)


def decode_upload(upload: FileStorage | None, limits: ImageLimits, what: str | None = None) -> Image.Image:
    """The decoded picture of a form's file field.

    :raises UploadRejected: when no file was chosen or it is not a picture we can safely read.
    """
    what = what or _("the photo")
    if upload is None or not upload.filename:
        raise UploadRejected(400, _("Choose %(what)s first (JPEG, PNG or WebP).", what=what), "missing_photo")
    data = upload.stream.read(limits.max_bytes + 1)
    try:
        return load_image(data, limits)
    except InvalidImage as error:
        status = _status_for(error)
        if status == 415:
            message = _("%(what)s is not a JPEG, PNG or WebP picture (%(detail)s).", what=what, detail=error)
        elif status in (413, 422):
            message = _("%(what)s is too large: %(detail)s.", what=what, detail=error)
        else:
            message = _("%(what)s looks damaged and cannot be opened (%(detail)s).", what=what, detail=error)
        code = {415: "unsupported_format", 413: "photo_too_large", 422: "photo_too_large"}.get(status, "damaged_photo")
        raise UploadRejected(status, message[:1].upper() + message[1:], code) from None


def store_upload(data_dir: Path, user_id: int, image: Image.Image) -> str:
    """Store our PNG re-encoding of ``image``; returns its path under the data root."""
    relative = f"uploads/{int(user_id)}/{uuid.uuid4()}.png"
    write_atomically(data_dir / relative, encode_png(image))
    return relative


def stored_path(data_dir: Path, relative: str | None) -> Path:
    """The file behind a path the server stored, refusing anything that would leave the data root."""
    if not relative:
        abort(404)
    root = data_dir.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        abort(404)
    return path


def remove_stored(data_dir: Path, *relatives: str | None) -> None:
    for relative in relatives:
        if relative:
            path = (data_dir.resolve() / relative).resolve()
            if data_dir.resolve() in path.parents:
                path.unlink(missing_ok=True)


def bytes_used(data_dir: Path, user_id: int) -> int:
    total = 0
    for folder in ("uploads", "results", "thumbs"):
        for entry in (data_dir / folder / str(int(user_id))).glob("*"):
            try:
                total += entry.stat().st_size
            except FileNotFoundError:
                pass  # deleted while we counted
    return total


def send_picture(path: Path, download_name: str, as_attachment: bool, mimetype: str = "image/png") -> Response:
    """Serve a picture we wrote: fixed type, no sniffing, no scripts, our own file name."""
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name, max_age=0, etag=True
    )
    if not as_attachment:
        response.headers["Content-Disposition"] = f'inline; filename="{download_name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = IMAGE_CSP
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def send_stored(path: Path, name: str, as_attachment: bool) -> Response:
    """A picture we stored, as ``name`` plus its own suffix and with its type: PNG, or the JPEG of a result that
    had to fit a file size (jobs.files.encode_result)."""
    suffix = path.suffix.lower() if path.suffix.lower() in RESULT_TYPES else ".png"
    return send_picture(path, name + suffix, as_attachment, RESULT_TYPES[suffix])


def describe_stored(path: Path) -> str | None:
    """"JPEG, 29.8 KB": a stored picture's format and size (KB of 1,024 bytes, as size limits count them)."""
    try:
        size = path.stat().st_size
    except OSError:
        return None
    kind = "JPEG" if path.suffix.lower() == ".jpg" else "PNG"
    return f"{kind}, {size / 1024:.1f} KB"


def make_thumbnail(source: Path, target: Path, size: int = 240) -> None:
    """A small JPEG for the history list, made once from a picture we stored."""
    image = load_image(source)
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    write_atomically(target, encode_image(image, "JPEG", quality=80))
