"""The one door images come in and go out by.

Decoding trusts nothing about a file but its content: the format is sniffed from the bytes and must be
JPEG, PNG or WebP; the size is read from the header and checked against the caps before a single pixel
is decoded; truncated files, decompression bombs and animations are handled without surprises. Every
refusal is an :class:`InvalidImage` whose message a person can act on.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from struct import error as struct_error
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

# Content-sniffed formats we decode. TIFF, BMP, GIF, SVG and the rest are refused on purpose: every
# extra decoder is extra attack surface, and these three cover what cameras and browsers produce.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
OUTPUT_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}

log = logging.getLogger(__name__)

# Never decode a partial file as if it were whole.
ImageFile.LOAD_TRUNCATED_IMAGES = False


class InvalidImage(ValueError):
    """The input is not an image we can safely decode; the message says why in plain words.

    ``reason`` lets fronts answer without parsing the message: "format" (not JPEG/PNG/WebP),
    "file_size" (too many bytes), "dimensions" (too many pixels or too long a side), "damaged"
    (truncated or corrupt, or no pixels at all), "unreadable" (missing, a folder, no permission).
    """

    REASONS = ("format", "file_size", "dimensions", "damaged", "unreadable")

    def __init__(self, message: str, reason: str = "damaged") -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown InvalidImage reason {reason!r}")
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ImageLimits:
    max_pixels: int = 40_000_000  # 40 megapixels: larger than any phone photo, small enough for 2 GB
    max_side: int = 12_000  # refuses 1×200,000 strips that pass a pixel cap
    max_bytes: int = 200 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings) -> "ImageLimits":
        return cls(max_pixels=settings.max_pixels, max_side=settings.max_side)


DEFAULT_LIMITS = ImageLimits()


def _read_bytes(source: bytes | str | Path | BinaryIO, limits: ImageLimits) -> bytes:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, (str, Path)):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > limits.max_bytes:
                raise InvalidImage(f"the file is {size / 2**20:.0f} MiB; the limit is {limits.max_bytes // 2**20} MiB", "file_size")
            data = path.read_bytes()
        except IsADirectoryError:
            raise InvalidImage(f"{path} is a folder, not an image", "unreadable") from None
        except FileNotFoundError:
            raise InvalidImage(f"{path} does not exist", "unreadable") from None
        except PermissionError:
            raise InvalidImage(f"{path} cannot be read (permission denied)", "unreadable") from None
    else:
        data = source.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise InvalidImage(f"the file is larger than {limits.max_bytes // 2**20} MiB", "file_size")
    if not data:
        raise InvalidImage("the file is empty")
    return data


def _check_size(width: int, height: int, limits: ImageLimits) -> None:
    if width < 1 or height < 1:
        raise InvalidImage(f"the image has no pixels ({width}×{height})")
    if max(width, height) > limits.max_side:
        raise InvalidImage(
            f"the image is {width}×{height} pixels; each side may be at most {limits.max_side:,} pixels",
            "dimensions",
        )
    if width * height > limits.max_pixels:
        raise InvalidImage(
            f"the image is {width * height / 1e6:.1f} megapixels ({width}×{height}); "
            f"the limit is {limits.max_pixels / 1e6:.0f} megapixels",
            "dimensions",
        )


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels tagged with an ICC profile to sRGB, so a wide-gamut photo keeps its colours."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile is not worth refusing the photo for: use the pixels as they are
    return converted if converted is not None else image


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Bring any decoded mode to RGB, or RGBA when the image has transparency."""
    mode = image.mode
    if mode in ("RGB", "RGBA"):
        return image
    if mode in ("LA", "PA") or (mode == "P" and "transparency" in image.info) or (
        mode in ("L", "RGB") and "transparency" in image.info
    ):
        return image.convert("RGBA")
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit and 32-bit grey: scale the full range to 8 bits rather than clipping at 255.
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") else max(float(values.max()), 1.0)
        grey = np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    return image.convert("RGB")  # L, 1, P, CMYK, YCbCr, LAB


