"""What a tool is: a name, texts for people, typed parameters, the weights it reads, and ``run``.

A tool is declared once, here-shaped, and every front (command line, web site, job workers, desktop
window, HTTP API) builds its controls, flags, help and cards from that declaration; no front names a tool.

- ``params``: typed :class:`Param` s. Fronts turn raw input into typed values with :meth:`Tool.validate`
  and call :meth:`Tool.run`; a tool never parses text itself.
- Texts (``title``, ``description``, ``card``, each parameter's ``label``/``help``/``units`` and choice
  labels) are English source strings marked with :func:`restora.i18n.N_`; fronts translate them through
  the one message catalogue (``restora/web/translations``), so the site and the window speak the same.
- ``weights``: the :class:`restora.weights.WeightsEntry` s this tool owns; registering the tool registers
  them, so ``restora models list|verify|fetch`` know them with no code of their own.
- ``views``: the side pictures (:class:`View`) a run may give besides its result, such as the background
  tool's mask; ``run`` returns either the result image or a :class:`ToolOutput` carrying both, and every
  caller reads it through :func:`tool_output`.
- ``commands``: optional training, evaluation and data-set commands (:class:`Command`), whose options are
  generated from a config dataclass, so a default is written once.
- :meth:`BaseTool.cached`: one shared, thread-safe cache of built nets per process (keyed by the file
  and its modification time), so the web app's threads share one copy of each net.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol

from PIL import Image

from restora.i18n import N_

if TYPE_CHECKING:
    from restora.config import Settings
    from restora.weights import WeightsEntry

# progress(fraction) with fraction in [0, 1]; long tools call it so every front can show a bar.
Progress = Callable[[float], None]

KINDS = (
    "choice",  # one of ``choices``
    "float",
    "int",
    "bool",
    "colour",  # a named colour of NAMED_COLOURS or #RRGGBB
    "image",  # a second picture (a background, a reference photo), given as a PIL image
    "hints",  # an RGBA picture the size of the photo, painted by the user (alpha > 0 = a wish)
    "strokes",  # keep/remove marks painted on the photo, its size: green keeps, red removes (tools/marks.py)
    "box",  # X,Y,W,H in pixels of the photo, dragged on the photo by the user
    "text",
    "weights",  # a registered weights name or a path; never taken from a web form
)

# Pictures given besides the photo (each a file, never text); the painted ones are drawn over the photo,
# so they must be its size and belong to that one photo.
PAINTED_KINDS = ("hints", "strokes")
PICTURE_KINDS = ("image", *PAINTED_KINDS)


class InvalidParams(ValueError):
    """A tool was asked for something it cannot do; the message tells the user what to change."""


_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Param:
    """One typed parameter of a tool: enough for any front to draw a control, a flag, and check a value."""

    name: str
    kind: str
    default: Any = None
    label: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    units: str = ""  # shown after the value: "px", "%", "KB"
    advanced: bool = False  # technical knobs (tile sizes) go under "Advanced" on forms
    # Labels for the choices, in the order of ``choices``; a choice without one shows as written.
    choice_labels: tuple[str, ...] = ()
    # The command-line flag when it is not --<name with dashes> (e.g. "--color" for "colour").
    flag: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"parameter {self.name!r} has unknown kind {self.kind!r}; kinds: {', '.join(KINDS)}")
        if self.kind == "choice" and self.default not in (None, *self.choices):
            raise ValueError(f"parameter {self.name!r}: default {self.default!r} is not one of its choices")

    @property
    def title(self) -> str:
        return self.label or self.name

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    def choice_label(self, value: str) -> str:
        index = self.choices.index(value) if value in self.choices else -1
        return self.choice_labels[index] if 0 <= index < len(self.choice_labels) else value

    def coerce(self, raw: Any) -> Any:
        """Turn a raw value (a string from a form or a flag, or a typed value) into this parameter's type."""
        if raw is None or raw == "":
            if self.required:
                raise InvalidParams(f"{self.title} is required")
            return self.default
        return _COERCERS.get(self.kind, _as_is)(self, raw)


def _as_is(param: Param, raw: Any) -> Any:
    return raw  # "weights": a name or a path, resolved by the tool itself


def _choice(param: Param, raw: Any) -> str:
    value = str(raw)
    if value not in param.choices:
        raise InvalidParams(f"{param.title} must be one of: {', '.join(param.choices)}")
    return value


