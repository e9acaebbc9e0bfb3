"""Seconds and peak memory of DeOldify's generator on a 1-MP photo through the colorize pipeline
(docs/colorize.md, "Using DeOldify's published weights").

    .venv/bin/python docs/colorize/deoldify_speed.py artistic|stable RENDER_SIZE [WEIGHTS_FILE]

Without WEIGHTS_FILE, a generator of that configuration with random weights (the same cost as the
published one: this measures time, not colours). Wall and CPU seconds of one run after a warm-up (a run
takes minutes on a CPU), the process's peak RSS, and the load average (the machine is shared).
"""

from __future__ import annotations

import os
import resource
import sys
import time

import numpy as np
import torch

from restora.nets.colorize import remove_spectral_norms
from restora.nets.deoldify import PRESETS, DeOldifyGenerator
from restora.tools.colorize import Colorize, colorize_array


def main() -> None:
    name, render_size = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(2)
    if len(sys.argv) > 3:
        net = Colorize().generator(sys.argv[3])
    else:
        torch.manual_seed(0)
        net = remove_spectral_norms(DeOldifyGenerator(PRESETS[name]).eval())
    grey = np.repeat(np.random.default_rng(0).integers(0, 256, (866, 1155, 1), dtype=np.uint8), 3, axis=2)  # 1.0 MP
    colorize_array(grey, net, render_size=render_size)  # warm-up
    started, started_cpu = time.perf_counter(), time.process_time()
    colorize_array(grey, net, render_size=render_size)
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name} at {render_size} px: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak_mb:,.0f} MB "
          f"(load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
