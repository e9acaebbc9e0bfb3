"""What the window sends a server as the photo: the smallest faithful file that fits the server's upload limit.

In order: the very file the photo was opened from, when decoding it gives exactly the pixels shown (the server
decodes it the same way, EXIF turn and colour profile included, so its "before" is the window's); a PNG of the
pixels (lossless); a JPEG at quality 95 without chroma subsampling when a PNG is over the limit and the picture
has no transparency. A picture none of these fit is refused before anything is sent.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from PIL import Image

from restora.gui.photos import SOURCE_FILE_KEY
from restora.i18n import N_

FALLBACK_JPEG_QUALITY = 95  # with 4:4:4 colour: grain and fine colour edges survive, a third of a grainy PNG's size
AS_JPEG = N_("a JPEG at quality 95")  # FALLBACK_JPEG_QUALITY, written out: a marked text is a literal
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@dataclass(frozen=True)
class Candidate:
    path: Path
    what: str  # an N_ text for a message: "the file it was opened from", "a PNG", ...
    compressed: bool = False  # a lossy stand-in for the pixels: the window says so


def upload_candidates(image: Image.Image, folder: Path) -> Iterator[Candidate]:
    """The files that may stand for ``image``, best first, each written to ``folder`` only when asked for."""
    original = unchanged_source(image)
    if original is not None:
        data, fmt = original
        yield Candidate(_write(folder / f"photo{SUFFIXES[fmt]}", data), N_("the file it was opened from"))
    png = io.BytesIO()
    image.save(png, format="PNG", compress_level=6)
    yield Candidate(_write(folder / "photo.png", png.getvalue()), N_("a PNG"))
    if "A" not in image.getbands():  # a JPEG would lose the transparency: no fallback
        jpeg = io.BytesIO()
        image.convert("RGB").save(jpeg, format="JPEG", quality=FALLBACK_JPEG_QUALITY, subsampling=0)
        yield Candidate(_write(folder / "photo.jpg", jpeg.getvalue()), AS_JPEG, compressed=True)


def unchanged_source(image: Image.Image) -> tuple[bytes, str] | None:
    """(bytes, format) of the file ``image`` was opened from, if that file still decodes to exactly its pixels
    (not edited on disk since, and ``image`` not a turned or edited copy that kept the info)."""
    from restora.imaging.io import InvalidImage, load_image, same_pixels

    path = image.info.get(SOURCE_FILE_KEY)
    if not path:
        return None
    try:
        data = Path(path).read_bytes()
        with Image.open(io.BytesIO(data)) as opened:
            fmt = opened.format
        decoded = load_image(data)  # the server's own decode: EXIF orientation and ICC profile applied
    except (OSError, InvalidImage):
        return None
    return (data, fmt) if fmt in SUFFIXES and same_pixels(decoded, image) else None


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
