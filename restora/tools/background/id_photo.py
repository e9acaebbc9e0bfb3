"""ID photos: the standard sizes in one table, the crop from the face box, the print sheet, the size limit.

The head sizes below were written from memory, then checked on 2 December 2026 against public pages
that state them (each entry's ``source``; an embassy or government page where one was found, otherwise
photo services that agree with each other): they agree. Check the issuing authority's current page
before relying on them for an application. Heights are chin to crown (the top of the hair), as every
one of these rules measures them. Pixel sizes are at :data:`DPI`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from restora.i18n import N_, WithPlainSuffix
from restora.tools.base import InvalidParams

DPI = 300
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class IdSize:
    """One ID-photo standard: the print size and where the head must be."""

    key: str
    label: str
    width_mm: float
    height_mm: float
    head_mm: tuple[float, float]  # chin to crown, allowed range
    top_mm: tuple[float, float]  # crown to the photo's top edge, allowed range
    source: str

    @property
    def pixels(self) -> tuple[int, int]:
        return mm_to_px(self.width_mm), mm_to_px(self.height_mm)

    @property
    def choice_label(self) -> WithPlainSuffix:
        """"2-inch, 35×49 mm (413×579 px)": the label, translated, and the pixel size at :data:`DPI`."""
        return WithPlainSuffix(self.label, " ({}×{} px)".format(*self.pixels))


def mm_to_px(mm: float) -> int:
    return int(round(mm / MM_PER_INCH * DPI))


ID_SIZES = (
    IdSize("1inch", N_("1-inch, 25×35 mm"), 25, 35, (21, 24), (2, 4),
           "Chinese '一寸' studio size; no official head rule: head about two thirds of the height (studio practice)"),
    IdSize("2inch", N_("2-inch, 35×49 mm"), 35, 49, (29, 33), (3, 5),
           "Chinese '二寸' studio size; no official head rule: the passport rule below, scaled"),
    IdSize("cn-passport", N_("Chinese passport or visa, 33×48 mm"), 33, 48, (28, 33), (3, 5),
           "Chinese passport/travel-document photo rules: head 28–33 mm chin to crown, 3–5 mm above it, at least "
           "7 mm below the chin (met: 10–17 mm); as stated by idphoto4you.com, studiophotorose.com and "
           "backgroundremoval.passlens.com"),
    IdSize("us-passport", N_("US passport, 2×2 in"), 50.8, 50.8, (25.4, 34.9), (3, 7),
           "US State Department: head 1 to 1 3/8 in (25–35 mm) chin to crown (bg.usembassy.gov photo "
           "requirements); eyes 1 1/8 to 1 3/8 in from the bottom (photo services), which with a centred head "
           "leaves about 3–7 mm above it"),
    IdSize("eu", N_("EU / UK, 35×45 mm"), 35, 45, (32, 34), (3, 5),
           "Schengen visa photos: head 32–36 mm chin to crown (visa-service pages); UK passport: 29–34 mm "
           "(gov.tc's copy of the UK rules, portrait4u.co.uk); the overlap 32–34 mm meets both. No margin is "
           "fixed; 3–5 mm keeps the whole head in"),
)
SIZES = {size.key: size for size in ID_SIZES}

# Where the chin and crown are relative to a face detector's box (x, y, w, h). OpenCV's frontal-face
# Haar box runs from the brows to just below the mouth (measured on scikit-image's astronaut, whose
# chin is at 1.15 box heights below the box top and the crown 0.55 above it); the crown comes from the subject mask when it can.
CHIN_BELOW_TOP = 1.15
CROWN_ABOVE_TOP = 0.55  # fallback when the mask cannot show the crown (it leaves the photo at the top)
MAX_ENLARGEMENT = 4.0  # a smaller face than this would print as a blur


@dataclass(frozen=True)
class Placement:
    """The crop of the photo (left, top, right, bottom, in photo pixels, may go past its edges) and the head
    it gives in millimetres on the print."""

    box: tuple[float, float, float, float]
    head_mm: float
    top_mm: float


def the_one_face(faces: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    """The single face of an ID photo; :raises InvalidParams: for none or several."""
    if not faces:
        raise InvalidParams(N_("no face was found: an ID photo needs a photo of one person facing the camera"))
    if len(faces) > 1:
        raise InvalidParams(N_("more than one face was found: an ID photo needs a photo of one person alone"))
    return faces[0]


def place_head(size: IdSize, face: tuple[int, int, int, int], alpha: np.ndarray) -> Placement:
    """Scale and position so the head is the middle of the allowed size, the crown the middle of the margin."""
    x, y, w, h = face
    chin = y + CHIN_BELOW_TOP * h
    crown = _crown(face, alpha)
    head_px = max(chin - crown, 1.0)
    head_mm = sum(size.head_mm) / 2
    top_mm = sum(size.top_mm) / 2
    px_per_mm = head_px / head_mm  # photo pixels per print millimetre
    if DPI / MM_PER_INCH / px_per_mm > MAX_ENLARGEMENT:
        raise InvalidParams(N_("the face is too small in this photo for a sharp ID photo: use a closer or larger photo"))
    left = x + w / 2 - size.width_mm / 2 * px_per_mm
    top = crown - top_mm * px_per_mm
    return Placement((left, top, left + size.width_mm * px_per_mm, top + size.height_mm * px_per_mm), head_mm, top_mm)


def _crown(face: tuple[int, int, int, int], alpha: np.ndarray) -> float:
    """The top of the head: the highest subject row above the face, over the face's middle columns."""
    x, y, w, h = face
    fallback = y - CROWN_ABOVE_TOP * h
    columns = alpha[: max(int(y), 0), max(int(x + 0.3 * w), 0): int(x + 0.7 * w) + 1]
    if columns.size == 0:
        return fallback
    rows = np.nonzero((columns > 0.5).any(axis=1))[0]
    # A mask that reaches the top edge has cut the head: the crown is outside the photo, guess it.
    if rows.size == 0 or rows[0] == 0:
        return fallback
    return float(rows[0])


