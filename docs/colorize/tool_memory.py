"""Peak memory of the colorize pipeline on a 12-MP photo with 2 % hints and a reference (docs/colorize.md §3).

    .venv/bin/python docs/colorize/tool_memory.py [WEIGHTS]

WEIGHTS as in tool_speed.py (default: a generator of the default architecture with random weights).
Prints the process's peak resident memory (ru_maxrss) before and after, and the seconds taken.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from restora.nets.colorize import ColorizeGenerator, ColorizeNetConfig, remove_spectral_norms
from restora.tools.colorize import Colorize, colorize_array
from restora.tools.colorize.evaluate import make_grey, sample_hints

PHOTO = Path("data/colorize/photos/kphotoalbum__donna.jpg")
REFERENCE = Path("data/colorize/photos/kphotoalbum__pool.jpg")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    torch.set_num_threads(2)
    net = Colorize().generator(sys.argv[1]) if len(sys.argv) > 1 else remove_spectral_norms(
        ColorizeGenerator(ColorizeNetConfig()).eval())
    image = Image.open(PHOTO).convert("RGB").resize((4000, 3000), Image.Resampling.LANCZOS)  # 12 MP
    original = np.asarray(image)
    grey = make_grey(original)
    hints = sample_hints(original, 0.02, 2026, PHOTO.name)
    reference = Image.open(REFERENCE).convert("RGB")
    del image, original
    before = peak_mb()
    started = time.perf_counter()
    colorize_array(grey, net, hints=hints, reference=reference)
    print(f"12 MP with 2 % hints and a reference: {time.perf_counter() - started:.1f} s, peak memory "
          f"{peak_mb():.0f} MB (inputs loaded: {before:.0f} MB)")


if __name__ == "__main__":
    main()
