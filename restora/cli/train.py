"""``restora train <tool>``: each tool that trains a net registers its command (restora.tools.base.Command)."""

from __future__ import annotations

import click


@click.group()
def train() -> None:
    """Train a net on local data (CPU is fine; runs resume with --resume)."""
