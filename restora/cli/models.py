"""``restora models list|verify``: which weights Restora knows, which are on this machine, are they intact."""

from __future__ import annotations

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
