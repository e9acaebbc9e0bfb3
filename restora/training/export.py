"""Turn a training checkpoint into shipped weights: a safetensors file and the facts for its model card.

The card's numbers come from files, not from memory: the checkpoint (step, training wall time), the
run's config.json (recipe), ``restora eval deblur --json`` (quality) and ``make bench`` (speed). The
text that judges them (is the target met, what is weak) is written by a person below the facts.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from restora.weights import SHIPPED_DIR, save_safetensors, sha256_of


@dataclass(frozen=True)
class ExportResult:
    weights: Path
    card: Path
    sha256: str
    architecture: dict[str, Any]
    step: int


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _trained_on(raw: dict, run_config: dict) -> str:
    """Where the run trained: the checkpoint's own record (newer runs), else what its config implies."""
    machine = raw.get("machine")
    if isinstance(machine, str) and machine:
        return machine
    if run_config.get("device") == "cuda":
        return "a CUDA GPU"
    return f"{cpu_name()} ({run_config.get('threads', '?')} torch threads, CPU only)"


def _quality_section(eval_json: dict | None) -> list[str]:
    if eval_json is None:
        return ["Not measured yet: run `restora eval deblur --data DIR --weights NAME --json FILE`."]
    kinds = list(eval_json["means"])
    lines = [
        f"Mean over {len(eval_json['images'])} photos ({', '.join(eval_json['images'])}), "
        f"{eval_json['config']['border']}-px border ignored, blur seed {eval_json['config']['seed']}:",
        "",
        "| method | " + " | ".join(f"{k} PSNR | {k} SSIM | {k} ΔPSNR" for k in kinds) + " |",
        "|---" * (1 + 3 * len(kinds)) + "|",
    ]
    for method in eval_json["means"][kinds[0]]:
        cells = []
        for kind in kinds:
            value, base = eval_json["means"][kind][method], eval_json["means"][kind]["blurred"]["psnr"]
            cells += [f"{value['psnr']:.2f}", f"{value['ssim']:.4f}", f"{value['psnr'] - base:+.2f}"]
        label = "**this net**" if method == "output" else method
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    unblurred = eval_json.get("unblurred") or {}  # absent in evaluations made before session 3
    if unblurred:
        lines += ["", "The same photos unblurred, through each method, against themselves (a sharp photo should "
                  "come back unchanged; higher is less damage):", ""]
        lines += [f"- {'this net' if method == 'output' else method}: {value['psnr']:.2f} dB PSNR, "
                  f"SSIM {value['ssim']:.4f}" for method, value in unblurred.items()]
    return lines


def _speed_section(bench_json: dict | None) -> list[str]:
    if bench_json is None:
        return ["Not measured yet: run `make bench`."]
    lines = []
    for entry in bench_json["entries"]:
        if not entry["name"].startswith("deblur"):
            continue
        if "median_ms" in entry:
            idle = entry.get("idle_estimate_ms")
            estimate = f"; CPU time / threads {idle / 1000:.2f} s, an idle-machine estimate" if idle else ""
            precision = f", {entry['precision']}" if "precision" in entry else ""
            lines.append(f"- {entry['name']}: median wall {entry['median_ms'] / 1000:.2f} s for {entry['size'][0]}×"
                         f"{entry['size'][1]}{estimate} ({entry['weights']}{precision})")
        if "peak_rss_mb" in entry:
            lines.append(f"- {entry['name']}: peak RSS {entry['peak_rss_mb']:.0f} MB, {entry['seconds']:.0f} s for "
                         f"{entry['size'][0]}×{entry['size'][1]}")
    load = bench_json["machine"].get("load_average_1min")
    lines.append(f"- machine: {bench_json['machine']['cpu_count']} CPUs, torch threads "
                 f"{bench_json['machine']['torch_threads']}, 1-min load average {load:.1f} at the start "
                 "(other work running at the same time makes wall times pessimistic)")
    return lines


def export_checkpoint(
    checkpoint: Path,
    name: str,
    tool: str,
    *,
    settings: Any = None,
    out_dir: Path = SHIPPED_DIR,
    eval_json: Path | None = None,
    bench_json: Path | None = None,
) -> ExportResult:
    """Write ``<out_dir>/<name>.safetensors`` and ``<name>.md`` (facts only) from a training checkpoint."""
    from restora.config import load_settings
    from restora.weights import WeightsError, load_weights

    loaded = load_weights(str(checkpoint), tool, settings or load_settings())
    raw = torch.load(str(checkpoint), map_location="cpu", weights_only=True)
    if not isinstance(raw, dict) or "generator" not in raw:
        raise WeightsError(f"{checkpoint} is not a Restora training checkpoint (no 'generator')")
    out_dir.mkdir(parents=True, exist_ok=True)
    weights_path = out_dir / f"{name}.safetensors"
    save_safetensors(loaded.state_dict, loaded.architecture, weights_path, tool=tool)
    digest = sha256_of(weights_path)

    run_config = raw.get("config") if isinstance(raw.get("config"), dict) else {}
    for folder in (checkpoint.parent, checkpoint.parent.parent):  # run/latest.pt or run/checkpoints/latest.pt
        if not run_config and (folder / "config.json").exists():
            run_config = json.loads((folder / "config.json").read_text())
    step = int(raw.get("step", 0))
    hours = float(raw.get("elapsed_s", 0.0)) / 3600
    params = sum(t.numel() for t in loaded.state_dict.values())
    evaluation = json.loads(eval_json.read_text()) if eval_json else None
    bench = json.loads(bench_json.read_text()) if bench_json else None
    card = [
        f"# Model card: {name}",
        "",
        "## Facts (written by `restora models export`)",
        "",
        f"- File: `{weights_path.name}`, sha256 `{digest}`, {weights_path.stat().st_size / 1e6:.1f} MB, "
        f"{params:,} parameters.",
        f"- Architecture: `({', '.join(f'{k}={v!r}' for k, v in loaded.architecture.items())})`.",
        f"- Trained: {step:,} generator steps, {hours:.2f} h of training time, on {_trained_on(raw, run_config)}.",
        f"- Recipe (run config.json): {json.dumps(run_config, sort_keys=True)}",
        f"- Exported from: `{checkpoint}`.",
        "",
        f"## Quality (`restora eval {tool}`)",
        "",
        *_quality_section(evaluation),
        "",
        "## Speed and memory (`make bench`)",
        "",
        *_speed_section(bench),
        "",
    ]
    card_path = out_dir / f"{name}.md"
    card_path.write_text("\n".join(card), encoding="utf-8")
    return ExportResult(weights_path, card_path, digest, loaded.architecture, step)
