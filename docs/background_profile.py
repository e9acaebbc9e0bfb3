"""Where the background tool's time goes at 1 MP: cProfile of ``Background().run``, or onnxruntime's options.

    PYTHONPATH=. .venv/bin/python docs/background_profile.py --photo portrait --edges fine
    PYTHONPATH=. .venv/bin/python docs/background_profile.py --photo object --edges fine
    PYTHONPATH=. .venv/bin/python docs/background_profile.py --onnx-options

The photos are docs/background_measure.py's (the astronaut enlarged, skimage's coffee cup), the tool's
defaults otherwise. The profile is of 4 runs after a warm-up, sorted by own time; CPU per run is printed
first. ``--onnx-options`` times U²-Netp's and person matting's session alone (median CPU and wall ms of 5
runs) under several SessionOptions, and how much more memory the process holds after them (VmRSS).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

import numpy as np
from PIL import Image


def photo(kind: str) -> Image.Image:
    from benchmarks.common import photo as portrait

    image = portrait(1)
    if kind == "object":
        from skimage import data

        image = Image.fromarray(data.coffee()).resize(image.size, Image.Resampling.BICUBIC)
    return image


def profile(kind: str, edges: str) -> None:
    from restora.tools.background import Background

    tool = Background()
    image = photo(kind)
    values = tool.validate({"edges": edges})
    tool.run(image, **values)
    profiler = cProfile.Profile()
    started = time.process_time()
    profiler.enable()
    for _ in range(4):
        tool.run(image, **values)
    profiler.disable()
    print(f"{kind}, edges {edges}: {1000 * (time.process_time() - started) / 4:.0f} ms CPU per run")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def resident_mb() -> float:
    import gc
    from pathlib import Path

    gc.collect()
    line = next(row for row in Path("/proc/self/status").read_text().splitlines() if row.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def onnx_options() -> None:
    import onnxruntime

    from restora.config import load_settings
    from restora.tools.background.segment import _run_rvm, u2net_input
    from restora.weights import find_weights

    rgb = np.asarray(photo("portrait"))
    settings = load_settings()
    variants = {"2 threads, no arena, all, no spin (used)": (2, False, "all", "0"),
                "1 thread": (1, False, "all", "0"), "memory arena": (2, True, "all", "0"),
                "optimisation extended": (2, False, "extended", "0"), "spinning": (2, False, "all", "1")}
    levels = {"all": onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL,
              "extended": onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED}
    for name in ("u2netp", "rvm-mobilenetv3"):
        path, _ = find_weights(name, "background", settings)
        for label, (threads, arena, level, spin) in variants.items():
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
            options.enable_cpu_mem_arena = arena
            options.graph_optimization_level = levels[level]
            options.add_session_config_entry("session.intra_op.allow_spinning", spin)
            options.log_severity_level = 3
            before = resident_mb()
            session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            if name == "u2netp":
                inputs = {session.get_inputs()[0].name: u2net_input(rgb)}
                run = lambda: session.run([session.get_outputs()[0].name], inputs)  # noqa: E731
            else:
                run = lambda: _run_rvm(rgb, session)  # noqa: E731
            run()
            cpu, wall = [], []
            for _ in range(5):
                started, started_cpu = time.perf_counter(), time.process_time()
                run()
                wall.append(1000 * (time.perf_counter() - started))
                cpu.append(1000 * (time.process_time() - started_cpu))
            kept = resident_mb() - before
            print(f"{name}: {label}: {statistics.median(cpu):.0f} ms CPU, {statistics.median(wall):.0f} ms wall, "
                  f"+{kept:.0f} MB resident after the runs")
            del session, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", choices=("portrait", "object"), default="portrait")
    parser.add_argument("--edges", choices=("fast", "fine"), default="fine")
    parser.add_argument("--onnx-options", action="store_true")
    args = parser.parse_args()
    if args.onnx_options:
        onnx_options()
    else:
        profile(args.photo, args.edges)


if __name__ == "__main__":
    main()
