"""``restora eval``: measure a tool's quality on a folder of sharp photos, and export the evaluation set."""

from __future__ import annotations

import json
from pathlib import Path

import click

EXIT_MISSING_WEIGHTS = 4


@click.group("eval")
def eval_group() -> None:
    """Measure quality against baselines (numbers for model cards and docs)."""


@eval_group.command("deblur")
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Folder of sharp photos (e.g. from `restora eval export-set`).")
@click.option("--weights", default="", metavar="NAME|PATH", help="Deblur weights; default: the shipped ones.")
@click.option("--tile", type=int, default=None, metavar="PX", help="Tile size for the tool; default: the tool's own (1536).")
@click.option("--json", "json_path", type=click.Path(path_type=Path, dir_okay=False), help="Write all numbers here.")
@click.option("--seed", type=int, default=2026, show_default=True, help="Seed of the blur kernels.")
@click.option("--kernels", type=click.IntRange(1, 50), default=3, show_default=True,
              help="Kernels drawn per photo and kind.")
@click.option("--method", "methods", multiple=True, type=click.Choice(["auto", "net", "kernel"]),
              default=("net",), show_default=True,
              help="The tool's method(s) to score: net (reported as `output`), kernel, auto.")
@click.option("--baselines-only", is_flag=True, help="Skip the tool: only blurred, unsharp, Wiener, Richardson–Lucy.")
def eval_deblur(
    data_dir: Path, weights: str, tile: int, json_path: Path | None, seed: int, kernels: int,
    methods: tuple[str, ...], baselines_only: bool
) -> None:
    """Blur each photo (trajectory and linear kernels, fixed seeds), restore it, report mean PSNR/SSIM."""
    import numpy as np
    from PIL import Image

    from restora.training.evaluate_deblur import EvalConfig, evaluate, format_table
    from restora.weights import WeightsError

    restorers = {}
    if not baselines_only:
        from restora.tools import TOOLS

        tool = TOOLS["deblur"]
        for method in dict.fromkeys(methods):
            params = tool.validate({"weights": weights, "method": method} | ({"tile": tile} if tile is not None else {}))
            try:
                tool.prepare(**params)
            except WeightsError as exc:
                click.echo(f"restora: {exc}", err=True)
                raise SystemExit(EXIT_MISSING_WEIGHTS) from None
            # "output" is the net's row, the name model cards and earlier reports use
            restorers["output" if method == "net" else method] = (
                lambda rgb, params=params: np.asarray(tool.run(Image.fromarray(rgb), **params)))
    try:
        report = evaluate(data_dir, restorers, EvalConfig(seed=seed, kernels_per_image=kernels),
                          progress=lambda step: click.echo(f"  {step}", err=True))
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(format_table(report))
    if json_path is not None:
        result = report.to_json()
        result["weights"] = None if baselines_only else (weights or "default")
        result["methods"] = [] if baselines_only else list(dict.fromkeys(methods))
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


@eval_group.command("export-set")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
def export_set(out_dir: Path) -> None:
    """Write the evaluation photos bundled in scikit-image and scikit-learn (with credits) to OUT."""
    from restora.training.eval_set import export_eval_set

    files = export_eval_set(out_dir)
    click.echo(f"{len(files)} photos and CREDITS.md written to {out_dir}")
