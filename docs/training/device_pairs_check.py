"""The check behind docs/training/deblur.md §1: pairs from the device maker (here on the CPU) against the
CPU maker's, 120 batches of 16 × 256 px each, same seed: blur strength, crop statistics and time.
Run: .venv/bin/python docs/training/device_pairs_check.py /work/data/debian"""

import sys
import time
from pathlib import Path

import numpy as np
import torch

from restora.tools.deblur.data import PairConfig, PairMaker
from restora.tools.deblur.device_pairs import DevicePairMaker

BATCHES = 120
torch.set_num_threads(2)
config = PairConfig(crop=256, batch=16, kind="mixed")
data = Path(sys.argv[1])
makers = {
    "device maker (CPU tensors)": DevicePairMaker(data, config, seed=1, device=torch.device("cpu"), workers=2,
                                                  bank_size=1024),
    "CPU maker (Pillow, scipy)": PairMaker(data, config, seed=1),
}
for name, maker in makers.items():
    start = time.perf_counter()
    diffs, means, spreads = [], [], []
    for step in range(BATCHES):
        blurred, sharp = (torch.as_tensor(a) for a in maker.batch(step))
        diffs.append((blurred - sharp).abs().mean().item())
        means.append(sharp.mean().item())
        spreads.append(sharp.std().item())
    print(f"{name}: mean |blurred - sharp| {np.mean(diffs):.3f}, sharp mean {np.mean(means):.3f}, "
          f"sharp std {np.mean(spreads):.3f}, {time.perf_counter() - start:.0f} s", flush=True)
