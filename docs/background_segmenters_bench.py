"""Time and memory of each background segmenter, for docs/background-segmenters.md.

    .venv/bin/python docs/background_segmenters_bench.py [--models-dir DIR] [--repeats 5] [--json out.json]

Each case runs in a fresh Python process (so peak resident memory is that case's alone): the segmenter is
built and run once to warm up, then run ``repeats`` times on a 1-megapixel photo (skimage's astronaut or
coffee enlarged to 1155×866); the median wall time and the median CPU time (process time: on a busy machine
CPU time / threads estimates what an idle one would take) are printed, with the process's peak RSS and
the load average. ``u2net`` is measured only when its file is in the models folder.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CASES = {
    # name: (photo, segmenter, keep box or None, size)
    "u2netp_1mp": ("coffee", "u2netp", None, (1155, 866)),
    "u2net_1mp": ("coffee", "u2net", None, (1155, 866)),
    "person_1mp": ("astronaut", "person", None, (1155, 866)),
    "auto_portrait_1mp": ("astronaut", "auto", None, (1155, 866)),
    "auto_object_1mp": ("coffee", "auto", None, (1155, 866)),
    "u2netp_keep_box_1mp": ("coffee", "u2netp", (100, 50, 900, 760), (1155, 866)),
    "faces_only_1mp": ("astronaut", "faces", None, (1155, 866)),
    "u2netp_12mp": ("coffee", "u2netp", None, (4000, 3000)),
    "person_12mp": ("astronaut", "person", None, (4000, 3000)),
}

ONE_CASE = r"""
import json, resource, statistics, sys, time
from pathlib import Path
import numpy as np
from PIL import Image
from skimage import data
from restora.config import Settings
from restora.tools.background.segment import detect_faces, segment

photo, segmenter, box, size, models_dir, repeats, threads = json.loads(sys.argv[1])
rgb = np.asarray(Image.fromarray(getattr(data, photo)()).resize(tuple(size), Image.Resampling.BICUBIC))
settings = Settings(models_dir=Path(models_dir), torch_threads=threads)
store = {}
cached = lambda key, build: store[key] if key in store else store.setdefault(key, build())
def once():
    if segmenter == "faces":
        return detect_faces(rgb)
    return segment(rgb, segmenter, settings=settings, keep_box=tuple(box) if box else None, cached=cached)
first = once()  # builds the session: not timed
walls, cpus = [], []
for _ in range(repeats):
    wall, cpu = time.perf_counter(), time.process_time()
    once()
    walls.append(time.perf_counter() - wall)
    cpus.append(time.process_time() - cpu)
ran = first if segmenter == "faces" else first.segmenter
print(json.dumps({"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus), "ran": str(ran),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", default=os.path.expanduser("~/.restora/models"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="case names (default: all)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    results = {}
    for name, (photo, segmenter, box, size) in CASES.items():
        if args.only and name not in args.only:
            continue
        if segmenter == "u2net" and not os.path.isfile(os.path.join(args.models_dir, "u2net.onnx")):
            print(f"{name}: skipped (no u2net.onnx in {args.models_dir}; restora models fetch u2net)")
            continue
        payload = json.dumps([photo, segmenter, box, size, args.models_dir, args.repeats, args.threads])
        done = subprocess.run([sys.executable, "-c", ONE_CASE, payload], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{name}: FAILED\n{done.stderr[-2000:]}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["load_1min"] = os.getloadavg()[0]
        results[name] = result
        print(f"{name}: wall {result['wall_s']:.3f} s, cpu {result['cpu_s']:.3f} s (cpu/threads "
              f"{result['cpu_s'] / args.threads:.3f} s), peak RSS {result['peak_rss_mb']:.0f} MB, ran {result['ran']}, "
              f"load {result['load_1min']:.1f}", flush=True)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
