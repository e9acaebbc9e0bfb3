"""Files the jobs layer writes under the data root: whole or not at all, quickly encoded.

Uploads (written by the web request) and results (written by a worker) share these two rules: a file
appears under its real name only once it is complete and on disk, and PNGs are written at zlib level 1,
because someone is waiting for them (a 12 MP photo: 1.4 s instead of 5.2 s at level 6, ~25% larger).
A result that must fit a file size (a tool set a limit, imaging.io's MAX_KB_KEY) is the one exception:
it is stored as the JPEG the tool chose, since a PNG cannot promise a size.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

from restora.imaging.io import MAX_KB_KEY, encode_image

PNG_COMPRESS_LEVEL = 1
# The stored results' formats by file suffix; a fenced or older attempt's files are found by these.
RESULT_TYPES = {".png": "image/png", ".jpg": "image/jpeg"}


def encode_png(image: Image.Image) -> bytes:
    """PNG bytes of ``image`` with no metadata (no EXIF, no text chunks) but its print resolution, if a tool
    set one. Lossless: for a result that carries a file size limit, see :func:`encode_result`."""
    dpi = image.info.get("dpi")
    clean = image.copy()
    clean.info = {}
    buffer = io.BytesIO()
    extra = {"dpi": tuple(int(round(float(v))) for v in dpi)} if dpi else {}
    clean.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, **extra)
    return buffer.getvalue()


def encode_result(image: Image.Image) -> tuple[bytes, str]:
    """A job result's bytes and file suffix: PNG, or the JPEG at the tool's chosen quality when the tool set a
    file size limit (``image.info[MAX_KB_KEY]``, in KB of 1,024 bytes).

    :raises ValueError: when that JPEG is over the limit (the tool's quality search and this encoder
        disagree: a bug, which no retry mends).
    """
    max_kb = image.info.get(MAX_KB_KEY)
    if not max_kb:
        return encode_png(image), ".png"
    data = encode_image(image, "JPEG")
    if len(data) > int(max_kb) * 1024:
        raise ValueError(f"the JPEG is {len(data) / 1024:.1f} KB, over the {max_kb} KB limit the tool set")
    return data, ".jpg"


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``.part``, fsync, rename, fsync the folder: after a crash the name holds all of it or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    try:
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)
    return path
