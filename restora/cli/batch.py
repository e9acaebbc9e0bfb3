"""Batch plumbing shared by every tool command: expand inputs, pick output paths, run, report."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

import click

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


@dataclass(frozen=True)
class Job:
    source: Path
    target: Path


def expand_inputs(inputs: Iterable[Path], recursive: bool) -> list[tuple[Path, Path]]:
    """(file, path relative to the folder it was found in) for every input file; folders are scanned."""
    found: list[tuple[Path, Path]] = []
    for item in inputs:
        if item.is_dir():
            pattern = "**/*" if recursive else "*"
            for path in sorted(item.glob(pattern)):
                if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith("."):
                    found.append((path, path.relative_to(item)))
        else:
            found.append((item, Path(item.name)))  # a missing file is reported when it is read
    return found


def plan_jobs(inputs: tuple[Path, ...], out: Path, recursive: bool) -> list[Job]:
    """Decide where each result goes: OUT is a file for one input file, a folder otherwise.

    :raises click.UsageError: when the inputs and OUT do not fit together.
    """
    found = expand_inputs(inputs, recursive)
    if not found:
        raise click.UsageError("no JPEG, PNG or WebP files found in the inputs (use -r for sub-folders)")
    single_file = len(inputs) == 1 and not inputs[0].is_dir()
    if single_file and not out.is_dir() and not str(out).endswith(("/", "\\")):
        if out.suffix.lower() not in IMAGE_SUFFIXES:
            raise click.UsageError(f"cannot tell the format of {out}: name it .png, .jpg or .webp")
        jobs = [Job(found[0][0], out)]
    else:
        if out.exists() and not out.is_dir():
            raise click.UsageError(f"{out} is a file; with several inputs or a folder, -o must be a folder")
        jobs = [Job(source, out / relative) for source, relative in found]
    targets = [job.target.resolve() for job in jobs]
    if len(set(targets)) != len(targets):
        raise click.UsageError("two inputs would write the same output file; give them different names or folders")
    for job in jobs:
        if job.source.exists() and job.target.resolve() == job.source.resolve():
            raise click.UsageError(f"refusing to overwrite the input {job.source}; choose another output")
    return jobs


def run_jobs(jobs: list[Job], process: Callable[[Path, Path], None], error_types: tuple[type, ...]) -> int:
    """Run ``process(source, target)`` for each job; a failure is one line and the batch goes on.

    Returns the number of failed files.
    """
    from tqdm import tqdm

    failures = 0
    show_bar = len(jobs) > 1
    with tqdm(total=len(jobs), unit="image", disable=not show_bar, file=sys.stderr, dynamic_ncols=True) as bar:
        for job in jobs:
            try:
                process(job.source, job.target)
            except error_types as exc:
                failures += 1
                message = f"restora: {job.source}: {exc}"
                if show_bar:
                    bar.write(message, file=sys.stderr)
                else:
                    click.echo(message, err=True)
            bar.update(1)
    return failures


@contextmanager
def photo_progress(enabled: bool, stream: TextIO | None = None,
                   mininterval: float = 0.1) -> Iterator[Callable[[float], None] | None]:
    """A percent bar on stderr for one photo, fed by the tool's progress(fraction) calls (a long tool run on a
    large photo takes seconds to minutes); None when not ``enabled``. Batches show a bar per photo instead."""
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=100, unit="%", file=stream or sys.stderr, dynamic_ncols=True, mininterval=mininterval,
              bar_format="{l_bar}{bar}| {elapsed}") as bar:

        def progress(fraction: float) -> None:
            bar.update(max(0, round(100 * min(1.0, fraction)) - bar.n))  # never backwards

        yield progress
