"""Commands built from declarations: a tool's ``restora <tool>`` command from its ``Param`` s, and its
train / eval / data commands from their config dataclasses (``restora.options``). Nothing here names a
tool; heavy modules are imported only when a command runs."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any, Callable

import click

from restora.cli import exits
from restora.tools.base import PICTURE_KINDS, Argument, Command, Param, Tool

_TYPES = {"float": float, "int": int}


def _choice_labels(param: Param) -> str:
    """" (1inch: 1-inch, 25×35 mm (295×413 px); ...)": what the site's list shows, where it says more than the value."""
    said = [f"{value}: {param.choice_label(value)}" for value in param.choices
            if param.choice_label(value).lower() != value.lower()]
    return f" ({'; '.join(said)})" if param.kind == "choice" and said else ""


def param_option(param: Param) -> click.Option:
    """The click option for one tool parameter; the tool still validates the value it gets."""
    names = [param.cli_flag, param.name]
    bounds = ""
    if param.minimum is not None or param.maximum is not None:
        low = "" if param.minimum is None else f"{param.minimum:g}"
        high = "" if param.maximum is None else f"{param.maximum:g}"
        bounds = f" [{low}..{high}{' ' + param.units if param.units else ''}]"
    elif param.units:
        bounds = f" ({param.units})"
    common: dict[str, Any] = {"help": param.help + bounds + _choice_labels(param),
                              "show_default": param.default not in (None, "")}
    if param.kind == "bool":
        return click.Option([f"{param.cli_flag}/--no-{param.cli_flag[2:]}", param.name],
                            default=bool(param.default), **common)
    if param.kind == "choice":
        kind: Any = click.Choice(param.choices)
    elif param.kind in _TYPES:  # ranges are the tool's to check, with its own words (validate)
        kind = _TYPES[param.kind]
    elif param.kind in PICTURE_KINDS:
        kind = click.Path(path_type=Path, dir_okay=False)
    else:
        kind = str
    metavar = {"colour": "NAME|#RRGGBB", "box": "X,Y,W,H", "weights": "NAME|PATH"}.get(param.kind)
    default = param.default if param.kind not in PICTURE_KINDS else None
    return click.Option(names, type=kind, default=default, metavar=metavar, required=param.required, **common)


def tool_command(tool: Tool, run: Callable[..., None], decorate: Callable[[click.Command], click.Command]) -> click.Command:
    """``restora <tool> INPUT... -o OUT [-r] [params]``; ``run(tool, inputs, out, recursive, raw)``."""

    def callback(inputs: tuple[Path, ...], out: Path, recursive: bool, **raw: Any) -> None:
        run(tool, inputs, out, recursive, raw)

    command = click.Command(tool.name, callback=callback, help=tool.description,
                            params=[param_option(p) for p in tool.params])
    return decorate(command)


# --- train / eval / data ---------------------------------------------------------------------------


def _field_type(config_cls: type, field: dataclasses.Field) -> Any:
    hints = typing.get_type_hints(config_cls)
    return hints.get(field.name, str)


def config_options(config_cls: type) -> list[click.Option]:
    """One option per field of ``config_cls`` (a dataclass whose fields use ``restora.options.option``)."""
    options = []
    for field in dataclasses.fields(config_cls):
        meta = field.metadata
        if meta.get("hidden"):
            continue
        kind = _field_type(config_cls, field)
        flag = meta.get("flag") or "--" + field.name.replace("_", "-")
        help_text = meta.get("help", "")
        if kind is bool:
            options.append(click.Option([f"{flag}/--no-{flag[2:]}", field.name], default=field.default,
                                        show_default=True, help=help_text))
            continue
        click_type = click.Choice(meta["choices"]) if meta.get("choices") else kind
        options.append(click.Option([flag, field.name], type=click_type, default=field.default, show_default=True,
                                    help=help_text))
    return options


def argument_option(argument: Argument) -> click.Option:
    flag = "--" + argument.name.replace("_", "-")
    if argument.kind == "flag":
        return click.Option([flag, argument.name], is_flag=True, help=argument.help)
    types = {
        "dir": click.Path(path_type=Path, file_okay=False, exists=argument.exists),
        "file": click.Path(path_type=Path, dir_okay=False, exists=argument.exists),
        "path": click.Path(path_type=Path, exists=argument.exists),
        "int": int,
        "text": click.Choice(argument.choices) if argument.choices else str,
    }
    return click.Option([flag, argument.name], type=types[argument.kind], required=argument.required,
                        default=argument.default, multiple=argument.multiple,
                        show_default=argument.default not in (None, "", ()), help=argument.help)


class LazyCommand(click.Command):
    """A command whose options are built on first use: the config dataclass may live in a module that
    imports torch, which ``restora --help`` and the other commands should not pay for."""

    def __init__(self, *args: Any, load_params: Callable[[], list[click.Parameter]], **kwargs: Any) -> None:
        self._load_params = load_params
        self._all: list[click.Parameter] | None = None
        super().__init__(*args, **kwargs)

    @property
    def params(self) -> list[click.Parameter]:  # type: ignore[override]
        if self._all is None:
            self._all = self._fixed + self._load_params()
        return self._all

    @params.setter
    def params(self, value: list[click.Parameter]) -> None:
        self._fixed, self._all = list(value or []), None


def spec_command(name: str, spec: Command) -> click.Command:
    """A train/eval/data command: options from the config dataclass plus the spec's own arguments.

    The run function gets the config, the arguments by name, and (when its signature asks for them)
    ``settings`` and ``echo`` (progress lines to stderr). It returns the line to print.
    """
    import inspect

    from restora.tools import load_object

    extra_names = {argument.name for argument in spec.arguments}

    def callback(**values: Any) -> None:
        from restora.config import ConfigError, load_settings
        from restora.weights import WeightsError

        extra = {key: values.pop(key) for key in list(values) if key in extra_names}
        try:
            config = load_object(spec.config)(**values)
            run = load_object(spec.run)
            wanted = inspect.signature(run).parameters
            if "settings" in wanted:
                extra["settings"] = load_settings()
            if "echo" in wanted:
                extra["echo"] = lambda line: click.echo(line, err=True)
            message = run(config, **extra)
        except WeightsError as exc:
            click.echo(f"restora: {exc}", err=True)
            raise SystemExit(exits.MISSING_WEIGHTS) from None
        except (ValueError, FileNotFoundError, ConfigError) as exc:
            raise click.UsageError(str(exc)) from None
        if message:
            click.echo(message)

    return LazyCommand(spec.name or name, callback=callback, help=spec.help,
                       params=[argument_option(a) for a in spec.arguments],
                       load_params=lambda: config_options(load_object(spec.config)))
