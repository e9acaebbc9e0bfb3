"""The deblur tool: 1-megapixel time for the shipped layout and for DeblurGAN's own, 12-MP peak memory,
and the same for the tool's kernel-estimating methods (auto, the default, and kernel).

Timing does not depend on the weights' values, so when no trained weights are shipped yet a randomly
initialised net of the shipped configuration stands in, and the JSON says so. Peak memory is measured
in a fresh subprocess (``python -m benchmarks.tool_memory``, reading VmHWM) so that the number is that run's own peak
resident set, not this process's history.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from benchmarks.common import median_wall_and_cpu_ms, photo, shaken_photo


def weights_for(architecture: dict | None, folder: Path) -> tuple[str, dict, bool]:
    """(weights name or path, architecture, random?) — the shipped default if present, else random init."""
    import torch

    from restora.config import load_settings
    from restora.nets.deblur import DeblurGenerator, GeneratorConfig
    import restora.tools  # noqa: F401  registers the weights
    from restora.weights import REGISTRY, default_weights, save_safetensors

    default = REGISTRY[default_weights("deblur")]
    if architecture is None and default.location(load_settings()).is_file():
        return default.name, default.architecture, False
    architecture = architecture or default.architecture
    torch.manual_seed(0)
    path = folder / f"random_{architecture['ngf']}_{architecture['n_blocks']}.safetensors"
    save_safetensors(DeblurGenerator(GeneratorConfig(**architecture)).state_dict(), architecture, path, "deblur")
    return str(path), architecture, True


def precision_in_use() -> str:
    from restora.config import load_settings
    from restora.tools.deblur import uses_bfloat16

    return "bfloat16" if uses_bfloat16(load_settings().inference_precision) else "float32"


def time_one_megapixel(
    name: str, weights: str, architecture: dict, random_init: bool, repeats: int, warmup: int = 1,
    precision: str = "auto", method: str = "net", shaken: bool = False,
) -> dict:
    import torch

    from restora.tools import TOOLS

    tool = TOOLS["deblur"]
    image = shaken_photo(1.0) if shaken else photo(1.0)
    tool.prepare(weights=weights)  # load once: a server keeps the net, so loading is not per photo
    saved = os.environ.get("RESTORA_INFERENCE_PRECISION")
    os.environ["RESTORA_INFERENCE_PRECISION"] = precision  # the tool reads the setting per photo
    try:
        used = precision_in_use()
        median, times, cpu = median_wall_and_cpu_ms(lambda: tool.run(image, weights=weights, method=method),
                                                    repeats, warmup)
    finally:
        if saved is None:
            del os.environ["RESTORA_INFERENCE_PRECISION"]
        else:
            os.environ["RESTORA_INFERENCE_PRECISION"] = saved
    threads = torch.get_num_threads()
    return {
        "name": name,
        "method": method,
        "precision": used,
        "size": [image.width, image.height],
        "architecture": architecture,
        "weights": "random initialisation (timing does not depend on values)" if random_init else weights,
        "median_ms": round(median, 1),
        "ms_per_megapixel": round(median / (image.width * image.height / 1e6), 1),
        "runs_ms": [round(t, 1) for t in times],
        "median_cpu_ms": round(cpu, 1),
        "torch_threads": threads,
        # What an idle machine would show if the threads ran fully in parallel (a lower bound).
        "idle_estimate_ms": round(cpu / threads, 1),
    }


def peak_memory(weights: str, architecture: dict, random_init: bool, megapixels: float = 12.0,
                method: str = "net") -> dict:
    command = [sys.executable, "-m", "benchmarks.tool_memory", "--tool", "deblur", "--megapixels", str(megapixels),
               "--params", json.dumps({"weights": weights, "method": method})]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result.update({
        "name": f"deblur_{int(megapixels)}mp_peak_memory" + ("" if method == "net" else f"_{method}"),
        "method": method,
        "architecture": architecture,
        "weights": "random initialisation" if random_init else weights,
    })
    return result


def run(repeats: int = 3) -> list[dict]:
    from restora.tools.deblur.weights import DEBLURGAN_ARCHITECTURE

    with tempfile.TemporaryDirectory() as folder:
        shipped, shipped_arch, shipped_random = weights_for(None, Path(folder))
        official, official_arch, _ = weights_for(DEBLURGAN_ARCHITECTURE, Path(folder))
        return [
            time_one_megapixel("deblur_1mp_shipped_layout", shipped, shipped_arch, shipped_random, repeats),
            # what a CPU without native bfloat16 gets (the setting's "auto" picks float32 there)
            time_one_megapixel("deblur_1mp_shipped_layout_float32", shipped, shipped_arch, shipped_random, repeats,
                               precision="float32"),
            # No warm-up run for the big layout: one run is many seconds here, and the median of 3 absorbs it.
            time_one_megapixel("deblur_1mp_deblurgan_9blocks_ngf64", official, official_arch, True, repeats, 0),
            # the tool's default: the net first; the astronaut, upscaled to 1 MP, is soft enough that the net
            # sees blur, so the kernel is estimated (on a copy of at most 768 px), but it spreads too little to
            # deconvolve; on a shaken photo the estimate is made three times and the photo deconvolved; and
            # the kernel method, three estimates plus a full-size FFT deconvolution
            time_one_megapixel("deblur_1mp_method_auto", shipped, shipped_arch, shipped_random, repeats,
                               method="auto"),
            time_one_megapixel("deblur_1mp_method_auto_shaken", shipped, shipped_arch, shipped_random, repeats,
                               method="auto", shaken=True),
            time_one_megapixel("deblur_1mp_method_kernel", shipped, shipped_arch, shipped_random, repeats,
                               method="kernel"),
            peak_memory(shipped, shipped_arch, shipped_random, method="kernel"),
        ]
