"""A test-only tool with every kind drawn or picked in the window (hints, box, colour, image, text). It runs
in the window's tool process, so it hands back what it was given in the result's ``info["seen"]``, with
the photo under the hints as the pixels."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    def run(self, image, *, progress=None, settings=None, **params):
        result = image.convert("RGBA")
        if params["hints"] is not None:
            result.alpha_composite(params["hints"])
        result = result.convert("RGB")
        result.info["seen"] = params  # pickled back with the image
        return result


@dataclass
class Silent(BaseTool):
    """Works for ``seconds`` without ever reporting progress (a tool Cancel cannot reach from the inside).

    ``started``: a file it writes as it begins, so a test cancels it inside its run: a Cancel that comes
    before (the tool process still starting) is answered at the progress report before ``run``, and the
    process rightly lives on."""

    name: str = "silent"
    title: str = "Silent"
    params: tuple = field(default=(Param("seconds", "float", default=60.0, minimum=0.0, maximum=600.0),
                                   Param("started", "text", default="")))

    def run(self, image, *, seconds: float = 60.0, started: str = "", progress=None, settings=None):
        import time
        from pathlib import Path

        if started:
            Path(started).write_text("running")
        time.sleep(seconds)
        return image.copy()
