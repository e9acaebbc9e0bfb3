"""The timing behind docs/training/deblur.md §12: kernel estimates of a shaken 768-px photo one after the
other (each FFT on every core) and side by side (one FFT thread each, restora.imaging.blind's thread
pool), and whether they give the same kernels.
Run on an idle machine, from the repository root: PYTHONPATH=. .venv/bin/python docs/training/deblur_side_by_side.py"""

import time

import numpy as np
from scipy import fft
from skimage import data

from restora.imaging import blind
from restora.imaging.blur import blur_image, linear_kernel

sharp = np.tile(data.astronaut().astype(np.float32) / 255.0, (2, 1, 1))[:768, :768]
shaken = blur_image(sharp, linear_kernel(15, 30))
config = blind.BlindConfig()
copies, _ = blind.estimation_views(shaken, config, 3)
for count in (2, 3):
    start = time.perf_counter()
    with fft.set_workers(-1):
        in_turn = [blind.estimate_kernel(copy, config, pad_extra_at=side) for copy, side in copies[:count]]
    middle = time.perf_counter()
    side_by_side = blind.estimate_side_by_side(copies[:count], config, None)
    end = time.perf_counter()
    same = all(np.array_equal(a, b) for a, b in zip(in_turn, side_by_side))
    print(f"{count} estimates: one after the other {middle - start:.2f} s, side by side {end - middle:.2f} s, "
          f"same kernels: {same}")
