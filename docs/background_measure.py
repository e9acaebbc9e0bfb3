"""Time and peak memory of the background tool in this fresh process, printed as one JSON line.

    PYTHONPATH=. .venv/bin/python docs/background_measure.py --megapixels 1 --segmenter auto --edges fast
    PYTHONPATH=. .venv/bin/python docs/background_measure.py --photo object --edges fine

--photo portrait: skimage's astronaut enlarged (benchmarks.common.photo, what `make bench` times), so
``auto`` runs person matting; --photo object: skimage's coffee cup at the same size, so ``auto`` runs U²-Netp.

Times: the whole tool (segment + edges + compositing on the default white), then the segmenter alone and
the rest alone, each the median of --repeats runs after one warm-up run (which builds the onnxruntime
session and, for auto, OpenCV's face cascade). CPU times are reported beside wall times: on a shared machine
wall time grows with the others' load, CPU time much less. Peak memory is the process's VmHWM.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np


def peak_rss_mb() -> float:
    line = next(row for row in Path("/proc/self/status").read_text().splitlines() if row.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def timed(function, into: list) -> object:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    into.append((time.perf_counter() - wall, time.process_time() - cpu))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megapixels", type=float, default=1.0)
    parser.add_argument("--segmenter", default="auto")
    parser.add_argument("--edges", default="fast")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--photo", choices=("portrait", "object"), default="portrait")
    args = parser.parse_args()

    from benchmarks.common import object_photo, photo
    from restora.tools.background import Background, compose
    from restora.tools.background.segment import segment

    tool = Background()
    # the astronaut enlarged: a portrait, so auto picks person matting; the coffee cup: U²-Netp
    image = photo(args.megapixels) if args.photo == "portrait" else object_photo(args.megapixels)
    rgb = np.asarray(image)
    values = tool.validate({"segmenter": args.segmenter, "edges": args.edges})
    tool.run(image, **values)
    rows: dict[str, list] = {"tool": [], "segment": [], "edges_and_compose": []}
    for _ in range(args.repeats):
        timed(lambda: tool.run(image, **values), rows["tool"])
        found = timed(lambda: segment(rgb, args.segmenter, cached=tool.cached), rows["segment"])
        timed(lambda: compose.render(rgb, found.alpha, found.faces, edges=args.edges,
                                     soft_matte=found.segmenter == "person"), rows["edges_and_compose"])
    result = {"photo": args.photo, "size": list(image.size), "segmenter": args.segmenter, "ran": found.segmenter, "edges": args.edges}
    for name, runs in rows.items():
        result[f"{name}_wall_ms"] = round(1000 * statistics.median(wall for wall, _ in runs))
        result[f"{name}_cpu_ms"] = round(1000 * statistics.median(cpu for _, cpu in runs))
    result.update(peak_rss_mb=round(peak_rss_mb()), load_average_1min=round(os.getloadavg()[0], 1))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
