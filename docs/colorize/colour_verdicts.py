"""The colour-photo test's numbers behind restora/imaging/old_photo.py's thresholds (docs/colorize.md §4).

    .venv/bin/python docs/colorize/colour_verdicts.py

Colour photos: the scikit-image/scikit-learn evaluation photos and the kphotoalbum photos of the colorize
set (data/colorize/photos). Toned greys: three of those photos made grey, then sepia-toned (strongest in
the mid-tones), sepia with film grain, and yellowed with a side-to-side gradient and a stain, saved as
JPEG at quality 50-70 (chroma noise and 4:2:0 subsampling, as scans are).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from restora.imaging.colour import luma, to_uint8, yuv_to_rgb
from restora.imaging.old_photo import ACROSS_THRESHOLD, ALONG_THRESHOLD, colour_verdict
from restora.training.eval_set import EVAL_IMAGES, eval_image_path


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


def toned_versions(rgb: np.ndarray) -> dict[str, np.ndarray]:
    y = luma(rgb)
    height, width = y.shape
    tint = 4 * y * (1 - y)
    sepia = to_uint8(yuv_to_rgb(np.dstack([y, -0.08 * tint, 0.07 * tint])))
    grain = np.clip(y + np.random.default_rng(0).normal(0, 0.04, y.shape), 0, 1)
    g_tint = 4 * grain * (1 - grain)
    grained = to_uint8(yuv_to_rgb(np.dstack([grain, -0.08 * g_tint, 0.07 * g_tint])))
    rows, cols = np.mgrid[:height, :width]
    across = cols / width
    stain = np.exp(-((rows - height / 3) ** 2 + (cols - width / 3) ** 2) / (2 * (height / 8) ** 2))
    yellowed = to_uint8(yuv_to_rgb(np.dstack([y, -0.05 - 0.06 * across - 0.08 * stain, 0.03 + 0.03 * across + 0.04 * stain])))
    return {"sepia": sepia, "sepia jpeg50": jpeg(sepia, 50), "sepia+grain jpeg50": jpeg(grained, 50),
            "yellowed+stain jpeg70": jpeg(yellowed, 70)}


def main() -> None:
    colour = {image.name: np.asarray(Image.open(eval_image_path(image)).convert("RGB")) for image in EVAL_IMAGES}
    for path in sorted(Path("data/colorize/photos").glob("kphotoalbum__*.jpg")):
        colour[path.stem.removeprefix("kphotoalbum__")] = np.asarray(Image.open(path).convert("RGB"))
    toned = {f"{name} {kind}": picture for name in ("astronaut", "chelsea", "coffee")
             for kind, picture in toned_versions(colour[name]).items()}
    print(f"thresholds: across > {ACROSS_THRESHOLD} or along > {ALONG_THRESHOLD}")
    for group, pictures in (("colour photos", colour), ("toned greys", toned)):
        verdicts = {name: colour_verdict(picture) for name, picture in pictures.items()}
        print(f"{group}: {sum(v.is_colour for v in verdicts.values())} of {len(verdicts)} called colour; "
              f"max across {max(v.across for v in verdicts.values()):.4f}, "
              f"max along {max(v.along for v in verdicts.values()):.4f}")
        for name, v in verdicts.items():
            print(f"  {name:28s} colour={v.is_colour!s:5s} along={v.along:.4f} across={v.across:.4f} tint={v.tint:.3f}")


if __name__ == "__main__":
    main()
