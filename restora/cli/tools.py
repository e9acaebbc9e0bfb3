"""The tool commands: ``restora adjust``, ``restora deblur`` (and, as they land, colorize, background).

Each command only parses flags; the work is done by ``TOOLS[name]``. Exit codes follow the contract:
0 ok, 2 usage error, 3 a bad input image, 4 missing weights.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from restora.cli.batch import photo_progress, plan_jobs, run_jobs

EXIT_BAD_IMAGE = 3
EXIT_MISSING_WEIGHTS = 4

inputs_argument = click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(path_type=Path, exists=False)
)
output_option = click.option(
    "-o", "--out", "out", required=True, type=click.Path(path_type=Path), help="Output file, or folder for many inputs."
)
recursive_option = click.option("-r", "--recursive", is_flag=True, help="Look in sub-folders too (mirrored in OUT).")


def run_tool(tool_name: str, inputs: tuple[Path, ...], out: Path, recursive: bool, raw: dict[str, Any]) -> None:
    """Validate once, then run the tool over every input; exit 3 if any image was refused.

    Missing or unusable weights stop the batch at once with exit code 4: every image would fail alike.
    """
    from restora.config import load_settings
    from restora.imaging.io import ImageLimits, InvalidImage, load_image, save_image
    from restora.tools import TOOLS, InvalidParams
    from restora.weights import WeightsError

    tool = TOOLS[tool_name]
    try:
        params = tool.validate(raw)
    except InvalidParams as exc:
        raise click.UsageError(str(exc)) from None
    limits = ImageLimits.from_settings(load_settings())
    jobs = plan_jobs(inputs, out, recursive)

    one_photo_on_a_terminal = len(jobs) == 1 and sys.stderr.isatty()

    def process(source: Path, target: Path) -> None:
        image = load_image(source, limits)
        with photo_progress(one_photo_on_a_terminal) as progress:
            restored = tool.run(image, progress=progress, **params)
        save_image(restored, target)

    try:
        prepare = getattr(tool, "prepare", None)
        if prepare is not None:  # tools with weights load them before the first image
            prepare(**params)
        failures = run_jobs(jobs, process, (InvalidImage, OSError))
    except WeightsError as exc:
        click.echo(f"restora: {exc}", err=True)
        raise SystemExit(EXIT_MISSING_WEIGHTS) from None
    if failures:
        click.echo(f"restora: {failures} of {len(jobs)} images failed", err=True)
        raise SystemExit(EXIT_BAD_IMAGE)
    if len(jobs) > 1:
        click.echo(f"{len(jobs)} images written to {out}", err=True)


@click.command()
@inputs_argument
@output_option
@recursive_option
@click.option(
    "--rotate",
    type=click.Choice(["none", "left", "right", "180", "flip-h", "flip-v"]),
    default="none",
    show_default=True,
    help="left/right turn 90°; flip-h mirrors left-right, flip-v top-bottom.",
)
@click.option(
    "--brightness", type=float, default=1.0, show_default=True, help="1 keeps it; 0.2 darkest, 100 brightest."
)
def adjust(inputs: tuple[Path, ...], out: Path, recursive: bool, rotate: str, brightness: float) -> None:
    """Rotate, flip and change the brightness of photos."""
    run_tool("adjust", inputs, out, recursive, {"rotate": rotate, "brightness": brightness})


@click.command()
@inputs_argument
@output_option
@recursive_option
@click.option(
    "--weights",
    default="",
    metavar="NAME|PATH",
    help="Registered weights (see `restora models list`) or a file; default: Restora's shipped weights.",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "net", "kernel"]),  # the tool's METHODS (a test keeps them equal)
    default="auto",
    show_default=True,
    help="net: the trained generator; kernel: estimate the shake's blur kernel and deconvolve "
    "(stronger on large shake of a still scene, slower, can ring on slight or uneven blur); "
    "auto: the net, or the kernel method where the net sees blur and the kernel, measured three times, is "
    "a clear shake.",
)
@click.option(
    "--strength",
    type=click.FloatRange(0.0, 1.0),
    default=1.0,
    show_default=True,
    help="1 = the method's result; lower blends back towards the original (for slightly blurred photos).",
)
@click.option(
    "--tile",
    type=int,
    default=1536,  # the tool's DEFAULT_TILE (a test keeps them equal; importing it here would slow --help)
    show_default=True,
    metavar="PX",
    help="Photos larger than this are processed in overlapping tiles to bound memory.",
)
def deblur(inputs: tuple[Path, ...], out: Path, recursive: bool, weights: str, method: str, strength: float,
           tile: int) -> None:
    """Remove motion blur (camera shake) from photos."""
    run_tool("deblur", inputs, out, recursive,
             {"weights": weights, "method": method, "strength": strength, "tile": tile})
