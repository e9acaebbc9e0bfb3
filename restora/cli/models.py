"""``restora models list|verify|export``: which weights Restora knows, are they here and intact, and
turning a training checkpoint into shipped weights."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def models() -> None:
    """List and check weights (shipped ones and official files you own)."""


def _status(entry, settings) -> tuple[str, str]:
    path = entry.location(settings)
    return ("present" if path.is_file() else "missing"), str(path)


@models.command("list")
def list_models() -> None:
    """Every known weights name, its tool, whether its file is here, and where it is looked for."""
    from restora.config import load_settings
    from restora.weights import DEFAULT_WEIGHTS, REGISTRY

    settings = load_settings()
    defaults = set(DEFAULT_WEIGHTS.values())
    for entry in sorted(REGISTRY.values(), key=lambda e: (e.tool, e.name)):
        status, path = _status(entry, settings)
        default = " (default)" if entry.name in defaults else ""
        click.echo(f"{entry.name}{default}\t{entry.tool}\t{entry.kind}\t{status}\t{path}")
        click.echo(f"    {entry.description}; licence: {entry.licence}")
        if status == "missing":
            click.echo(f"    to get it: {entry.how_to_get}")


@models.command()
def verify() -> None:
    """Check every weights file that is present: checksum where one is recorded, and that it loads.

    Exits 1 if any present file is damaged or unusable; missing files are listed but are not failures.
    """
    from restora.config import load_settings
    from restora.weights import REGISTRY, WeightsError, load_weights, sha256_of

    settings = load_settings()
    bad = 0
    for entry in sorted(REGISTRY.values(), key=lambda e: (e.tool, e.name)):
        path = entry.location(settings)
        if not path.is_file():
            click.echo(f"{entry.name}: missing ({path})")
            continue
        try:
            loaded = load_weights(entry.name, entry.tool, settings)
            if entry.tool == "deblur":
                from restora.tools.deblur import build_generator

                build_generator(loaded)  # strict: every tensor present with the right shape
        except WeightsError as exc:
            bad += 1
            click.echo(f"{entry.name}: BAD: {exc}")
            continue
        checksum = "sha256 ok" if entry.sha256 else f"sha256 {sha256_of(path)} (none published to compare)"
        click.echo(f"{entry.name}: ok, {len(loaded.state_dict)} tensors, {checksum}")
    if bad:
        raise SystemExit(1)


@models.command()
@click.argument("checkpoint", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--name", required=True, help="Weights name, e.g. deblur-debian (file <name>.safetensors).")
@click.option("--out-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to write; default restora/weights/ (the shipped folder).")
@click.option("--eval-json", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="`restora eval deblur --json` output for the card's quality table.")
@click.option("--bench-json", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="`make bench` output for the card's speed section.")
def export(checkpoint: Path, name: str, out_dir: Path | None, eval_json: Path | None, bench_json: Path | None) -> None:
    """Convert a training checkpoint (e.g. runs/deblur-main/latest.pt) into safetensors plus a model card.

    Prints the sha256 to record in restora/weights.py's REGISTRY, which makes the file shipped weights.
    """
    from restora.training.export import export_checkpoint
    from restora.weights import SHIPPED_DIR, WeightsError

    try:
        result = export_checkpoint(checkpoint, name, out_dir=out_dir or SHIPPED_DIR, eval_json=eval_json,
                                   bench_json=bench_json)
    except WeightsError as exc:
        click.echo(f"restora: {exc}", err=True)
        raise SystemExit(4) from None
    click.echo(f"wrote {result.weights} and {result.card} (step {result.step})")
    click.echo(f"sha256 {result.sha256}")
    click.echo(f"architecture {result.architecture}")
