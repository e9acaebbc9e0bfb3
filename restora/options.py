"""Config fields that carry their own command-line help, so a default is written once.

``option(default, "help")`` is a dataclass field whose metadata tells the command-line builder
(``restora.cli.generated``) its help, its choices and, where it differs from ``--<name-with-dashes>``,
its flag. Fields without metadata still become options, with their name as the only help.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any


def option(default: Any, help: str, *, choices: tuple[str, ...] = (), flag: str = "", hidden: bool = False) -> Any:
    """A dataclass field with a default and what ``--help`` says about it."""
    return field(default=default, metadata={"help": help, "choices": tuple(choices), "flag": flag, "hidden": hidden})
