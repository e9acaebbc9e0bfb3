"""Median time to colorize a 1-megapixel photo with the colorize net at the default render size.

Usage: .venv/bin/python docs/training/colorize_speed.py [WEIGHTS.safetensors] [--render-size 256]
Times (2 torch threads, float32) the net alone at the render size, predict_chroma (shrink Y, net,
upsample U,V to the photo) and the whole automatic path (luma, predict_chroma, merge with the photo's own
Y into RGB) on a 1155×866 photo, 7 runs each after one warm-up; prints the medians in seconds.
Without weights a randomly initialised net of the default layout is timed (the same cost).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from restora.imaging.colour import luma, yuv_to_rgb
from restora.nets.colorize import ColorizeGenerator, remove_spectral_norms
from restora.tools.colorize.inference import DEFAULT_RENDER_SIZE, build_generator, predict_chroma, render_shape


def median_time(run, repeats: int = 7) -> float:
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("weights", nargs="?", type=Path)
    parser.add_argument("--render-size", type=int, default=DEFAULT_RENDER_SIZE)
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.weights:
        from restora.weights import read_safetensors

        net = build_generator(read_safetensors(args.weights))
    else:
        net = remove_spectral_norms(ColorizeGenerator().eval())
    rgb = np.random.default_rng(0).integers(0, 256, size=(866, 1155, 3), dtype=np.uint8)
    h, w = render_shape(866, 1155, args.render_size, net.config.multiple)
    small = torch.rand(1, 1, h, w)

    def net_only() -> None:
        with torch.inference_mode():
            net(small)

    def whole() -> None:
        y = luma(rgb)
        yuv_to_rgb(np.dstack([y, predict_chroma(y, net, args.render_size)]))

    y = luma(rgb)
    print(f"render {w}x{h}: net {median_time(net_only):.3f} s, "
          f"predict_chroma {median_time(lambda: predict_chroma(y, net, args.render_size)):.3f} s, "
          f"whole 1-MP colorize {median_time(whole):.3f} s (medians of 7)")


if __name__ == "__main__":
    main()
