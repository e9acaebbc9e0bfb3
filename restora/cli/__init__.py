"""The ``restora`` command. One command per registered tool (built from its declaration), the train /
eval / data groups (with each tool's registered commands), and the commands that name no tool.

The registry is read on first use, not at import, and heavy modules are imported inside commands, so
importing this package loads neither torch nor Pillow."""

from __future__ import annotations

import click

from restora import __version__
from restora.cli.data import data
from restora.cli.eval import eval_group
from restora.cli.models import models
from restora.cli.serve import serve
from restora.cli.train import train
from restora.cli.user import user
from restora.cli.worker import worker


class RestoraGroup(click.Group):
    """Adds the registered tools' commands the first time a command is listed or looked up."""

    _registered = False

    def _register(self) -> None:
        if RestoraGroup._registered:
            return
        RestoraGroup._registered = True
        from restora.cli.generated import spec_command
        from restora.cli.tools import tool_commands
        from restora.tools import TOOLS

        groups = {"train": train, "eval": eval_group, "data": data}
        for command in tool_commands():
            self.add_command(command)
        for tool in TOOLS.values():
            for group_name, spec in tool.commands:
                groups[group_name].add_command(spec_command(tool.name, spec))

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._register()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        self._register()
        return super().get_command(ctx, name)


@click.group(cls=RestoraGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="restora")
def main() -> None:
    """Restora: fix your photos on your own computer."""


for _command in (models, eval_group, data, train, worker, serve, user):
    main.add_command(_command)
