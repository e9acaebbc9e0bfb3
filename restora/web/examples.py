"""Make the home page's before/after examples with Restora's own adjust tool.

``python -m restora.web.examples`` writes ``static/examples/*.jpg`` from photos that ship inside
scikit-image (public domain or CC0, see ``skimage.data``). Each "before" is a dark or turned copy made with
the adjust tool; each "after" is that copy put right by the adjust tool, as a user would. When the deblur,
colorize and background tools ship weights, a ``<tool>-before.jpg``/``<tool>-after.jpg`` pair made with
each of them takes over its slot in the carousel (see ``content.carousel_examples``).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from restora.tools import TOOLS

EXAMPLES_DIR = Path(__file__).parent / "static" / "examples"
WIDTH = 480  # px: sharp enough on phones, about 30 kB per JPEG

# (slot, skimage photo, how the "before" was spoiled, how adjust puts it right)
RECIPES = (
    ("adjust-1", "astronaut", {"rotate": "right", "brightness": 0.4}, {"rotate": "left", "brightness": 2.4}),
    ("adjust-2", "coffee", {"rotate": "none", "brightness": 0.35}, {"rotate": "none", "brightness": 2.7}),
    ("adjust-3", "chelsea", {"rotate": "180", "brightness": 0.5}, {"rotate": "180", "brightness": 1.9}),
)


def load_photo(name: str) -> Image.Image:
    from skimage import data

    image = Image.fromarray(getattr(data, name)())
    return image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.Resampling.LANCZOS)


def make_examples(out_dir: Path = EXAMPLES_DIR) -> list[Path]:
    tool = TOOLS["adjust"]
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for slot, photo, spoil, fix in RECIPES:
        before = tool.run(load_photo(photo), **tool.validate(spoil))
        after = tool.run(before, **tool.validate(fix))
        for label, image in (("before", before), ("after", after)):
            path = out_dir / f"{slot}-{label}.jpg"
            image.convert("RGB").save(path, quality=82, optimize=True, progressive=True)
            written.append(path)
    return written


if __name__ == "__main__":
    for path in make_examples():
        print(path)
