"""Every registered tool, the same way: its ``bench_params`` on a 1-megapixel photo (median of a few runs)
and once on a 12-megapixel photo in a fresh process (time and peak memory). A new tool is benchmarked
with no code here; tool-specific extras (other methods, other weights) live in their own suites."""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.common import median_wall_and_cpu_ms, photo

REPEATS_1MP = 5


def one_megapixel(tool) -> dict:
    from restora.config import load_settings

    from restora.tools import run_with_views

    settings = load_settings()
    params = tool.validate(dict(tool.bench_params))
    tool.prepare(settings=settings, **params)
    image = photo(1)
    median, times, cpu = median_wall_and_cpu_ms(lambda: run_with_views(tool, image, settings=settings, **params), REPEATS_1MP)
    return {
        "name": f"{tool.name}_1mp",
        "tool": tool.name,
        "size": [image.width, image.height],
        "params": dict(tool.bench_params),
        "median_ms": round(median, 1),
        "ms_per_megapixel": round(median / (image.width * image.height / 1e6), 1),
        "median_cpu_ms": round(cpu, 1),
        "runs_ms": [round(t, 1) for t in times],
    }


def twelve_megapixels(tool) -> dict:
    command = [sys.executable, "-m", "benchmarks.tool_memory", "--tool", tool.name, "--megapixels", "12"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result.update({"name": f"{tool.name}_12mp_peak_memory", "tool": tool.name})
    return result


def run() -> list[dict]:
    from restora.tools import TOOLS

    entries = []
    for tool in TOOLS.values():
        entries += [one_megapixel(tool), twelve_megapixels(tool)]
        print(f"  {tool.name}: {entries[-2]['median_ms']} ms at 1 MP, {entries[-1]['peak_rss_mb']} MB at 12 MP",
              flush=True)
    return entries
