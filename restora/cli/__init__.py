"""The ``restora`` command. One command per registered tool (built from its declaration), the train /
eval / data groups (with each tool's registered commands), and the commands that name no tool.

The registry is read on first use, not at import, and heavy modules are imported inside commands, so
importing this package loads neither torch nor Pillow."""

from __future__ import annotations

import click

from restora import __version__
from restora.cli.data import data
from restora.cli.eval import eval_group
from restora.cli.gui import gui
from restora.cli.models import models
from restora.cli.serve import serve
from restora.cli.train import train
from restora.cli.user import user
from restora.cli.worker import worker


class RestoraGroup(click.Group):
    """Adds each registered tool's commands the first time a command is listed or looked up (and any tool
    registered since, such as one installed while the process runs)."""

    def _register(self) -> None:
        from restora.cli.generated import spec_command
        from restora.cli.tools import tool_command_for
        from restora.tools import TOOLS

        groups = {"train": train, "eval": eval_group, "data": data}
        for tool in TOOLS.values():
            if tool.name in self.commands:
                continue
            self.add_command(tool_command_for(tool))
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


for _command in (models, eval_group, data, train, worker, serve, user, gui):
    main.add_command(_command)
