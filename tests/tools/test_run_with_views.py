"""run_with_views: a tool given an earlier tool's result (the window's chain) starts from its pixels alone, not
from the promises about its file (a size limit and the JPEG quality that met it, a server's JPEG)."""

from __future__ import annotations

from PIL import Image

from restora.imaging.io import JPEG_QUALITY_KEY, MAX_KB_KEY, SOURCE_JPEG_KEY, encode_image, required_format
from restora.tools import TOOLS
from restora.tools.base import run_with_views


def test_a_size_limited_result_turned_by_the_next_tool_is_a_picture_like_any_other():
    limited = Image.new("RGB", (64, 48), "red")  # as the background tool returns an ID photo within 30 KB
    limited.info.update({MAX_KB_KEY: 30, JPEG_QUALITY_KEY: 40, SOURCE_JPEG_KEY: b"\xff\xd8", "dpi": (300, 300)})
    adjust = TOOLS["adjust"]
    turned = run_with_views(adjust, limited, **adjust.validate({"rotate": "left"})).image
    assert turned.size == (48, 64)
    assert required_format(turned) is None and not {MAX_KB_KEY, JPEG_QUALITY_KEY, SOURCE_JPEG_KEY} & set(turned.info)
    assert encode_image(turned, "PNG").startswith(b"\x89PNG")  # was refused: "a file size limit of 30 KB needs a JPEG"
    assert limited.info[MAX_KB_KEY] == 30  # the earlier result is left as it was (Undo goes back to it)
