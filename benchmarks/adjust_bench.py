"""The adjust tool (rotate left + brightness 1.3) on 1- and 12-megapixel photos."""

from __future__ import annotations

from benchmarks.common import median_ms, photo


def run() -> list[dict]:
    from restora.tools import TOOLS

    tool = TOOLS["adjust"]
    entries = []
    for megapixels, repeats in ((1, 15), (12, 5)):
        image = photo(megapixels)
        median, times = median_ms(lambda: tool.run(image, rotate="left", brightness=1.3), repeats)
        pixels = image.width * image.height / 1e6
        entries.append({
            "name": f"adjust_{megapixels}mp",
            "size": [image.width, image.height],
            "median_ms": round(median, 2),
            "ms_per_megapixel": round(median / pixels, 2),
            "runs_ms": [round(t, 2) for t in times],
            "params": {"rotate": "left", "brightness": 1.3},
        })
    return entries
