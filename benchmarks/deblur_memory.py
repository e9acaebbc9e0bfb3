"""Run the deblur tool once on a large photo in this fresh process and print its peak RSS as JSON."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Not ``getrusage``: on Linux its ru_maxrss survives
    exec, so a child started by a big parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", required=True)
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--method", default="net")
    args = parser.parse_args()

    from benchmarks.common import photo
    from benchmarks.deblur_bench import precision_in_use
    from restora.tools import TOOLS
    from restora.tools.deblur import DEFAULT_TILE

    image = photo(args.megapixels)
    tool = TOOLS["deblur"]
    tool.prepare(weights=args.weights)
    before = peak_rss_mb()
    started, started_cpu = time.perf_counter(), time.process_time()
    tool.run(image, weights=args.weights, method=args.method)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
    peak = peak_rss_mb()
    print(json.dumps({
        "size": [image.width, image.height],
        "tile": DEFAULT_TILE,
        "precision": precision_in_use(),
        "peak_rss_mb": round(peak, 1),
        "rss_before_run_mb": round(before, 1),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
    }))


if __name__ == "__main__":
    main()
