"""`restora gui`: the command, and that the other commands never import Qt."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from restora.cli.gui import gui


def test_the_command_has_help():
    result = CliRunner().invoke(gui, ["--help"])
    assert result.exit_code == 0 and "PHOTOS" in result.output


def test_other_commands_do_not_import_qt():
    code = ("import sys; from click.testing import CliRunner; from restora.cli import main; "
            "import restora.cli.gui; "
            "r = CliRunner().invoke(main, ['models', 'list']); assert r.exit_code == 0, r.output; "
            "print('PySide6' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert output.strip() == "False"


def test_the_window_opens_on_photos_named_on_the_command_line(qtbot, photo_path, gui_settings):
    from restora.gui.app import create_window

    window = create_window([photo_path], gui_settings)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.busy())
    assert window.isVisible() and [p.path for p in window.photos] == [photo_path]
