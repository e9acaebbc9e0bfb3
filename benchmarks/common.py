"""Shared benchmark helpers: test photos of a given size and a median timer."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from typing import Callable

import numpy as np
from PIL import Image


def photo(megapixels: float, aspect: float = 4 / 3) -> Image.Image:
    """A photo-like RGB image of about ``megapixels`` (skimage's astronaut, resized)."""
    from skimage import data

    height = int(round((megapixels * 1e6 / aspect) ** 0.5))
    width = int(round(height * aspect))
    return Image.fromarray(data.astronaut()).resize((width, height), Image.Resampling.BICUBIC)


def object_photo(megapixels: float) -> Image.Image:
    """An object, not a person (skimage's coffee cup), at :func:`photo`'s size: the background tool's ``auto``
    runs U²-Netp on it, person matting on :func:`photo`."""
    from skimage import data

    return Image.fromarray(data.coffee()).resize(photo(megapixels).size, Image.Resampling.BICUBIC)


def shaken_photo(megapixels: float) -> Image.Image:
    """:func:`photo` blurred by a 15-px straight shake: ``auto`` takes its longest path on it (the net sees
    blur, the kernel is estimated three times, on the middle, top-left and bottom-right 768-px squares,
    and the photo deconvolved)."""
    from restora.imaging.blur import blur_image, linear_kernel
    from restora.imaging.metrics import quantise

    sharp = np.asarray(photo(megapixels), dtype=np.float32) / 255.0
    return Image.fromarray(quantise(blur_image(sharp, linear_kernel(15, 30))))


def median_ms(function: Callable[[], object], repeats: int, warmup: int = 1) -> tuple[float, list[float]]:
    """Median wall time of ``function`` in ms over ``repeats`` runs, after ``warmup`` untimed runs."""
    median, times, _ = median_wall_and_cpu_ms(function, repeats, warmup)
    return median, times


def median_wall_and_cpu_ms(
    function: Callable[[], object], repeats: int, warmup: int = 1
) -> tuple[float, list[float], float]:
    """(median wall ms, all wall ms, median process CPU ms). On a shared machine wall time grows with
    the others' load; CPU time much less, so CPU ms / threads estimates the wall time on an idle machine."""
    for _ in range(warmup):
        function()
    times, cpu = zip(*(wall_and_cpu_ms(function) for _ in range(repeats)))
    return statistics.median(times), list(times), statistics.median(cpu)


def wall_and_cpu_ms(function: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, process CPU ms) of one call of ``function``."""
    started, started_cpu = time.perf_counter(), time.process_time()
    function()
    return (time.perf_counter() - started) * 1000.0, (time.process_time() - started_cpu) * 1000.0


def onnxruntime_options(session) -> dict:
    """The threading and memory options an onnxruntime ``InferenceSession`` was built with (0 threads:
    onnxruntime's default, one per physical core)."""
    options = session.get_session_options()
    try:
        spinning = options.get_session_config_entry("session.intra_op.allow_spinning")
    except Exception:  # onnxruntime raises a plain Exception for an unset key: its default, spinning on
        spinning = "1 (onnxruntime's default)"
    return {"intra_op_threads": options.intra_op_num_threads, "inter_op_threads": options.inter_op_num_threads,
            "cpu_mem_arena": options.enable_cpu_mem_arena, "allow_spinning": spinning}


def machine() -> dict:
    """What the numbers were measured on, including how busy the CPU was (a shared machine)."""
    import platform

    import torch

    return {
        "cpu_count": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "load_average_1min": os.getloadavg()[0],
        "numpy": np.__version__,
    }


def stop_processes(processes: list[subprocess.Popen]) -> None:
    """Stop the servers a benchmark started, the last started first (a worker before the site it reports to);
    one that ignores SIGTERM for 20 s is killed."""
    for process in reversed(processes):
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
