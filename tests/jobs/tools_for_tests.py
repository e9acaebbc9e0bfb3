"""Test-only tools, registered into TOOLS by the tests that need them (in-process or in a worker subprocess).

Each does real work (the adjust tool's pixel operations) and adds one misbehaviour: slowness, a crash,
an error. The queue, runner and executors under test are the real ones.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from PIL import Image

from restora.tools import TOOLS
from restora.tools.adjust import Adjust
from restora.i18n import N_
from restora.tools.base import BaseTool, Param, Progress, ToolOutput, View


@dataclass
class SlowAdjust(BaseTool):
    """Turns the picture left, taking ``seconds`` and reporting progress ten times a second."""

    name: str = "slow"
    title: str = "Slow"
    params: tuple[Param, ...] = field(
        default=(Param("seconds", "float", default=3.0, minimum=0.0, maximum=120.0),)
    )

    def run(self, image: Image.Image, *, seconds: float = 3.0, progress: Progress | None = None,
            settings=None) -> Image.Image:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(0.1, left))
            if progress:
                progress(1.0 - left / seconds)
        return Adjust().run(image, rotate="left")


@dataclass
class SlowAdjustWithViews(SlowAdjust):
    """The slow turn, with the photo in grey as a declared ``grey`` view (how a tool gives a side picture)."""

    name: str = "slow-views"
    title: str = "Slow, with views"
    views: tuple[View, ...] = (View("grey", N_("Grey")),)

    def run(self, image: Image.Image, *, seconds: float = 3.0, progress: Progress | None = None,
            settings=None) -> ToolOutput:
        turned = super().run(image, seconds=seconds, progress=progress, settings=settings)
        return ToolOutput(turned, {"grey": turned.convert("L")})


@dataclass
class SlowAdjustWithinSize(SlowAdjust):
    """The slow turn, as a file of at most ``max_kb`` KB: the JPEG quality found the way the background tool's ID
    photos find it, set in the result's info (imaging.io's MAX_KB_KEY, JPEG_QUALITY_KEY)."""

    name: str = "slow-limited"
    title: str = "Slow, within a file size"
    params: tuple[Param, ...] = field(default=(Param("seconds", "float", default=3.0, minimum=0.0, maximum=120.0),
                                               Param("max_kb", "int", default=8, minimum=1, maximum=1000)))

    def run(self, image: Image.Image, *, seconds: float = 3.0, max_kb: int = 8, progress: Progress | None = None,
            settings=None) -> Image.Image:
        from restora.imaging.io import JPEG_QUALITY_KEY, MAX_KB_KEY
        from restora.tools.background.id_photo import jpeg_within

        turned = super().run(image, seconds=seconds, progress=progress, settings=settings)
        turned.info.update({MAX_KB_KEY: max_kb, JPEG_QUALITY_KEY: jpeg_within(turned, max_kb)[1]})
        return turned


@dataclass
class CrashingTool(BaseTool):
    """Kills its own process, as an out-of-memory kill or a segfault in a native library would."""

    name: str = "crash"
    title: str = "Crash"

    def run(self, image: Image.Image, *, progress: Progress | None = None, settings=None) -> Image.Image:
        os._exit(137)


@dataclass
class FailingTool(BaseTool):
    """Raises the exception named by ``kind`` every time."""

    name: str = "failing"
    title: str = "Failing"
    params: tuple[Param, ...] = field(
        default=(Param("kind", "choice", default="value", choices=("value", "memory", "runtime", "type")),)
    )
    calls: int = 0

    def run(self, image: Image.Image, *, kind: str = "value", progress: Progress | None = None,
            settings=None) -> Image.Image:
        self.calls += 1
        if kind == "value":
            raise ValueError("the picture has no faces to work on")
        if kind == "memory":
            raise MemoryError()
        if kind == "type":
            raise TypeError("run() got an unexpected keyword argument 'strength'")
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")


@dataclass
class SettingsProbe(BaseTool):
    """Keeps the Settings each run was given, so a test can see which ones a front passed."""

    name: str = "settings-probe"
    title: str = "Settings probe"
    seen: list = field(default_factory=list)

    def run(self, image: Image.Image, *, progress: Progress | None = None, settings=None) -> Image.Image:
        self.seen.append(settings)
        return image.copy()


TEST_TOOLS = {"slow": SlowAdjust(), "slow-views": SlowAdjustWithViews(), "slow-limited": SlowAdjustWithinSize(),
              "crash": CrashingTool(), "failing": FailingTool(), "settings-probe": SettingsProbe()}


def register_test_tools() -> None:
    TOOLS.update(TEST_TOOLS)
