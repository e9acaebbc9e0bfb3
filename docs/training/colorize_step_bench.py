"""Seconds per training step (forward + backward) of the default colorize net, batch 12 of 128 px.

Usage: nice -n 19 .venv/bin/python docs/training/colorize_step_bench.py THREADS
(prefix OMP_WAIT_POLICY=PASSIVE to compare OpenMP's waiting policies; docs/training/colorize.md).
"""

import sys
import time

import torch

from restora.nets.colorize import ColorizeGenerator

torch.set_num_threads(int(sys.argv[1]))
net = ColorizeGenerator().train()
y = torch.rand(12, 1, 128, 128)
times = []
for _ in range(4):
    start = time.perf_counter()
    net.logits(y).mean().backward()
    times.append(time.perf_counter() - start)
print(sys.argv[1:], [round(t, 2) for t in times])