def _number(param: Param, raw: Any) -> float | int:
    try:
        value = float(raw) if param.kind == "float" else int(str(raw), 10)
    except (TypeError, ValueError):
        raise InvalidParams(f"{param.title} must be a number, not {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidParams(f"{param.title} must be a finite number")
    too_low = param.minimum is not None and value < param.minimum
    too_high = param.maximum is not None and value > param.maximum
    if too_low or too_high:
        low = "" if param.minimum is None else f"{param.minimum:g}"
        high = "" if param.maximum is None else f"{param.maximum:g}"
        raise InvalidParams(f"{param.title} must be between {low or '-inf'} and {high or 'inf'}, not {value:g}")
    return value


def _bool(param: Param, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidParams(f"{param.title} must be yes or no")


def _colour(param: Param, raw: Any) -> str:
    value = str(raw).strip()
    if value.lower() in NAMED_COLOURS:
        return value.lower()
    if not _HEX_COLOUR.match(value):
        raise InvalidParams(f"{param.title} must be a colour name or #RRGGBB, not {raw!r}")
    return value.lower()


def _image(param: Param, raw: Any) -> Image.Image:
    if not isinstance(raw, Image.Image):
        raise InvalidParams(f"{param.title} must be an image")
    return raw


def _box(param: Param, raw: Any) -> tuple[int, int, int, int]:
    parts = raw if isinstance(raw, (tuple, list)) else str(raw).replace(" ", "").split(",")
    try:
        x, y, w, h = (int(round(float(part))) for part in parts)
    except (TypeError, ValueError):
        raise InvalidParams(f"{param.title} must be four numbers X,Y,W,H, not {raw!r}") from None
    if x < 0 or y < 0 or w <= 0 or h <= 0:
        raise InvalidParams(f"{param.title} must have X, Y >= 0 and a positive width and height")
    return x, y, w, h


_COERCERS: dict[str, Callable[[Param, Any], Any]] = {
    "choice": _choice, "float": _number, "int": _number, "bool": _bool, "colour": _colour,
    **{kind: _image for kind in PICTURE_KINDS}, "box": _box, "text": lambda param, raw: str(raw),
}

def weights_param() -> Param:
    """The ``weights`` parameter of every tool with a net: a registered name or a file; empty, the default."""
    return Param("weights", "weights", default="", label=N_("Weights"),
                 help=N_("Registered weights (see `restora models list`) or a file; default: Restora's shipped "
                         "weights."))


NAMED_COLOURS = {"white": (255, 255, 255), "red": (255, 0, 0), "blue": (0, 0, 255), "green": (0, 128, 0)}


def colour_to_rgb(value: str) -> tuple[int, int, int]:
    """'white' or '#RRGGBB' -> (r, g, b)."""
    if value in NAMED_COLOURS:
        return NAMED_COLOURS[value]
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


_VIEW_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class View:
    """A side picture a tool can give besides its result (a mask), declared so fronts can list and label it."""

    name: str  # lowercase letters, digits, _: it becomes part of a URL and of a file name
    label: str  # English, marked N_, translated where it is shown

    def __post_init__(self) -> None:
        if not _VIEW_NAME.match(self.name):
            raise ValueError(f"view name {self.name!r} must be lowercase letters, digits and _ (at most 32)")


@dataclass(frozen=True)
class ToolOutput:
    """What a run gives: the result and its side pictures ({view name: picture}, only declared views)."""

    image: Image.Image
    views: Mapping[str, Image.Image] = field(default_factory=dict)


def declared_views(tool: Any) -> tuple[View, ...]:
    """The views a tool declares (none for a third-party tool that predates them)."""
    return tuple(getattr(tool, "views", ()) or ())


def tool_output(tool: Any, returned: "Image.Image | ToolOutput") -> ToolOutput:
    """What ``tool.run`` returned, as a :class:`ToolOutput` (a bare image has no views).

    :raises TypeError: for anything else, a result or view that is not a picture, or a view the tool did
        not declare (bugs in the tool, which a front must not store or show under a name nobody can label;
        a TypeError fails a job at once instead of retrying it).
    """
    name = getattr(tool, "name", tool)
    if isinstance(returned, Image.Image):
        return ToolOutput(returned)
    if not isinstance(returned, ToolOutput) or not isinstance(returned.image, Image.Image):
        shown = returned.image if isinstance(returned, ToolOutput) else returned
        raise TypeError(f"{name!r}.run returned {type(shown).__name__}, not an image")
    known = {view.name for view in declared_views(tool)}
    undeclared = sorted(set(returned.views) - known)
    if undeclared:
        raise TypeError(f"{name!r}.run returned the undeclared view {undeclared[0]!r}")
    for view_name, view in returned.views.items():
        if not isinstance(view, Image.Image):
            raise TypeError(f"{name!r}.run returned {type(view).__name__} as the view {view_name!r}, not an image")
    return returned


def run_with_views(tool: Any, image: Image.Image, *, progress: Progress | None = None, settings: "Settings | None" = None,
                   **params: Any) -> ToolOutput:
    """``tool.run`` with validated ``params``, its return read by :func:`tool_output`: the Python API's one call
    (``run_with_views(tool, photo, **tool.validate(raw)).image``, and ``.views``). A photo that is an earlier
    tool's result is given without that result's file size limit (the window's chain: a turned ID photo is
    not the JPEG that met the limit)."""
    from restora.imaging.io import without_file_promises

    image = without_file_promises(image)
    return tool_output(tool, tool.run(image, progress=progress, settings=settings, **params))


@dataclass(frozen=True)
class Command:
    """A training, evaluation or data-set command of a tool: ``restora train|eval|data <name>``.

    ``config`` and ``run`` are "module:attribute" strings, imported only when the command runs (so
    ``restora --help`` stays instant). ``config`` names a dataclass whose fields (with
    ``metadata={"help": ..., "choices": ..., "flag": ...}``) become the command's options; ``run`` is
    called as ``run(config, **extra)`` where ``extra`` holds the values of ``arguments`` (options that
    are not part of the config: folders, --resume, --json).
    """

    help: str
    config: str
    run: str
    arguments: tuple["Argument", ...] = ()
    name: str = ""  # the sub-command's name; default: the tool's name


@dataclass(frozen=True)
class Argument:
    """An option of a :class:`Command` that is not a config field (a folder, a flag, an output file)."""

    name: str
    help: str
    kind: str = "path"  # "path" | "dir" | "file" | "flag" | "text" | "int"
    required: bool = False
    default: Any = None
    exists: bool = False
    multiple: bool = False
    choices: tuple[str, ...] = ()


class Tool(Protocol):
    name: str
    title: str
    description: str
    card: str
    params: tuple[Param, ...]
    weights: tuple["WeightsEntry", ...]
    commands: tuple[tuple[str, Command], ...]
    views: tuple[View, ...]

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Typed parameters from raw input; :raises InvalidParams: with a message for the user."""

    def prepare(self, *, settings: "Settings | None" = None, **params: Any) -> None:
        """Load what ``run`` will need (weights), so a missing file is reported before any image is read."""

    def run(self, image: Image.Image, *, progress: Progress | None = None, settings: "Settings | None" = None,
            **params: Any) -> "Image.Image | ToolOutput":
        """The result image for ``image`` with validated ``params``, or a :class:`ToolOutput` with views too."""

    def icon_path(self) -> Path | None:
        """An SVG for the tool's card and button, or None."""


class NetCache:
    """Built nets (or sessions) shared by every thread of the process, one per key.

    The key is what makes a net different (its weights file and that file's modification time, plus
    anything else the builder reads); building happens under the lock, so two threads asking for the same
    net at once build it once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[Any, Any] = {}

    def get(self, key: Any, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._items:
                self._items[key] = build()
            return self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


NETS = NetCache()  # the one cache of the process: every tool's nets


def load_net(tool: str, weights: str, settings: "Settings", build: Callable[[Any], Any]) -> Any:
    """``build(loaded weights)`` for ``tool``'s weights (its default when ``weights`` is empty), built once
    per process and file and shared by every thread (the key holds the file's path and modification
    time, so a replaced file is read again). Sets torch's threads from the settings first.

    :raises MissingWeights: before any work when the file is not on this machine.
    """
    from restora.weights import default_weights, find_weights, load_weights

    name = weights or default_weights(tool)
    path, _ = find_weights(name, tool, settings)  # cheap: a missing file is reported before any torch work

    def make() -> Any:
        if settings.torch_threads > 0:
            import torch

            if torch.get_num_threads() != settings.torch_threads:
                torch.set_num_threads(settings.torch_threads)
        return build(load_weights(name, tool, settings))

    return NETS.get((tool, "weights", str(path.resolve()), path.stat().st_mtime_ns), make)


def settings_or_default(settings: "Settings | None") -> "Settings":
    """The settings a front passed, or those of the environment for a caller that passed none (a script)."""
    if settings is not None:
        return settings
    from restora.config import load_settings

    return load_settings()


@dataclass
class BaseTool:
    """Shared plumbing: parameter coercion, cross-field checks in ``check``, the net cache, the icon."""

    name: str = ""
    title: str = ""
    description: str = ""
    card: str = ""  # the home page's card text; default: the description
    research: str = ""  # the home page's "state of research" note: the method, published numbers
    params: tuple[Param, ...] = field(default_factory=tuple)
    weights: tuple["WeightsEntry", ...] = field(default_factory=tuple)
    commands: tuple[tuple[str, Command], ...] = field(default_factory=tuple)  # ("train", Command(...)), ...
    views: tuple[View, ...] = field(default_factory=tuple)  # side pictures a run may return (ToolOutput)
    icon: str = ""  # path of an SVG; default: icons/<name>.svg beside this module
    # Raw parameters for `make bench` (benchmarks/tools_bench.py): a typical job, such as the defaults.
    bench_params: Mapping[str, Any] = field(default_factory=dict)
    # Message catalogue of a third-party tool: {"zh": {"English text": "translation"}}; built-in tools
    # use the project's catalogue instead.
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

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

    def prepare(self, *, settings: "Settings | None" = None, **params: Any) -> None:
        """Nothing to load by default."""

    def icon_path(self) -> Path | None:
        path = Path(self.icon) if self.icon else Path(__file__).parent / "icons" / f"{self.name}.svg"
        return path if path.is_file() else None

    @property
    def card_text(self) -> str:
        return self.card or self.description

    def load_net(self, weights: str, settings: "Settings", build: Callable[[Any], Any]) -> Any:
        """See :func:`load_net`: the net for these weights (default when empty), once per process."""
        return load_net(self.name, weights, settings, build)

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` once per process for ``(tool, key)``; see :class:`NetCache`."""
        return NETS.get((self.name, key), build)
