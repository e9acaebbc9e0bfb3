import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from restora.training.debian import SetEntry


def _textured(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Smooth colour fields with sharp edges: something blur visibly changes."""
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    image = np.stack([np.sin(9 * x + c) * np.cos(7 * y - c) for c in range(3)], axis=2) * 0.3 + 0.5
    for _ in range(6):
        y0, x0 = rng.integers(0, h - 8), rng.integers(0, w - 8)
        image[y0 : y0 + rng.integers(4, 20), x0 : x0 + rng.integers(4, 20)] = rng.uniform(size=3)
    return np.round(image.clip(0, 1) * 255).astype(np.uint8)


@pytest.fixture(scope="session")
def tiny_photo_set(tmp_path_factory) -> Path:
    """A handful of small photos (3 train, 1 val) and one cut-out, with a manifest like `data debian` writes."""
    root = tmp_path_factory.mktemp("photos")
    (root / "photos").mkdir()
    (root / "cutouts").mkdir()
    rng = np.random.default_rng(0)
    entries = []
    for i, split in enumerate(["train", "train", "train", "val"]):
        path = root / "photos" / f"p{i}.jpg"
        Image.fromarray(_textured(rng, 96 + 8 * i, 120)).save(path, quality=95)
        entries.append(SetEntry(f"photos/p{i}.jpg", "test", "1", str(path), "photo", split, 120, 96 + 8 * i, "-"))
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[..., :3] = _textured(rng, 40, 40)
    rgba[8:32, 8:32, 3] = 255
    Image.fromarray(rgba).save(root / "cutouts" / "c0.png")
    entries.append(SetEntry("cutouts/c0.png", "test", "1", "c0.png", "cutout", "train", 40, 40, "-"))
    (root / "manifest.json").write_text(json.dumps({"entries": [asdict(e) for e in entries]}))
    return root
