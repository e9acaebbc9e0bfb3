"""A picture kept with the size-limited JPEG it was decoded from (SOURCE_JPEG_KEY) is written as that file, and
only while it still holds that file's pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from restora.imaging.io import SOURCE_JPEG_KEY, InvalidImage, encode_image, required_format


def decoded_with_its_file() -> tuple[Image.Image, bytes]:
    rng = np.random.default_rng(5)
    pixels = np.clip(np.linspace(0, 255, 96)[None, :, None] + rng.normal(0, 20, (64, 96, 3)), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=40, dpi=(300, 300))
    file = buffer.getvalue()
    with Image.open(io.BytesIO(file)) as opened:
        picture = opened.convert("RGB")
    picture.info = {SOURCE_JPEG_KEY: file}
    return picture, file


def test_the_picture_is_written_as_its_file_byte_for_byte():
    picture, file = decoded_with_its_file()
    assert required_format(picture) == "JPEG"
    assert encode_image(picture, "JPEG", quality=95) == file  # not encoded again at the quality asked


def test_a_turned_copy_keeps_the_info_but_is_encoded_from_its_own_pixels():
    picture, file = decoded_with_its_file()
    turned = picture.transpose(Image.Transpose.ROTATE_90)
    assert turned.info.get(SOURCE_JPEG_KEY) == file  # Pillow copies the info with the picture
    written = encode_image(turned, "JPEG")
    with Image.open(io.BytesIO(written)) as saved:
        assert written != file and saved.size == (64, 96)


def test_another_format_is_refused_in_words():
    picture, _ = decoded_with_its_file()
    with pytest.raises(InvalidImage, match="needs a JPEG"):
        encode_image(picture, "PNG")
