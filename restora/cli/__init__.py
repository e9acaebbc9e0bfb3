"""The ``restora`` command. Command groups live in their own modules and import heavy things lazily,
so ``restora --help`` starts instantly."""

from __future__ import annotations

import click

from restora import __version__
from restora.cli.data import data
from restora.cli.eval import eval_group
from restora.cli.models import models
from restora.cli.serve import serve
from restora.cli.tools import adjust, deblur
from restora.cli.train import train
from restora.cli.user import user
from restora.cli.worker import worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="restora")
def main() -> None:
    """Restora: fix your photos on your own computer."""


main.add_command(adjust)
main.add_command(deblur)
main.add_command(models)
main.add_command(eval_group)
main.add_command(data)
main.add_command(train)
main.add_command(worker)
main.add_command(serve)
main.add_command(user)
