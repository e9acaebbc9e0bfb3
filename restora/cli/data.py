"""``restora data``: build training and evaluation sets; the shared photo set here, each tool's own sets
registered by the tool (restora.tools.base.Command)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def data() -> None:
    """Build training and evaluation image sets."""


@data.command()
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Folder for the photo set.")
@click.option(
    "--cache",
    type=click.Path(path_type=Path),
    default=Path("debs"),
    show_default=True,
    help="Folder of .deb files; ones already there are reused, missing ones fetched with apt-get download.",
)
def debian(out: Path, cache: Path) -> None:
    """The training photos from Debian packages, with their licences and a manifest."""
    from restora.training.debian import build_debian_set

    entries = build_debian_set(out, cache)
    photos = [e for e in entries if e.kind == "photo"]
    held_out = sum(e.split == "val" for e in photos)
    cutouts = len(entries) - len(photos)
    click.echo(f"{len(photos)} photos ({held_out} held out for validation) and {cutouts} cut-outs in {out}")
