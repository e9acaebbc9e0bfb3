"""The command line is built from the declarations: every tool's flags, and every train/eval/data
command's options, say what the tool and its config dataclass say, so no default is written twice."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import click
import pytest

from restora.cli import main
from restora.tools import TOOLS, load_object
from restora.tools.base import PICTURE_KINDS


def _command(*path: str) -> click.Command:
    context = click.Context(main)
    command: click.Command = main
    for name in path:
        command = command.get_command(context, name)
        assert command is not None, f"no command {' '.join(path)}"
    return command


@pytest.mark.parametrize("name", list(TOOLS))
def test_every_tool_has_a_command_whose_options_are_its_params(name):
    tool = TOOLS[name]
    options = {p.name: p for p in _command(name).params}
    for param in tool.params:
        option = options[param.name]
        assert param.cli_flag in option.opts
        if param.kind == "choice":
            assert tuple(option.type.choices) == param.choices
        if param.kind not in PICTURE_KINDS:
            assert option.default == param.default
    assert {"inputs", "out", "recursive"} <= set(options)


@pytest.mark.parametrize("tool_name,group,spec", [
    (tool.name, group, spec) for tool in TOOLS.values() for group, spec in tool.commands
])
def test_registered_commands_take_their_defaults_from_the_config(tool_name, group, spec):
    command = _command(group, spec.name or tool_name)
    options = {p.name: p for p in command.params}
    for field in dataclasses.fields(load_object(spec.config)):
        if field.metadata.get("hidden"):
            continue
        assert options[field.name].default == field.default, field.name
        if field.metadata.get("choices"):
            assert tuple(options[field.name].type.choices) == field.metadata["choices"]
    for argument in spec.arguments:
        assert options[argument.name].required == argument.required


def test_importing_the_cli_loads_neither_torch_nor_pillow():
    code = "import sys; from restora.cli import main; assert 'torch' not in sys.modules; assert 'PIL' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_float_out_of_range_is_refused_in_the_tools_words(tmp_path):
    from click.testing import CliRunner

    brightness = next(p for p in TOOLS["adjust"].params if p.name == "brightness")
    result = CliRunner().invoke(main, ["adjust", str(tmp_path / "x.jpg"), "-o", str(tmp_path / "y.png"),
                                       "--brightness", str(brightness.maximum * 2)])
    assert result.exit_code == 2
    assert f"between {brightness.minimum:g} and {brightness.maximum:g}" in result.output


def test_a_choices_labels_are_in_its_help_where_they_say_more_than_the_value():
    from click.testing import CliRunner

    help_text = " ".join(CliRunner().invoke(main, ["background", "--help"], terminal_width=400).output.split())
    assert "2inch: 2-inch, 35×49 mm (413×579 px)" in help_text
    assert "colour: Colour" not in help_text  # the value says it already
