"""A test-only tool with every kind drawn or picked in the window (hints, box, colour, image, text); it
records what it was given and returns the photo with the hints painted over it."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from restora.tools.base import BaseTool, Param


@dataclass
class DrawnProbe(BaseTool):
    name: str = "drawn-probe"
    title: str = "Drawn probe"
    description: str = "Records its parameters."
    params: tuple = field(default=(
        Param("hints", "hints", default=None, label="Hints"),
        Param("keep", "box", default=None, label="Keep"),
        Param("colour", "colour", default="white", label="Colour"),
        Param("picture", "image", default=None, label="Picture"),
        Param("caption", "text", default="hello", label="Caption"),
        Param("count", "int", default=3, minimum=1, maximum=9, label="Count"),
        Param("open_ended", "float", default=2.5, minimum=0.0, label="Open ended", advanced=True),
    ))
    seen: list = field(default_factory=list)

    def run(self, image, *, progress=None, settings=None, **params):
        self.seen.append(params)
        result = image.convert("RGBA")
        if params["hints"] is not None:
            result.alpha_composite(params["hints"])
        return result.convert("RGB")
