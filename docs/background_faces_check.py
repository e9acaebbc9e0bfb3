"""What restora's face detector (restora.tools.background.faces) finds in photos, and what ``auto`` picks.

    .venv/bin/python docs/background_faces_check.py PHOTO...      # prints faces (width / short side) per photo

Used for docs/background-segmenters.md on skimage's astronaut, coffee and chelsea (pass "skimage:NAME"),
matplotlib's grace_hopper.jpg, face-recognition 1.3.0's sdist test images and kphotoalbum 5.9.1's demo photos.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from PIL import Image

from restora.tools.background.faces import detect_faces, find_portrait_faces, is_portrait


def load(name: str) -> np.ndarray:
    if name.startswith("skimage:"):
        from skimage import data

        return getattr(data, name.split(":", 1)[1])()
    return np.asarray(Image.open(name).convert("RGB"))


def main() -> None:
    for name in sys.argv[1:]:
        rgb = load(name)
        start = time.perf_counter()
        faces = detect_faces(rgb)
        took = time.perf_counter() - start
        widths = ", ".join(f"{w / min(rgb.shape[:2]):.2f}" for _, _, w, _ in faces)
        choice = "person" if is_portrait(faces, rgb.shape) else "u2netp"
        # What auto itself runs: the cheaper search for portrait-sized faces only; CPU time, as the box is shared.
        detect_faces(rgb)
        cpu = time.process_time()
        detect_faces(rgb)
        full_cpu = time.process_time() - cpu
        cpu = time.process_time()
        auto_faces = find_portrait_faces(rgb)
        auto_cpu = time.process_time() - cpu
        auto_choice = "person" if is_portrait(auto_faces, rgb.shape) else "u2netp"
        print(f"{name.rsplit('/', 1)[-1]}: {len(faces)} face(s) [{widths}] -> {choice} ({1000 * took:.0f} ms wall, "
              f"{1000 * full_cpu:.0f} ms CPU); portrait search -> auto = {auto_choice} ({1000 * auto_cpu:.0f} ms CPU)")


if __name__ == "__main__":
    main()
