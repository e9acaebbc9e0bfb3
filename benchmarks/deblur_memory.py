"""Run the deblur tool once on a large photo in this fresh process and print its peak RSS as JSON."""

from __future__ import annotations

import argparse
import json
import resource
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", required=True)
    parser.add_argument("--megapixels", type=float, default=12.0)
    args = parser.parse_args()

    from benchmarks.common import photo
    from restora.tools import TOOLS

    image = photo(args.megapixels)
    tool = TOOLS["deblur"]
    tool.prepare(weights=args.weights)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started, started_cpu = time.perf_counter(), time.process_time()
    tool.run(image, weights=args.weights)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "size": [image.width, image.height],
        "tile": 1024,
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_before_run_mb": round(before / 1024, 1),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
    }))


if __name__ == "__main__":
    main()
