"""The opened photos and what was done to each: a chain of tool results that Undo walks back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

# The file a photo was opened from, kept in its info: the remote window may send that file instead of encoding
# the pixels again (restora.gui.upload checks first that it still decodes to these very pixels).
SOURCE_FILE_KEY = "restora_source_file"


def open_photo(path: Path, limits: Any = None) -> Image.Image:
    """The photo at ``path``, upright (EXIF orientation applied, as the server does), remembering its file.

    :raises InvalidImage: for a file that is not a picture we read.
    """
    from restora.imaging.io import DEFAULT_LIMITS, load_image

    image = load_image(path, limits or DEFAULT_LIMITS)
    image.info[SOURCE_FILE_KEY] = str(path)
    return image


@dataclass
class Step:
    tool: str
    input: Image.Image
    result: Image.Image
    view: Any = None  # the result's restora.gui.qimages.Pyramid, built with it off the UI thread


@dataclass
class Photo:
    """One opened photo; its results stay in memory until Undo, so a failed or cancelled run loses nothing."""

    path: Path
    original: Image.Image
    steps: list[Step] = field(default_factory=list)
    saved_to: Path | None = None
    view: Any = None  # the original's Pyramid

    @property
    def current(self) -> Image.Image:
        """What the next tool runs on, and what Save writes: the last result (chaining) or the photo."""
        return self.steps[-1].result if self.steps else self.original

    @property
    def before(self) -> Image.Image:
        """The input of the last result, for the before/after view."""
        return self.steps[-1].input if self.steps else self.original

    @property
    def current_view(self) -> Any:
        return self.steps[-1].view if self.steps else self.view

    @property
    def before_view(self) -> Any:
        return self.steps[-2].view if len(self.steps) > 1 else self.view

    def add_result(self, tool: str, image: Image.Image, result: Image.Image, view: Any = None) -> None:
        self.steps.append(Step(tool, image, result, view))
        self.saved_to = None

    def undo(self) -> Step | None:
        self.saved_to = None
        return self.steps.pop() if self.steps else None

    def chain(self) -> str:
        """'photo.jpg → first tool → second tool'."""
        return " → ".join([self.path.name, *(step.tool for step in self.steps)])

    def suggested_name(self) -> str:
        """photo-<tool>-<tool>.png: the tools in the name; PNG keeps every pixel (and transparency), but a
        result that must fit a file size can only be a JPEG (.jpg)."""
        from restora.imaging.io import required_format

        tools = "-".join(step.tool for step in self.steps)
        suffix = ".jpg" if required_format(self.current) == "JPEG" else ".png"
        return f"{self.path.stem}-{tools}{suffix}" if tools else f"{self.path.stem}{suffix}"
