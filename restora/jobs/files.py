"""Files the jobs layer writes under the data root: whole or not at all, quickly encoded.

Uploads (written by the web request) and results (written by a worker) share these two rules: a file
appears under its real name only once it is complete and on disk, and PNGs are written at zlib level 1,
because someone is waiting for them (a 12 MP photo: 1.4 s instead of 5.2 s at level 6, ~25% larger).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

PNG_COMPRESS_LEVEL = 1


def encode_png(image: Image.Image) -> bytes:
    """PNG bytes of ``image`` with no metadata (no EXIF, no text chunks) but its print resolution, if a tool
    set one. A file size limit a tool set is not kept: results are stored lossless."""
    dpi = image.info.get("dpi")
    clean = image.copy()
    clean.info = {}
    buffer = io.BytesIO()
    extra = {"dpi": tuple(int(round(float(v))) for v in dpi)} if dpi else {}
    clean.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, **extra)
    return buffer.getvalue()


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
