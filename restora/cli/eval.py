"""``restora eval``: measure a tool's quality (each tool registers its command), and export the evaluation set."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("eval")
def eval_group() -> None:
    """Measure quality against baselines (numbers for model cards and docs)."""


@eval_group.command("export-set")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
def export_set(out_dir: Path) -> None:
    """Write the evaluation photos bundled in scikit-image and scikit-learn (with credits) to OUT."""
    from restora.training.eval_set import export_eval_set

    files = export_eval_set(out_dir)
    click.echo(f"{len(files)} photos and CREDITS.md written to {out_dir}")
