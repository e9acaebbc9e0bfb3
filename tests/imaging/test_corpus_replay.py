"""Replay Pillow's own test images (valid, malformed, truncated, bombs) through imaging.io.

Every file must be decoded within the caps or refused with InvalidImage: never another exception,
never a hang (the per-test timeout catches one).
"""

from __future__ import annotations

import pytest

from restora.imaging.io import DEFAULT_LIMITS, InvalidImage, load_image
from tests.conftest import PILLOW_CORPUS

FILES = sorted(p for p in PILLOW_CORPUS.rglob("*") if p.is_file()) if PILLOW_CORPUS.is_dir() else []


@pytest.mark.corpus
@pytest.mark.timeout(20)
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PILLOW_CORPUS)) for p in FILES])
def test_corpus_file_is_decoded_or_refused(path):
    try:
        image = load_image(path)
    except InvalidImage as exc:
        assert str(exc)  # a message a person can read
        return
    assert image.mode in ("RGB", "RGBA")
    assert image.width * image.height <= DEFAULT_LIMITS.max_pixels
    assert max(image.size) <= DEFAULT_LIMITS.max_side
    image.tobytes()  # the pixels are really there
