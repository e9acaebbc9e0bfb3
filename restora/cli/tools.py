"""``restora <tool> INPUT... -o OUT [options]`` for every registered tool, built from its declaration.

Each command only parses flags (restora.cli.generated); the work is done by the tool. The same batch,
progress and exit-code behaviour for every tool (restora.cli.exits): 0 ok, 2 usage error, 3 a bad input
image, 4 missing weights.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click

from restora.cli import exits
from restora.cli.batch import photo_progress, plan_jobs, run_jobs
from restora.cli.generated import tool_command
from restora.tools.base import PICTURE_KINDS, declared_views, run_with_views

inputs_argument = click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(path_type=Path, exists=False)
)
output_option = click.option(
    "-o", "--out", "out", required=True, type=click.Path(path_type=Path), help="Output file, or folder for many inputs."
)
recursive_option = click.option("-r", "--recursive", is_flag=True, help="Look in sub-folders too (mirrored in OUT).")
SAVE_VIEWS = "save_views"  # not a tool parameter: taken out of the raw values before the tool sees them


def _with_io(tool) -> Callable[[click.Command], click.Command]:
    """The input, output and batch options; ``--save-views`` for a tool that declares views."""
    names = ", ".join(view.name for view in declared_views(tool))

    def decorate(command: click.Command) -> click.Command:
        if names:
            command = click.option("--save-views", SAVE_VIEWS, is_flag=True,
                                   help=f"Also save the tool's side pictures ({names}) as OUT's name + .<view>.png.")(command)
        return inputs_argument(output_option(recursive_option(command)))

    return decorate


def view_path(target: Path, name: str) -> Path:
    """Where a view of the result written to ``target`` goes: beside it, always PNG (lossless, like a job's)."""
    return target.with_name(f"{target.stem}.{name}.png")


def refuse_view_clashes(jobs: list, views: tuple) -> None:
    """Views must not overwrite an input, a result or each other (plan_jobs checks the results alone):
    cat.jpg and cat.png in one folder would both have cat.mask.png.

    :raises click.UsageError: naming the first clash, before any photo is processed.
    """
    taken = {job.target.resolve() for job in jobs} | {job.source.resolve() for job in jobs if job.source.exists()}
    for job in jobs:
        for view in views:
            path = view_path(job.target, view.name)
            if path.resolve() in taken:
                raise click.UsageError(f"--save-views would write {path} over an input, a result or another side "
                                       "picture; give the photos different names, or OUT another name")
            taken.add(path.resolve())


def _read_pictures(tool, raw: dict[str, Any], limits) -> dict[str, Any]:
    """Load the parameters that are pictures (a second picture, painted hints or marks) from their paths.

    :raises click.UsageError: when such a file cannot be read as a picture.
    """
    from restora.imaging.io import InvalidImage, load_image

    values = dict(raw)
    for param in tool.params:
        path = values.get(param.name)
        if param.kind in PICTURE_KINDS and path:
            try:
                values[param.name] = load_image(Path(path), limits)  # keeps alpha, which painted pictures need
            except (InvalidImage, OSError) as exc:
                raise click.UsageError(f"{param.cli_flag} {path}: {exc}") from None
    return values


def run_tool(tool, inputs: tuple[Path, ...], out: Path, recursive: bool, raw: dict[str, Any]) -> None:
    """Validate once, then run the tool over every input; exit 3 if any image was refused.

    Missing or unusable weights stop the batch at once with exit code 4: every image would fail alike.
    """
    from restora.config import ConfigError, load_settings
    from restora.imaging.io import ImageLimits, InvalidImage, load_image, save_image
    from restora.tools import InvalidParams
    from restora.weights import WeightsError

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    limits = ImageLimits.from_settings(settings)
    save_views = raw.pop(SAVE_VIEWS, False)
    try:
        params = tool.validate(_read_pictures(tool, raw, limits))
    except InvalidParams as exc:
        raise click.UsageError(str(exc)) from None
    jobs = plan_jobs(inputs, out, recursive)
    if save_views:
        refuse_view_clashes(jobs, declared_views(tool))

    one_photo_on_a_terminal = len(jobs) == 1 and sys.stderr.isatty()

    def process(source: Path, target: Path) -> None:
        image = load_image(source, limits)
        with photo_progress(one_photo_on_a_terminal) as progress:
            restored = run_with_views(tool, image, progress=progress, settings=settings, **params)
        save_image(restored.image, target)
        for name, view in restored.views.items() if save_views else ():
            save_image(view, view_path(target, name))

    try:
        tool.prepare(settings=settings, **params)  # tools with weights load them before the first image
        # a tool's refusal of one photo (InvalidParams: e.g. no face where it needs one) fails that photo
        failures = run_jobs(jobs, process, (InvalidImage, InvalidParams, OSError))
    except WeightsError as exc:
        click.echo(f"restora: {exc}", err=True)
        raise SystemExit(exits.MISSING_WEIGHTS) from None
    if failures:
        click.echo(f"restora: {failures} of {len(jobs)} images failed", err=True)
        raise SystemExit(exits.BAD_IMAGE)
    if len(jobs) > 1:
        click.echo(f"{len(jobs)} images written to {out}", err=True)


def tool_command_for(tool) -> click.Command:
    """``restora <tool> INPUT... -o OUT [options]`` for one registered tool."""
    return tool_command(tool, run_tool, _with_io(tool))