def load_image(source: bytes | str | Path | BinaryIO, limits: ImageLimits = DEFAULT_LIMITS) -> Image.Image:
    """Decode a JPEG, PNG or WebP into an upright RGB or RGBA image.

    Only the first frame of an animation is decoded. EXIF orientation is applied; metadata is dropped.

    :raises InvalidImage: for anything else, with a message that says what is wrong.
    """
    data = _read_bytes(source, limits)
    try:
        with warnings.catch_warnings(record=True) as caught:
            # Pillow's other warnings ("Invalid APNG, will use default PNG image") describe files it
            # still decodes correctly: record and log them. Its bomb check only warns below 2× its
            # limit; that warning is a refusal.
            warnings.simplefilter("always")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            _check_size(*image.size, limits)
            image.load()  # first frame only; n_frames is never asked for, so frames are not walked
            try:
                image = ImageOps.exif_transpose(image) or image
            except (ValueError, TypeError, KeyError, SyntaxError, OSError, struct_error):
                pass  # unreadable EXIF: keep the pixels as stored
            image = _normalise_mode(_to_srgb(image))
            _check_size(*image.size, limits)
        for warning in caught:
            log.debug("decoding went on past a Pillow warning: %s", warning.message)
    except InvalidImage:
        raise
    except UnidentifiedImageError:
        raise InvalidImage(_describe_unknown(data), "format") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise InvalidImage(
            "the image declares more pixels than is safe to decode "
            f"(the limit is {limits.max_pixels / 1e6:.0f} megapixels and {limits.max_side:,} pixels a side)",
            "dimensions",
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct_error, IndexError, TypeError, MemoryError) as exc:
        raise InvalidImage(f"the image is damaged or truncated and cannot be decoded ({_short(exc)})") from None
    # Forget everything the file said about itself (EXIF, GPS, XMP, comments, ICC already applied).
    image.info = {}
    return image


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]


def _describe_unknown(data: bytes) -> str:
    head = data[:64].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        kind = "an HTML page"
    elif head.startswith(b"<?xml") or b"<svg" in head:
        kind = "an SVG/XML document"
    elif data[:4] in (b"II*\x00", b"MM\x00*"):
        kind = "a TIFF image"
    elif data[:2] == b"BM":
        kind = "a BMP image"
    elif data[:4] == b"GIF8":
        kind = "a GIF image"
    elif data[:4] == b"%PDF":
        kind = "a PDF document"
    else:
        kind = "not a JPEG, PNG or WebP image"
    if kind.startswith("not"):
        return f"the file is {kind}; Restora reads JPEG, PNG and WebP"
    return f"the file is {kind}; Restora reads JPEG, PNG and WebP only"


def format_for_path(path: str | Path) -> str:
    """The output format implied by a file name's extension.

    :raises InvalidImage: when the extension is not one we write.
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    try:
        return OUTPUT_FORMATS[suffix]
    except KeyError:
        raise InvalidImage(f"cannot write {Path(path).name!r}: use a .png, .jpg or .webp name", "format") from None


# A tool that must fit a file size (an ID photo for an upload form) sets these in the result's info: the
# limit in KB, and the JPEG quality it found that meets it.
MAX_KB_KEY = "restora_max_kb"
JPEG_QUALITY_KEY = "restora_jpeg_quality"
# A picture decoded from such a JPEG, kept with the file's bytes so that saving it as a JPEG writes that file
# as it is (decoded and encoded again it could grow past the limit): the desktop window's result from a server.
SOURCE_JPEG_KEY = "restora_source_jpeg"


# What a tool's result says about the file it must be written as. Pillow copies ``info`` through rotate,
# enhance and copy, so a later tool's result would carry them for pixels they do not describe.
FILE_PROMISE_KEYS = (MAX_KB_KEY, JPEG_QUALITY_KEY, SOURCE_JPEG_KEY)


def without_file_promises(image: Image.Image) -> Image.Image:
    """``image``, or a copy of it without an earlier result's size limit, JPEG quality or source JPEG."""
    if not any(key in image.info for key in FILE_PROMISE_KEYS):
        return image
    clean = image.copy()  # the earlier result keeps its own (the window's Undo goes back to it)
    for key in FILE_PROMISE_KEYS:
        clean.info.pop(key, None)
    return clean


