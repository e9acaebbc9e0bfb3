"""Draw docs/training/deblur-kernels.png: linear and trajectory kernels as the training data draws them.

    .venv/bin/python docs/training/deblur_kernels_figure.py
"""

import numpy as np
from PIL import Image

from restora.imaging.blur import EXPOSURE_FRACTIONS, TRAJECTORY_EXPL, linear_kernel, trajectory_kernels

CELL = 72


def tile(kernel: np.ndarray) -> np.ndarray:
    canvas = np.zeros((CELL, CELL), np.float32)
    k = kernel / kernel.max()
    h, w = k.shape
    y, x = (CELL - h) // 2, (CELL - w) // 2
    canvas[y : y + h, x : x + w] = k
    return canvas


rows = [[tile(linear_kernel(length, angle)) for length, angle in [(5, 0), (10.5, 30), (17, 60), (24, 100), (30, 135), (30, 170)]]]
for i, expl in enumerate(TRAJECTORY_EXPL[::2]):
    row = []
    for seed in range(2):
        row += [tile(k) for k in trajectory_kernels(np.random.default_rng([i, seed]), expl=expl, fractions=EXPOSURE_FRACTIONS)]
    rows.append(row)
grid = np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)
grid = np.pad(grid, 2)
Image.fromarray(np.round(np.sqrt(grid) * 255).astype(np.uint8)).resize((grid.shape[1] * 2, grid.shape[0] * 2), Image.Resampling.NEAREST).save("docs/training/deblur-kernels.png")
print("wrote docs/training/deblur-kernels.png")
