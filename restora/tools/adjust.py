"""The adjust tool: rotate or flip, and make brighter or darker. No model; exact pixel operations."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from restora.imaging import adjust
from restora.tools.base import BaseTool, InvalidParams, Param, Progress

ADJUST_PARAMS = (
    Param(
        "rotate",
        "choice",
        default="none",
        label="Rotation",
        help="none, 90° left, 90° right, 180°, flip horizontally or flip vertically",
        choices=tuple(adjust.ROTATIONS),
    ),
    Param(
        "brightness",
        "float",
        default=1.0,
        label="Brightness",
        help="1 keeps it; below 1 is darker (down to 0.2), above 1 brighter (up to 100)",
        minimum=adjust.MIN_BRIGHTNESS,
        maximum=adjust.MAX_BRIGHTNESS,
    ),
)


@dataclass
class Adjust(BaseTool):
    name: str = "adjust"
    title: str = "Adjust"
    description: str = "Rotate or flip a photo and make it brighter or darker."
    params: tuple[Param, ...] = field(default=ADJUST_PARAMS)

    def check(self, values: dict) -> None:
        if values["rotate"] == "none" and values["brightness"] == 1:
            raise InvalidParams("nothing to do: choose a rotation or a brightness other than 1")

    def run(
        self, image: Image.Image, *, rotate: str = "none", brightness: float = 1.0, progress: Progress | None = None
    ) -> Image.Image:
        result = adjust.change_brightness(adjust.rotate(image, rotate), brightness)
        if progress:
            progress(1.0)
        return result
