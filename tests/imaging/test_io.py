"""restora.imaging.io: formats by content, caps before decoding, orientation, alpha, metadata."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, PngImagePlugin, WebPImagePlugin

from restora.imaging.io import (
    ImageLimits,
    InvalidImage,
    encode_image,
    format_for_path,
    load_image,
    save_image,
)
from tests.imaging.hostile import bomb_png, encoded, png_with_header


def test_decodes_the_three_formats_by_content(photo_rgb, tmp_path):
    for fmt in ("PNG", "JPEG", "WEBP"):
        path = tmp_path / "named-wrongly.bmp"  # the extension is ignored; the bytes decide
        path.write_bytes(encoded(photo_rgb, fmt, quality=95) if fmt != "PNG" else encoded(photo_rgb, fmt))
        image = load_image(path)
        assert image.mode == "RGB" and image.size == photo_rgb.size


@pytest.mark.parametrize(
    "fmt, expected",
    [("TIFF", "TIFF"), ("BMP", "BMP"), ("GIF", "GIF"), ("ICO", "JPEG, PNG"), ("PPM", "JPEG, PNG")],
)
def test_refuses_other_formats(photo_rgb, fmt, expected):
    with pytest.raises(InvalidImage, match=expected):
        load_image(encoded(photo_rgb, fmt))


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "HTML"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"%PDF-1.4\n", "PDF"),
        (b"\x00" * 100, "not a JPEG, PNG or WebP"),
    ],
)
def test_refuses_non_images_with_a_message(data, expected):
    with pytest.raises(InvalidImage, match=expected):
        load_image(data)


def test_missing_file_and_folder_are_refused(tmp_path):
    with pytest.raises(InvalidImage, match="does not exist"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(InvalidImage, match="folder"):
        load_image(tmp_path)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_files_are_refused(photo_rgb, fmt, keep):
    big = photo_rgb.resize((400, 240))
    data = encoded(big, fmt)
    with pytest.raises(InvalidImage):
        load_image(data[: int(len(data) * keep)])


def test_huge_header_is_refused_before_decoding(monkeypatch):
    data = png_with_header(50_000, 50_000)
    loads = []
    real_load = Image.Image.load
    monkeypatch.setattr(Image.Image, "load", lambda self: loads.append(self.size) or real_load(self))
    with pytest.raises(InvalidImage, match="12,000 pixels a side"):
        load_image(data)
    assert loads == []  # refused from the header: no pixel was decoded


def test_thin_strip_is_refused():
    data = encoded(Image.new("RGB", (200_000, 1)), "PNG")
    with pytest.raises(InvalidImage, match="each side"):
        load_image(data)


def test_pixel_cap_is_configurable():
    data = encoded(Image.new("RGB", (300, 200)), "PNG")
    with pytest.raises(InvalidImage, match="megapixels"):
        load_image(data, ImageLimits(max_pixels=50_000))
    assert load_image(data, ImageLimits(max_pixels=60_000)).size == (300, 200)


def test_pillow_bomb_warning_is_a_refusal():
    # With our own cap raised past Pillow's, Pillow's bomb warning must still stop the decode.
    limits = ImageLimits(max_pixels=10**9, max_side=100_000)
    with pytest.raises(InvalidImage, match="more pixels than is safe"):
        load_image(bomb_png(10_000, 9_000), limits)


def test_byte_limit(tmp_path):
    with pytest.raises(InvalidImage, match="larger than"):
        load_image(b"x" * 2000, ImageLimits(max_bytes=1000))


def _frames(colours, fmt):
    frames = [Image.new("RGB", (16, 16), colour) for colour in colours]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt, plugin", [("PNG", PngImagePlugin.PngImageFile), ("WEBP", WebPImagePlugin.WebPImageFile)])
def test_animation_gives_first_frame_without_walking_frames(monkeypatch, fmt, plugin):
    data = _frames([(200, 10, 10), (10, 200, 10), (10, 10, 200)], fmt)
    original_seek = plugin.seek

    def seek_first_frame_only(self, frame):
        assert frame == 0, "only the first frame may be decoded"
        return original_seek(self, frame)

    monkeypatch.setattr(plugin, "seek", seek_first_frame_only)
    image = load_image(data)
    red, green, blue = np.asarray(image)[8, 8]
    assert red > 150 and green < 60 and blue < 60


# EXIF orientation -> how the stored pixels must be transformed to display upright (numpy, independent
# of Pillow's transpose), and its inverse to build the stored pixels from an upright picture.
DISPLAY = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1, :],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a.transpose(1, 0, 2)[::-1, ::-1],
    8: lambda a: np.rot90(a, 1),
}


def _stored_for(upright: np.ndarray, orientation: int) -> np.ndarray:
    for candidate in (np.rot90(flip, k) for flip in (upright, upright[:, ::-1]) for k in range(4)):
        if np.array_equal(DISPLAY[orientation](candidate), upright):
            return np.ascontiguousarray(candidate)
    raise AssertionError("no dihedral transform inverts this orientation")


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_png(photo_rgb, orientation):
    upright = np.asarray(photo_rgb)
    stored = Image.fromarray(_stored_for(upright, orientation))
    exif = Image.Exif()
    exif[0x0112] = orientation
    image = load_image(encoded(stored, "PNG", exif=exif.tobytes()))
    assert np.array_equal(np.asarray(image), upright)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_jpeg(orientation):
    # Flat blocks survive JPEG; the red top-left block must come out at the top-left.
    upright = np.zeros((64, 96, 3), np.uint8)
    upright[:32, :48] = (255, 0, 0)
    upright[32:, 48:] = (0, 0, 255)
    stored = Image.fromarray(_stored_for(upright, orientation))
    exif = Image.Exif()
    exif[0x0112] = orientation
    image = np.asarray(load_image(encoded(stored, "JPEG", quality=95, exif=exif.tobytes())), dtype=int)
    assert image.shape == upright.shape
    assert np.abs(image - upright).mean() < 4


def test_alpha_is_kept(photo_rgba):
    image = load_image(encoded(photo_rgba, "PNG"))
    assert image.mode == "RGBA"
    assert np.array_equal(np.asarray(image), np.asarray(photo_rgba))


@pytest.mark.parametrize(
    "make, mode",
    [
        (lambda: Image.new("LA", (8, 8), (100, 128)), "RGBA"),
        (lambda: Image.new("L", (8, 8), 100), "RGB"),
        (lambda: Image.new("1", (8, 8), 1), "RGB"),
        (lambda: Image.new("RGB", (8, 8), (1, 2, 3)).quantize(4), "RGB"),
    ],
)
def test_modes_are_normalised(make, mode):
    assert load_image(encoded(make(), "PNG")).mode == mode


def test_palette_with_transparency_becomes_rgba():
    image = Image.new("P", (8, 8), 0)
    image.putpalette([0, 0, 0, 255, 255, 255])
    image.info["transparency"] = 0
    assert load_image(encoded(image, "PNG", transparency=0)).mode == "RGBA"


def test_cmyk_jpeg_becomes_rgb():
    image = load_image(encoded(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG"))
    assert image.mode == "RGB"
    red, green, blue = np.asarray(image)[4, 4]
    assert red > 200 and green < 60 and blue < 60


def test_sixteen_bit_grey_is_scaled_not_clipped():
    values = np.full((8, 8), 32768, dtype=np.uint16)  # half of the 16-bit range
    image = load_image(encoded(Image.fromarray(values), "PNG"))
    assert image.mode == "RGB"
    assert abs(int(np.asarray(image)[0, 0, 0]) - 128) <= 1


def test_outputs_carry_no_metadata(photo_rgb):
    exif = Image.Exif()
    exif[0x0112] = 1
    exif[0x010F] = "SecretCamera"
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 30.0)  # GPS latitude
    image = load_image(encoded(photo_rgb, "JPEG", exif=exif.tobytes()))
    for fmt in ("PNG", "JPEG", "WEBP"):
        data = encode_image(image, fmt)
        assert b"SecretCamera" not in data and b"Exif" not in data
        with Image.open(io.BytesIO(data)) as written:
            assert not written.getexif()


def test_polyglot_payload_does_not_survive_reencoding(photo_rgb):
    data = encoded(photo_rgb, "JPEG") + b"<script>alert(1)</script>" + b"PK\x03\x04zipdata"
    out = encode_image(load_image(data), "PNG")
    assert b"<script" not in out and b"PK\x03\x04" not in out


def test_save_image_is_atomic_and_picks_format(photo_rgba, tmp_path):
    path = save_image(photo_rgba, tmp_path / "out" / "result.jpg")
    with Image.open(path) as written:
        assert written.format == "JPEG"
    assert [p.name for p in path.parent.iterdir()] == ["result.jpg"]  # no .partial left behind
    with pytest.raises(InvalidImage, match=".png, .jpg or .webp"):
        format_for_path("result.tiff")


@pytest.mark.parametrize(
    "data, limits, reason",
    [
        (b"<html></html>", ImageLimits(), "format"),
        (b"x" * 2000, ImageLimits(max_bytes=1000), "file_size"),
        (png_with_header(50_000, 10), ImageLimits(), "dimensions"),
        (encoded(Image.new("RGB", (300, 200)), "PNG"), ImageLimits(max_pixels=1000), "dimensions"),
        (encoded(Image.new("RGB", (300, 200)), "PNG")[:200], ImageLimits(), "damaged"),
    ],
)
def test_refusals_carry_a_reason_for_fronts(data, limits, reason):
    with pytest.raises(InvalidImage) as refused:
        load_image(data, limits)
    assert refused.value.reason == reason


def test_same_pixels_compares_band_by_band_to_the_last_partial_band():
    from restora.imaging.io import same_pixels

    rng = np.random.default_rng(3)
    picture = Image.fromarray(rng.integers(0, 256, (37, 21, 3), dtype=np.uint8))
    assert same_pixels(picture, picture.copy(), rows=8)
    for y in (0, 36):  # the first band and the last, 5 rows where the others have 8
        changed = picture.copy()
        changed.putpixel((20, y), tuple((value + 1) % 256 for value in picture.getpixel((20, y))))
        assert not same_pixels(picture, changed, rows=8)
    assert not same_pixels(picture, picture.convert("RGBA"))
    assert not same_pixels(picture, picture.crop((0, 0, 21, 36)))
