"""Finding faces: OpenCV's Viola–Jones frontal-face cascade, which ships inside the opencv-python-headless
wheel (``cv2/data``; the 4.x wheels carry it, the 5.x ones do not, hence the pin), so it works offline right
after set-up. Used to tell a portrait from an object photo (``auto``) and to place ID photos.

Checked on 24 photos (docs/background-segmenters.md): every frontal or near-frontal face of at least a tenth
of the short side found, none on coffee, chelsea or landscapes; a face tilted by ~30° (kphotoalbum's
``jesper.jpg``) is missed, as Haar cascades do.
"""

from __future__ import annotations

import threading

import numpy as np

CASCADE = "haarcascade_frontalface_default.xml"
DETECT_SIDE = 480  # px: faces worth keeping are large, so a small copy is enough and 4-8× faster
MIN_FACE = 0.06  # of the short side: smaller "faces" are crowds in the distance or false alarms
PORTRAIT_FACE = 0.12  # of the short side: a face this large makes the photo a portrait
PORTRAIT_DETECT_SIDE = 360  # px: enough to find faces of PORTRAIT_FACE (see find_portrait_faces)

_local = threading.local()  # a cascade per thread: detectMultiScale keeps scratch state in the object


def _cascade():
    import cv2

    cascade = getattr(_local, "cascade", None)
    if cascade is None:
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE)
        if cascade.empty():
            raise RuntimeError(f"OpenCV's {CASCADE} is missing: reinstall opencv-python-headless (requirements.txt)")
        _local.cascade = cascade
    return cascade


def detect_faces(rgb: np.ndarray, smallest_fraction: float = MIN_FACE, side: int = DETECT_SIDE) -> list[tuple[int, int, int, int]]:
    """Frontal faces in an H×W×3 uint8 picture as (x, y, w, h) boxes in its pixels, largest first.

    ``smallest_fraction``: the smallest face looked for, as a fraction of the short side; ``side``: the long
    side the photo is searched at. Telling a portrait (:func:`find_portrait_faces`) needs neither small faces
    nor fine steps, which are most of the cascade's work.
    """
    import cv2

    height, width = rgb.shape[:2]
    scale = min(1.0, side / max(height, width))
    small = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    grey = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))  # evens out dim and backlit faces
    smallest = max(12, int(smallest_fraction * min(grey.shape)))
    # minNeighbors 8, not OpenCV's 3 or the usual 5: at 5 the astronaut's helmet visor and a dog passed as faces.
    found = _cascade().detectMultiScale(grey, scaleFactor=1.1, minNeighbors=8, minSize=(smallest, smallest))
    boxes = [
        (round(x / scale), round(y / scale), round(w / scale), round(h / scale)) for x, y, w, h in np.asarray(found).reshape(-1, 4)
    ]
    return sorted(boxes, key=lambda box: box[2] * box[3], reverse=True)


def is_portrait(faces: list[tuple[int, int, int, int]], shape: tuple[int, ...]) -> bool:
    """Whether a face is large enough for person matting to be the right segmenter."""
    return any(w >= PORTRAIT_FACE * min(shape[:2]) for _, _, w, _ in faces)


def find_portrait_faces(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The faces large enough to make a portrait, searched for cheaply: at 360 px a portrait's face is at least
    32 px, above the cascade's 24-px window. The same portrait / not-portrait answer as :func:`detect_faces` on
    the astronaut, Grace Hopper, face-recognition 1.3.0's six test photos, coffee and chelsea, in about half the
    CPU time (docs/background_faces_check.py prints both)."""
    return detect_faces(rgb, smallest_fraction=PORTRAIT_FACE, side=PORTRAIT_DETECT_SIDE)
