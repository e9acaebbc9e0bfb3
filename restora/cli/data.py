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


@data.command("deconv-pairs")
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="A photo set built by `restora data debian`.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Folder for sharp/, blurred/, deconvolved/ and pairs.json; pairs already there are kept.")
@click.option("--per-photo", type=click.IntRange(1), default=8, show_default=True,
              help="Pairs per training photo (validation photos get half as many).")
@click.option("--side", type=click.IntRange(128), default=512, show_default=True, help="Crop side in pixels.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed rebuilds the same set.")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True, help="Processes making pairs.")
def deconv_pairs(data_dir: Path, out: Path, per_photo: int, side: int, seed: int, workers: int) -> None:
    """Pairs to train a net on the kernel method's results: each crop blurred, deconvolved with the tool's
    own kernel estimate, and kept beside the sharp crop (a few seconds a pair; docs/training/deblur.md §10)."""
    from tqdm import tqdm

    from restora.training.deconv_pairs import DeconvPairConfig, write_deconv_pairs

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or tqdm(total=total, initial=done - 1, unit="pair", mininterval=10)
        bar.update(done - bar.n)

    try:
        records = write_deconv_pairs(data_dir, out, DeconvPairConfig(side=side, per_photo=per_photo), seed,
                                     workers, progress)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from None
    if bar is not None:
        bar.close()
    click.echo(f"{len(records)} pairs (seed {seed}) in {out}")
