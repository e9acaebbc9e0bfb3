"""docs/background-edges.png: the astronaut's hair on the ID red, each segmenter's mask as it is and refined.

    PYTHONPATH=. .venv/bin/python docs/background_figure.py
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from skimage import data

from restora.imaging import composite, matting
from restora.tools.background import Background
from restora.tools.background.segment import segment

SIDE = 1024  # px: the 512-px astronaut enlarged, about a phone portrait's face size
CROP = (300, 10, 720, 430)  # her hair and face


def main() -> None:
    tool = Background()
    rgb = np.asarray(Image.fromarray(data.astronaut()).resize((SIDE, SIDE), Image.Resampling.BICUBIC))
    red = composite.flat((SIDE, SIDE), composite.ID_COLOURS["red"])
    tiles = []
    for segmenter in ("u2netp", "person"):
        found = segment(rgb, segmenter, cached=tool.cached)
        tiles.append((f"{segmenter}: mask as is", composite.composite(rgb, found.alpha, red)))
        for edges in ("fast", "fine"):
            matte = matting.refine(rgb, found.alpha, edges, soft=found.segmenter == "person")
            tiles.append((f"{segmenter}: edges {edges}", composite.composite_matte(rgb, matte, red)))
    width, height = CROP[2] - CROP[0], CROP[3] - CROP[1]
    figure = Image.new("RGB", (3 * width, 2 * (height + 20)), "white")
    draw = ImageDraw.Draw(figure)
    for index, (label, tile) in enumerate(tiles):
        x, y = width * (index % 3), (height + 20) * (index // 3)
        figure.paste(Image.fromarray(tile).crop(CROP), (x, y + 20))
        draw.text((x + 6, y + 4), label, fill="black")
    figure.save("docs/background-edges.png", optimize=True)


if __name__ == "__main__":
    main()
