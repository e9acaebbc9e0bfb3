"""The deblur evaluation set: photos bundled inside the scikit-image and scikit-learn wheels.

They are on every machine that installs Restora's test dependencies, need no download, and are never
in the training data (that comes from Debian packages). skimage's ``camera`` is left out: it is grey,
and it is the one image the classical baselines' settings were picked on (``imaging/sharpen.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PIL import Image


@dataclass(frozen=True)
class EvalImage:
    name: str
    package: str  # the wheel it ships in
    resource: str  # path inside the package
    licence: str
    credit: str


EVAL_IMAGES = (
    EvalImage("astronaut", "skimage", "data/astronaut.png", "public domain", "NASA (Eileen Collins), via scikit-image"),
    EvalImage("chelsea", "skimage", "data/chelsea.png", "CC0", "Stefan van der Walt, via scikit-image"),
    EvalImage("coffee", "skimage", "data/coffee.png", "CC0", "Rachel Michetti, via scikit-image"),
    EvalImage("rocket", "skimage", "data/rocket.jpg", "public domain", "SpaceX, via scikit-image"),
    EvalImage(
        "motorcycle_left",
        "skimage",
        "data/motorcycle_left.png",
        "see the Middlebury 2014 stereo dataset terms",
        "Scharstein et al., Middlebury stereo 2014, via scikit-image",
    ),
    EvalImage(
        "china",
        "sklearn",
        "datasets/images/china.jpg",
        "CC-BY-2.0",
        "danielbuechele on Flickr (flickr.com/photos/danielbuechele/6061409035), via scikit-learn",
    ),
    EvalImage(
        "flower",
        "sklearn",
        "datasets/images/flower.jpg",
        "CC-BY-2.0",
        "vultilion on Flickr (flickr.com/photos/vultilion/6056698931), via scikit-learn",
    ),
)


def eval_image_path(image: EvalImage) -> Path:
    return Path(str(resources.files(image.package).joinpath(image.resource)))


def export_eval_set(out_dir: Path) -> list[Path]:
    """Write every evaluation photo as ``<name>.png`` (RGB) into ``out_dir`` with a CREDITS.md; returns the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for image in EVAL_IMAGES:
        with Image.open(eval_image_path(image)) as source:
            target = out_dir / f"{image.name}.png"
            source.convert("RGB").save(target)
            written.append(target)
    lines = ["# Restora deblur evaluation set", "", "| file | licence | credit |", "|---|---|---|"]
    lines += [f"| {i.name}.png | {i.licence} | {i.credit} |" for i in EVAL_IMAGES]
    (out_dir / "CREDITS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written