def crop_cutout(cutout: Image.Image, placement: Placement, size: IdSize) -> Image.Image:
    """The RGBA cut-out cropped to the placement (transparent past the photo's edges) at the print size."""
    left, top, right, bottom = (int(round(v)) for v in placement.box)
    # Premultiplied while resampling, so the fully transparent pixels' colour does not bleed into edges.
    cropped = cutout.crop((left, top, right, bottom)).convert("RGBa")
    return cropped.resize(size.pixels, Image.Resampling.LANCZOS).convert("RGBA")


# The 6-inch print: 4×6 in. Copies are laid out with a margin and a gap, a light cut line in each gap.
SHEETS = {"6inch": (4 * DPI, 6 * DPI)}
SHEET_MARGIN = 30  # px: 0.1 in, what most printers leave white anyway
SHEET_GAP = 24  # px between copies; the cut line runs in its middle
CUT_LINE = (200, 200, 200)


def layout_sheet(photo: Image.Image, sheet: str = "6inch") -> Image.Image:
    """As many copies of ``photo`` as fit on the sheet, in whichever orientation fits more."""
    short, long = SHEETS[sheet]
    best = max(((long, short), (short, long)), key=lambda wh: _fit(wh, photo.size)[0] * _fit(wh, photo.size)[1])
    columns, rows = _fit(best, photo.size)
    if columns * rows == 0:
        raise InvalidParams(N_("the photo is larger than the print sheet"))
    canvas = Image.new("RGB", best, (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    # Centre the block of copies on the sheet.
    block_w = columns * photo.width + (columns - 1) * SHEET_GAP
    block_h = rows * photo.height + (rows - 1) * SHEET_GAP
    left0 = (best[0] - block_w) // 2
    top0 = (best[1] - block_h) // 2
    for column in range(1, columns):
        x = left0 + column * (photo.width + SHEET_GAP) - SHEET_GAP // 2
        draw.line([(x, 0), (x, best[1])], fill=CUT_LINE)
    for row in range(1, rows):
        y = top0 + row * (photo.height + SHEET_GAP) - SHEET_GAP // 2
        draw.line([(0, y), (best[0], y)], fill=CUT_LINE)
    for row in range(rows):
        for column in range(columns):
            canvas.paste(photo, (left0 + column * (photo.width + SHEET_GAP), top0 + row * (photo.height + SHEET_GAP)))
    return canvas


def _fit(sheet: tuple[int, int], photo: tuple[int, int]) -> tuple[int, int]:
    usable_w, usable_h = sheet[0] - 2 * SHEET_MARGIN, sheet[1] - 2 * SHEET_MARGIN
    return max(0, (usable_w + SHEET_GAP) // (photo[0] + SHEET_GAP)), max(0, (usable_h + SHEET_GAP) // (photo[1] + SHEET_GAP))


MIN_QUALITY = 10  # below this JPEG blocks show on a face


def jpeg_within(image: Image.Image, max_kb: int) -> tuple[bytes, int]:
    """The best-quality JPEG of ``image`` no larger than ``max_kb`` KB (1 KB = 1,024 bytes), and its quality.

    Binary search over quality (size grows with quality, very nearly monotonically).
    :raises InvalidParams: when even the lowest acceptable quality is too large.
    """
    limit = max_kb * 1024
    best: tuple[bytes, int] | None = None
    low, high = MIN_QUALITY, 95
    while low <= high:
        quality = (low + high) // 2
        data = encode_jpeg(image, quality)
        if len(data) <= limit:
            best, low = (data, quality), quality + 1
        else:
            high = quality - 1
    if best is None:
        raise InvalidParams(N_("the photo cannot be made that small without ruining it: allow more kilobytes"))
    return best


def encode_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality, dpi=(DPI, DPI))
    return buffer.getvalue()
