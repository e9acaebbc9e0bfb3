"""Rotation, flips and brightness: exact, lossless where possible, and fast (a lookup table per channel)."""

from __future__ import annotations

from PIL import Image

# Rotation names as the user sees them -> Pillow's lossless transpose operations.
# "left" is 90° anticlockwise, "right" 90° clockwise, as on a phone's rotate buttons.
ROTATIONS: dict[str, Image.Transpose | None] = {
    "none": None,
    "left": Image.Transpose.ROTATE_90,
    "right": Image.Transpose.ROTATE_270,
    "180": Image.Transpose.ROTATE_180,
    "flip-h": Image.Transpose.FLIP_LEFT_RIGHT,
    "flip-v": Image.Transpose.FLIP_TOP_BOTTOM,
}

MIN_BRIGHTNESS = 0.2
MAX_BRIGHTNESS = 100.0


def rotate(image: Image.Image, rotation: str) -> Image.Image:
    """Rotate or flip without resampling (every pixel is moved, none is interpolated)."""
    try:
        operation = ROTATIONS[rotation]
    except KeyError:
        raise ValueError(f"unknown rotation {rotation!r}; choose one of {', '.join(ROTATIONS)}") from None
    return image if operation is None else image.transpose(operation)


def brightness_table(factor: float) -> list[int]:
    """The 256-entry lookup table that multiplies a channel value by ``factor`` (rounded, clipped to 255)."""
    return [min(255, int(value * factor + 0.5)) for value in range(256)]


def change_brightness(image: Image.Image, factor: float) -> Image.Image:
    """Scale the colour channels by ``factor`` (1 unchanged, below 1 darker); alpha is left alone."""
    if factor == 1:
        return image
    table = brightness_table(factor)
    if image.mode == "RGBA":
        return image.point(table * 3 + list(range(256)))
    if image.mode == "RGB":
        return image.point(table * 3)
    if image.mode == "L":
        return image.point(table)
    raise ValueError(f"brightness works on RGB, RGBA or L images, not {image.mode}")
