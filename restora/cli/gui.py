"""``restora gui [PHOTOS...]``: the desktop window. PySide6 is imported only when this command runs."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("gui")
@click.argument("photos", nargs=-1, type=click.Path(path_type=Path))
@click.option("--server", metavar="URL", help="Run the tools on this Restora server (e.g. https://photos.example.org) "
              "instead of this machine.")
@click.option("--token", envvar="RESTORA_TOKEN", metavar="TOKEN",
              help="A personal access token of your account on --server (default: $RESTORA_TOKEN; "
                   "without one the window asks).")
def gui(photos: tuple[Path, ...], server: str | None, token: str | None) -> None:
    """Open the desktop window, with PHOTOS if given (a folder opens as a batch)."""
    if server and not server.startswith(("http://", "https://")):
        raise click.BadParameter("give the server's address with http:// or https://", param_hint="--server")
    try:
        from restora.gui.app import run
    except ImportError as exc:  # PySide6 missing, or a Qt system library (libEGL, libxkbcommon) absent
        raise click.ClickException(
            f"the window needs PySide6 and Qt's system libraries ({exc}); install them with "
            "`pip install -r requirements.txt` (see docs/gui.md)"
        ) from None
    raise SystemExit(run(photos, server=server, token=token))
