"""Make the home page's before/after examples with Restora's own tools.

``PYTHONPATH=. .venv/bin/python docs/make_web_examples.py`` writes ``restora/web/static/examples/*.jpg``
and ``examples.json`` (the carousel's manifest: tool, pictures, caption in each language) from photos
that ship inside scikit-image (public domain or CC0, see ``skimage.data``). Each "before" is a dark or
turned copy made with the adjust tool; each "after" is that copy put right by the adjust tool, as a user
would. The site shows an entry only while its tool is installed (restora.web.content.carousel_examples).
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from restora.tools import TOOLS

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "restora" / "web" / "static" / "examples"
WIDTH = 480  # px: sharp enough on phones, about 30 kB per JPEG

# (slot, skimage photo, how the "before" was spoiled, how adjust puts it right, caption)
RECIPES = (
    ("adjust-1", "astronaut", {"rotate": "right", "brightness": 0.4}, {"rotate": "left", "brightness": 2.4},
     {"en": "A dark, sideways photo, turned upright and brightened.", "zh": "一张又暗又横着的照片，被转正并调亮。"}),
    ("adjust-2", "coffee", {"rotate": "none", "brightness": 0.35}, {"rotate": "none", "brightness": 2.7},
     {"en": "An underexposed photo, brightened.", "zh": "一张曝光不足的照片，被调亮。"}),
    ("adjust-3", "chelsea", {"rotate": "180", "brightness": 0.5}, {"rotate": "180", "brightness": 1.9},
     {"en": "A photo taken upside down, turned and brightened.", "zh": "一张倒着拍的照片，被转正并调亮。"}),
)


def load_photo(name: str) -> Image.Image:
    from skimage import data

    image = Image.fromarray(getattr(data, name)())
    return image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.Resampling.LANCZOS)


def make_examples(out_dir: Path = EXAMPLES_DIR) -> list[Path]:
    tool = TOOLS["adjust"]
    out_dir.mkdir(parents=True, exist_ok=True)
    written, manifest = [], []
    for slot, photo, spoil, fix, caption in RECIPES:
        before = tool.run(load_photo(photo), **tool.validate(spoil))
        after = tool.run(before, **tool.validate(fix))
        for label, image in (("before", before), ("after", after)):
            path = out_dir / f"{slot}-{label}.jpg"
            image.convert("RGB").save(path, quality=82, optimize=True, progressive=True)
            written.append(path)
        manifest.append({"tool": tool.name, "before": f"examples/{slot}-before.jpg",
                         "after": f"examples/{slot}-after.jpg", "caption": caption})
    (out_dir / "examples.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":
    for path in make_examples():
        print(path)