def required_format(image: Image.Image) -> str | None:
    """"JPEG" when the picture may only be written as a JPEG (a file size limit, or a size-limited JPEG kept as
    its file); None when any format will do."""
    return "JPEG" if image.info.get(MAX_KB_KEY) or image.info.get(SOURCE_JPEG_KEY) else None


def same_pixels(one: Image.Image, other: Image.Image, rows: int = 256) -> bool:
    """Whether two pictures hold the same mode, size and pixels; compared a band of ``rows`` at a time, since
    two whole ``tobytes()`` copies of a 30 MP photo are 180 MB more at once."""
    if one.mode != other.mode or one.size != other.size:
        return False
    width, height = one.size
    return all(one.crop(band).tobytes() == other.crop(band).tobytes()
               for band in ((0, top, width, min(top + rows, height)) for top in range(0, height, rows)))


def _source_jpeg(image: Image.Image) -> bytes | None:
    """The JPEG file ``image`` was decoded from, if it carries one and it still holds these very pixels (a copy
    that was turned or edited since keeps the info, not the pixels)."""
    data = image.info.get(SOURCE_JPEG_KEY)
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as source:
            pixels = source.convert(image.mode)
    except (OSError, ValueError):
        return None
    return data if same_pixels(pixels, image) else None


def encode_image(image: Image.Image, fmt: str = "PNG", quality: int = 92) -> bytes:
    """Encode to PNG, JPEG or WebP bytes, with no metadata (no EXIF, no GPS) except the print resolution
    a tool set in ``image.info["dpi"]`` (an ID photo must print at its size). A size limit set by the tool
    (MAX_KB_KEY) is met with the JPEG quality it found; another format cannot promise a size. A picture kept
    with its size-limited JPEG file (SOURCE_JPEG_KEY) is that file.

    :raises InvalidImage: when the picture carries a size limit and ``fmt`` is not JPEG.
    """
    fmt = fmt.upper()
    if fmt == "JPG":
        fmt = "JPEG"
    if fmt not in ALLOWED_FORMATS:
        raise ValueError(f"cannot encode {fmt}; choose PNG, JPEG or WEBP")
    dpi = image.info.get("dpi")
    if required_format(image) == "JPEG" and fmt != "JPEG":
        limit = f" of {image.info[MAX_KB_KEY]} KB" if image.info.get(MAX_KB_KEY) else ""
        raise InvalidImage(f"a file size limit{limit} needs a JPEG: name the output .jpg", "format")
    if fmt == "JPEG" and (source := _source_jpeg(image)) is not None:
        return source
    if image.info.get(MAX_KB_KEY):
        quality = int(image.info.get(JPEG_QUALITY_KEY, quality))
    clean = image.copy()
    clean.info = {}
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = flatten_alpha(clean)  # JPEG has no alpha: put the picture on white, as viewers do
    buffer = io.BytesIO()
    options: dict[str, object] = {}
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = int(quality)
    if fmt == "PNG":
        options["compress_level"] = 6
    if dpi is not None and fmt in ("PNG", "JPEG"):
        options["dpi"] = tuple(int(round(float(v))) for v in dpi)
    clean.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def save_image(image: Image.Image, path: str | Path, quality: int = 92) -> Path:
    """Write an image to a path whose extension picks the format; the write is atomic."""
    path = Path(path)
    data = encode_image(image, format_for_path(path), quality)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)  # a crash never leaves half a file under the real name
    return path


def flatten_alpha(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """RGBA -> RGB over a solid colour."""
    if image.mode != "RGBA":
        return image.convert("RGB")
    base = Image.new("RGB", image.size, background)
    base.paste(image, mask=image.getchannel("A"))
    return base


def split_alpha(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """Separate an image into RGB and its alpha channel (None when opaque)."""
    if image.mode == "RGBA":
        return image.convert("RGB"), image.getchannel("A")
    return image.convert("RGB"), None


def merge_alpha(rgb: Image.Image, alpha: Image.Image | None) -> Image.Image:
    """Put an alpha channel back on an RGB result (resized if the tool changed the geometry)."""
    if alpha is None:
        return rgb
    if alpha.size != rgb.size:
        alpha = alpha.resize(rgb.size, Image.Resampling.BILINEAR)
    result = rgb.convert("RGBA")
    result.putalpha(alpha)
    return result

