"""An example tool from outside Restora: posterize a photo to fewer levels per channel.

Its "weights" are a tiny lookup table file, to show how a tool declares, checks and loads a file of its
own: the registry lists it, `restora models verify` checks its sha256, and the tool caches what it loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from restora.tools.base import BaseTool, InvalidParams, Param, settings_or_default
from restora.weights import LoadedWeights, WeightsEntry, load_weights, register_reader

HERE = Path(__file__).parent


@register_reader("posterize-curve")
def read_curve(path: Path, architecture: dict | None) -> LoadedWeights:
    """A .npz holding one array, ``curve``: 256 output levels, one per input level."""
    with np.load(path) as data:
        return LoadedWeights({"curve": data["curve"]}, dict(architecture or {}), str(path))


WEIGHTS = (
    WeightsEntry(
        name="posterize-gamma",
        tool="posterize",
        filename=str(HERE / "curve.npz"),  # an absolute path: the file ships inside this package
        kind="official",
        architecture={},
        licence="GPL-3.0-or-later",
        how_to_get="reinstall restora-example-tool",
        description="a gentle gamma applied before the levels are counted",
        family="posterize-curve",
        default=True,
    ),
)


@dataclass
class Posterize(BaseTool):
    name: str = "posterize"
    title: str = "Posterize"
    description: str = "Reduce the number of colour levels, like a screen print."
    card: str = "Turn a photo into a poster with a few flat colour levels."
    params: tuple = field(default=(
        Param("levels", "int", default=4, label="Levels", help="Levels per colour channel.", minimum=2, maximum=64),
        Param("gamma", "bool", default=True, label="Gentle curve", help="Apply the packaged curve first."),
    ))
    weights: tuple = field(default=WEIGHTS)
    icon: str = str(HERE / "posterize.svg")
    translations: dict = field(default_factory=lambda: {"zh": {"Posterize": "色调分离", "Levels": "色阶数"}})

    def check(self, values: dict) -> None:
        if values["levels"] == 64 and not values["gamma"]:
            raise InvalidParams("64 levels without the curve would change nothing visible")

    def run(self, image: Image.Image, *, levels: int = 4, gamma: bool = True, progress=None, settings=None):
        rgb = np.asarray(image.convert("RGB"))
        if gamma:
            settings = settings_or_default(settings)
            entry = self.weights[0]
            path = Path(entry.location(settings))
            curve = self.cached(("curve", str(path), path.stat().st_mtime_ns),
                                lambda: load_weights(entry.name, self.name, settings).state_dict["curve"])
            rgb = curve[rgb]
        step = 255.0 / (levels - 1)
        result = (np.rint(np.rint(rgb / step) * step)).astype(np.uint8)
        if progress:
            progress(1.0)
        return Image.fromarray(result, "RGB")
