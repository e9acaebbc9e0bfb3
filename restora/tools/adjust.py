"""The adjust tool: rotate or flip, and make brighter or darker. No model; exact pixel operations."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from restora.i18n import N_
from restora.imaging import adjust
from restora.tools.base import BaseTool, InvalidParams, Param, Progress

ADJUST_PARAMS = (
    Param(
        "rotate",
        "choice",
        default="none",
        label=N_("Rotation"),
        help=N_("Turn or mirror the photo: left/right turn it 90°, flip-h mirrors left-right, flip-v top-bottom."),
        choices=tuple(adjust.ROTATIONS),
        choice_labels=(N_("None"), N_("90° left"), N_("90° right"), N_("180°"), N_("Flip horizontally"),
                       N_("Flip vertically")),
    ),
    Param(
        "brightness",
        "float",
        default=1.0,
        label=N_("Brightness"),
        help=N_("1 keeps it; below 1 is darker (down to 0.2), above 1 brighter (up to 100)."),
        minimum=adjust.MIN_BRIGHTNESS,
        maximum=adjust.MAX_BRIGHTNESS,
    ),
)


@dataclass
class Adjust(BaseTool):
    name: str = "adjust"
    title: str = N_("Adjust")
    description: str = N_("Rotate or flip a photo and make it brighter or darker.")
    research: str = N_("Rotation, flips and brightness are exact pixel operations; no model is involved.")
    params: tuple[Param, ...] = field(default=ADJUST_PARAMS)
    bench_params: dict = field(default_factory=lambda: {"rotate": "left", "brightness": 1.3})

    def check(self, values: dict) -> None:
        if values["rotate"] == "none" and values["brightness"] == 1:
            raise InvalidParams("nothing to do: choose a rotation or a brightness other than 1")

    def run(
        self, image: Image.Image, *, rotate: str = "none", brightness: float = 1.0, progress: Progress | None = None,
        settings: object = None,
    ) -> Image.Image:
        result = adjust.change_brightness(adjust.rotate(image, rotate), brightness)
        if progress:
            progress(1.0)
        return result
