"""PIL images to and from QImage, copying the pixels (neither side keeps a view of the other's memory)."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage


def to_qimage(image: Image.Image) -> QImage:
    """RGB or RGBA (anything else converted to RGB) -> a QImage that owns its pixels."""
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    fmt = QImage.Format.Format_RGBA8888 if image.mode == "RGBA" else QImage.Format.Format_RGB888
    data = image.tobytes()
    channels = len(image.mode)
    return QImage(data, image.width, image.height, image.width * channels, fmt).copy()


def to_pil(qimage: QImage) -> Image.Image:
    """A QImage -> an RGBA PIL image."""
    converted = qimage.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = converted.width(), converted.height()
    data = bytes(converted.constBits())[: converted.bytesPerLine() * height]
    return Image.frombuffer("RGBA", (width, height), data, "raw", "RGBA", converted.bytesPerLine(), 1).copy()


def alpha_as_grey(image: Image.Image) -> Image.Image:
    """The mask of a result with transparency (white = kept), or the image itself when it has none."""
    return image.getchannel("A").convert("RGB") if image.mode == "RGBA" else image


PYRAMID_SMALLEST = 256  # px, the longest side of the last level


class Pyramid:
    """A photo for the screen: the full-size image and halvings of it down to about 256 px, as QImages.

    Built off the UI thread, with Pillow (which lets go of Python's lock while it resamples; Qt's scaling
    holds it, and would stall the UI thread's timers). The QImages share the Pillow bytes, kept here,
    rather than copying them. The view draws the smallest level at least as large as the zoom asks for,
    smoothed, so a 12-megapixel photo shown to fit costs a small image's drawing.
    """

    def __init__(self, image: Image.Image, data: bytes | None = None) -> None:
        """``data``: ``image.tobytes()`` when the caller has it already (a result from the tool process)."""
        if image.mode not in ("RGB", "RGBA"):
            image, data = image.convert("RGBA" if "A" in image.getbands() else "RGB"), None
        self._buffers: list[bytes] = []  # the QImages point into these
        self.levels: list[QImage] = []
        level = image
        while True:
            self.levels.append(self._wrap(level, data))
            data = None
            if max(level.size) <= 2 * PYRAMID_SMALLEST:
                break
            level = level.reduce(2)  # a 2×2 box average: a clean halving

    def _wrap(self, image: Image.Image, data: bytes | None = None) -> QImage:
        fmt = QImage.Format.Format_RGBA8888 if image.mode == "RGBA" else QImage.Format.Format_RGB888
        data = data if data is not None else image.tobytes()
        self._buffers.append(data)
        return QImage(data, image.width, image.height, image.width * len(image.mode), fmt)

    @classmethod
    def of(cls, image: Image.Image, data: bytes | None = None) -> "Pyramid":
        return cls(image, data)

    @classmethod
    def of_qimage(cls, qimage: QImage) -> "Pyramid":
        return cls(to_pil(qimage))

    @property
    def full(self) -> QImage:
        return self.levels[0]

    def size(self) -> QSize:
        return self.levels[0].size()

    def level_for(self, zoom: float) -> QImage:
        """The smallest level with at least ``zoom`` × the full size in pixels."""
        chosen = self.levels[0]
        for level in self.levels[1:]:
            if level.width() >= self.levels[0].width() * zoom:
                chosen = level
        return chosen
