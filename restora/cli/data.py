"""``restora data``: build training and evaluation sets (Debian photos, blurred pairs)."""

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


@data.command("blur-pairs")
@click.option("--src", required=True, type=click.Path(path_type=Path, exists=True, file_okay=False), help="Sharp images.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Folder for sharp/, blurred/, kernels/.")
@click.option("--kind", type=click.Choice(["linear", "trajectory", "mixed", "mixed-light"]), required=True,
              help="Kernel family.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed rebuilds the same set.")
@click.option("--max-side", type=int, default=None, help="Shrink larger images so the longest side is this many pixels.")
def blur_pairs(src: Path, out: Path, kind: str, seed: int, max_side: int | None) -> None:
    """Sharp/blurred pairs plus the kernel used (PNG and .npy) for every image in SRC."""
    from restora.training.pairs import write_blur_pairs

    try:
        records = write_blur_pairs(src, out, kind, seed, max_side)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{len(records)} pairs ({kind}, seed {seed}) in {out}")
