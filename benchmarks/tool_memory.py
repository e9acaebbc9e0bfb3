"""Run one registered tool once on a large photo in this fresh process and print its peak RSS as JSON.

``python -m benchmarks.tool_memory --tool NAME [--megapixels 12] [--params JSON]``; the parameters default
to the tool's ``bench_params``.
"""

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
    parser.add_argument("--tool", required=True)
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--params", default="", help="JSON object of raw parameters; default: the tool's bench_params")
    parser.add_argument("--shaken", action="store_true", help="blur the photo by camera shake first")
    args = parser.parse_args()

    from benchmarks.common import photo, shaken_photo
    from restora.config import load_settings
    from restora.tools import TOOLS, run_with_views

    tool = TOOLS[args.tool]
    raw = json.loads(args.params) if args.params else dict(tool.bench_params)
    params = tool.validate(raw)
    image = shaken_photo(args.megapixels) if args.shaken else photo(args.megapixels)
    settings = load_settings()
    tool.prepare(settings=settings, **params)
    before = peak_rss_mb()
    started, started_cpu = time.perf_counter(), time.process_time()
    run_with_views(tool, image, settings=settings, **params)  # the views too, as a job makes them
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
    print(json.dumps({
        "size": [image.width, image.height],
        "params": raw,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_before_run_mb": round(before, 1),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
    }))


if __name__ == "__main__":
    main()
