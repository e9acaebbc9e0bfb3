"""PIL images to and from QImage, copying the pixels (neither side keeps a view of the other's memory)."""

from __future__ import annotations

from PIL import Image
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
