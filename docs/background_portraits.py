"""docs/images/background/*.png: the background tool on real portraits, crops around the hair.

    mkdir -p ~/.cache/restora-portraits && cd ~/.cache/restora-portraits && \\
      pip download --no-deps --no-binary :all: face-recognition==1.3.0 && \\
      tar xzf face_recognition-1.3.0.tar.gz --wildcards '*/tests/test_images/*.jpg' && cd -
    PYTHONPATH=. .venv/bin/python docs/background_portraits.py --portraits ~/.cache/restora-portraits

Portraits that come with packages, so nothing is downloaded from elsewhere: skimage's astronaut (Eileen
Collins, NASA), matplotlib's Grace Hopper, and the face-recognition 1.3.0 sdist's official portraits of
Barack Obama and Joe Biden (US government works). Each is run whole, at its own size, through the tool as
a user would run it (``Background().run``: ``auto`` segmenter, one call per edge mode), on an ID colour
that contrasts with its old background so a halo would show. Each PNG is one row: the photo, the default
result (``edges fine``), and ``edges fast``, cropped around the top of the head (a box from the face
detector's), at the photo's own pixels (at most 300×220 of them; a crop under 150 px wide is shown at 2×,
each pixel a 2×2 block). Prints each file's size and the tool's CPU time per run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

OUT = Path(__file__).parent / "images" / "background"
TILE_WIDTH = 300  # px of the photo, not resampled: three tiles side by side stay under 150 KB as PNG
TILE_HEIGHT = 220
LABEL_HEIGHT = 16


def portraits(folder: Path) -> dict[str, tuple[Image.Image, str]]:
    """name -> (photo, the contrasting background colour)."""
    import matplotlib
    from skimage import data

    images = folder / "face_recognition-1.3.0" / "tests" / "test_images"
    hopper = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    return {
        # light grey studio background and dark hair: the dark ID red shows a pale halo
        "astronaut": (Image.fromarray(data.astronaut()), "red"),
        "obama": (Image.open(images / "obama.jpg"), "red"),  # bright window behind short dark hair
        "biden": (Image.open(images / "biden.jpg"), "blue"),  # gold curtains behind white hair
        "hopper": (Image.open(hopper), "red"),  # a blue backdrop behind a dark cap with a white band
    }


def hair_box(face: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The left half of the head from above the crown to the brows, at most TILE_WIDTH × TILE_HEIGHT px."""
    x, y, w, h = face
    width, height = min(TILE_WIDTH, round(1.3 * w)), min(TILE_HEIGHT, round(1.0 * h))
    left, top = max(0, x - round(0.45 * w)), max(0, y - round(0.75 * h))
    return left, top, min(size[0], left + width), min(size[1], top + height)


def tile(picture: Image.Image, box: tuple[int, int, int, int], label: str) -> Image.Image:
    crop = picture.crop(box)
    if crop.width < TILE_WIDTH // 2:  # a small photo's crop: each pixel shown as 2×2, not interpolated
        crop = crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.NEAREST)
    labelled = Image.new("RGB", (max(crop.width, 6 * len(label) + 8), crop.height + LABEL_HEIGHT), "white")
    labelled.paste(crop, (0, LABEL_HEIGHT))
    ImageDraw.Draw(labelled).text((4, 2), label, fill="black")
    return labelled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portraits", type=Path, required=True,
                        help="folder holding face_recognition-1.3.0/tests/test_images (the sdist, unpacked)")
    args = parser.parse_args()

    from restora.tools.background import Background
    from restora.tools.background.faces import detect_faces
    from restora.tools.base import run_with_views

    tool = Background()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (photo, colour) in portraits(args.portraits).items():
        photo = photo.convert("RGB")
        faces = detect_faces(np.asarray(photo))
        box = hair_box(faces[0], photo.size)
        scale = " (2x)" if box[2] - box[0] < TILE_WIDTH // 2 else ""
        tiles = [tile(photo, box, f"{name} {photo.width}x{photo.height}{scale}")]
        for edges in ("fine", "fast"):
            values = tool.validate({"color": colour, "edges": edges})
            run_with_views(tool, photo, **values)  # warm-up: builds the onnxruntime session
            started = time.process_time()
            result = run_with_views(tool, photo, **values).image
            cpu_ms = round(1000 * (time.process_time() - started))
            tiles.append(tile(result, box, f"--color {colour} --edges {edges}" + (" (default)" if edges == "fine" else "")))
            print(f"{name}: edges {edges}, {cpu_ms} ms CPU")
        row = Image.new("RGB", (sum(t.width for t in tiles) + 4 * (len(tiles) - 1), max(t.height for t in tiles)), "white")
        left = 0
        for part in tiles:
            row.paste(part, (left, 0))
            left += part.width + 4
        path = OUT / f"{name}-hair.png"
        row.save(path, optimize=True)
        print(f"{path}: {row.width}x{row.height}, {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
