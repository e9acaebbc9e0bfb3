"""``restora gui [PHOTOS...]``: the desktop window. PySide6 is imported only when this command runs."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("gui")
@click.argument("photos", nargs=-1, type=click.Path(path_type=Path))
def gui(photos: tuple[Path, ...]) -> None:
    """Open the desktop window, with PHOTOS if given (a folder opens as a batch)."""
    try:
        from restora.gui.app import run
    except ImportError as exc:  # PySide6 missing, or a Qt system library (libEGL, libxkbcommon) absent
        raise click.ClickException(
            f"the window needs PySide6 and Qt's system libraries ({exc}); install them with "
            "`pip install -r requirements.txt` (see docs/gui.md)"
        ) from None
    raise SystemExit(run(photos))
