"""The Tool protocol: a name, typed parameters, and ``run(image, **params) -> image``.

Fronts (web, CLI, desktop) build their forms and flags from ``Tool.params``, turn raw user input into
typed values with :meth:`Tool.validate`, then call :meth:`Tool.run`. A tool never parses text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

from PIL import Image

# progress(fraction) with fraction in [0, 1]; long tools call it so every front can show a bar.
Progress = Callable[[float], None]


class InvalidParams(ValueError):
    """A tool was asked for something it cannot do; the message tells the user what to change."""


_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Param:
    """One typed parameter of a tool, enough for a front to draw a control and check a value."""

    name: str
    kind: str  # "choice" | "float" | "int" | "bool" | "colour" | "image" | "weights"
    default: Any = None
    label: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False

    def coerce(self, raw: Any) -> Any:
        """Turn a raw value (a string from a form or a flag, or a typed value) into this parameter's type."""
        if raw is None or raw == "":
            if self.required:
                raise InvalidParams(f"{self.label or self.name} is required")
            return self.default
        if self.kind == "choice":
            value = str(raw)
            if value not in self.choices:
                raise InvalidParams(f"{self.label or self.name} must be one of: {', '.join(self.choices)}")
            return value
        if self.kind in ("float", "int"):
            try:
                value = float(raw) if self.kind == "float" else int(str(raw), 10)
            except (TypeError, ValueError):
                raise InvalidParams(f"{self.label or self.name} must be a number, not {raw!r}") from None
            if value != value or value in (float("inf"), float("-inf")):
                raise InvalidParams(f"{self.label or self.name} must be a finite number")
            if self.minimum is not None and value < self.minimum or self.maximum is not None and value > self.maximum:
                raise InvalidParams(
                    f"{self.label or self.name} must be between {self.minimum:g} and {self.maximum:g}, not {value:g}"
                )
            return value
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise InvalidParams(f"{self.label or self.name} must be yes or no")
        if self.kind == "colour":
            value = str(raw).strip()
            if value.lower() in NAMED_COLOURS:
                return value.lower()
            if not _HEX_COLOUR.match(value):
                raise InvalidParams(f"{self.label or self.name} must be a colour name or #RRGGBB, not {raw!r}")
            return value.lower()
        if self.kind == "image":
            if not isinstance(raw, Image.Image):
                raise InvalidParams(f"{self.label or self.name} must be an image")
            return raw
        return raw  # "weights": a name or a path, resolved by the tool itself


NAMED_COLOURS = {"white": (255, 255, 255), "red": (255, 0, 0), "blue": (0, 0, 255), "green": (0, 128, 0)}


def colour_to_rgb(value: str) -> tuple[int, int, int]:
    """'white' or '#RRGGBB' -> (r, g, b)."""
    if value in NAMED_COLOURS:
        return NAMED_COLOURS[value]
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


class Tool(Protocol):
    name: str
    title: str
    description: str
    params: tuple[Param, ...]

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Typed parameters from raw input; :raises InvalidParams: with a message for the user."""

    def run(self, image: Image.Image, *, progress: Progress | None = None, **params: Any) -> Image.Image:
        """The result image for ``image`` with validated ``params``."""


@dataclass
class BaseTool:
    """Shared plumbing: parameter coercion; subclasses add cross-field checks in ``check``."""

    name: str = ""
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = field(default_factory=tuple)

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        known = {p.name for p in self.params}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InvalidParams(f"{self.name} has no parameter {unknown[0]!r}; it takes {', '.join(sorted(known))}")
        values = {p.name: p.coerce(raw.get(p.name)) for p in self.params}
        self.check(values)
        return values

    def check(self, values: dict[str, Any]) -> None:
        """Refuse combinations of values that make no sense together (none by default)."""
