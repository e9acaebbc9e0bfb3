"""Seconds of the whole colorize pipeline on a 1-MP photo, without and with 2 % hints (docs/colorize.md §3).

    .venv/bin/python docs/colorize/tool_speed.py [WEIGHTS]

WEIGHTS: a colorize weights name or file; without it, a generator of the default architecture with
random weights (the same cost as a trained one: this measures time, not colours). Wall and CPU
seconds, median of 3 runs after a warm-up, with the load average (the machine is shared).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from restora.nets.colorize import ColorizeGenerator, ColorizeNetConfig
from restora.nets.colorize import remove_spectral_norms
from restora.tools.colorize import Colorize, colorize_array
from restora.tools.colorize.evaluate import make_grey, sample_hints

PHOTO = sorted(Path("data/colorize/photos").glob("kphotoalbum__donna.jpg"))[0]


def main() -> None:
    torch.set_num_threads(2)
    if len(sys.argv) > 1:
        net = Colorize().generator(sys.argv[1])
    else:
        net = remove_spectral_norms(ColorizeGenerator(ColorizeNetConfig()).eval())
    image = Image.open(PHOTO).convert("RGB").resize((1155, 866), Image.Resampling.LANCZOS)  # 1.0 MP
    original = np.asarray(image)
    grey = make_grey(original)
    hints = sample_hints(original, 0.02, 2026, PHOTO.name)
    for label, given in (("no hints", None), ("2 % hints", hints)):
        colorize_array(grey, net, hints=given)  # warm-up
        wall, cpu = [], []
        for _ in range(3):
            started, started_cpu = time.perf_counter(), time.process_time()
            colorize_array(grey, net, hints=given)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        print(f"{label}: median {statistics.median(wall):.2f} s wall, {statistics.median(cpu):.2f} s CPU "
              f"(load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
