"""Run an image-to-image function tile by tile and blend the tiles back with smooth weights.

A net on a 12-megapixel photo needs gigabytes of activations; on tiles it needs only what one tile
needs, plus the output and a weight map the size of the image. Neighbouring tiles overlap and each tile's
weight ramps up from its inner edges, so seams fade instead of showing, and because the blend divides by
the summed weights, the identity function comes back exactly.
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

TileFunction = Callable[[np.ndarray], np.ndarray]


def tile_starts(length: int, tile: int, overlap: int, align: int = 1) -> list[int]:
    """Start offsets covering ``length`` with tiles of ``tile`` px overlapping by at least ``overlap``.

    The last tile ends at the image edge. With ``align`` > 1 every start is a multiple of ``align``
    (given ``length`` and ``tile`` are), so each tile keeps the size a net needs.
    """
    if tile >= length:
        return [0]
    if not 0 <= overlap < tile:
        raise ValueError(f"overlap must be in [0, tile), got {overlap} for tile {tile}")
    count = int(np.ceil((length - overlap) / (tile - overlap)))
    # Spread the starts evenly between 0 and length - tile, so all overlaps are about the same.
    starts = np.linspace(0, length - tile, count).round().astype(int)
    starts = (starts // align) * align
    return sorted(set(int(s) for s in starts))


def _ramp(size: int, start: int, length: int, overlap: int) -> np.ndarray:
    """1-D blend weight of one tile: rising across ``overlap`` px at edges inside the image, flat elsewhere.

    The first quarter of the overlap, nearest the tile's edge, keeps a tiny weight: there a net lacks
    context beyond the tile, and the neighbour (which sees it from its middle) should decide. The rise
    is a raised cosine over the middle half, so the two weights cross smoothly at the overlap's centre.
    """
    weight = np.ones(size, dtype=np.float32)
    if overlap <= 0:
        return weight
    margin = overlap // 4
    span = max(1, overlap - 2 * margin)
    steps = np.clip((np.arange(overlap, dtype=np.float32) - margin + 0.5) / span, 0.0, 1.0)
    # Never exactly 0, so a pixel that only one tile sees (a short last overlap) still counts.
    rise = np.maximum(0.5 - 0.5 * np.cos(np.pi * steps), 1e-4).astype(np.float32)
    n = min(overlap, size)
    if start > 0:
        weight[:n] *= rise[:n]
    if start + size < length:
        weight[size - n :] *= rise[:n][::-1]
    return weight


def iter_tiles(height: int, width: int, tile: int, overlap: int, align: int = 1) -> Iterator[tuple[int, int, int, int]]:
    """(top, left, tile height, tile width) for every tile, row by row."""
    for top in tile_starts(height, tile, overlap, align):
        for left in tile_starts(width, tile, overlap, align):
            yield top, left, min(tile, height), min(tile, width)


def count_tiles(height: int, width: int, tile: int, overlap: int, align: int = 1) -> int:
    return len(tile_starts(height, tile, overlap, align)) * len(tile_starts(width, tile, overlap, align))


def apply_tiled(
    image: np.ndarray,
    function: TileFunction,
    *,
    tile: int,
    overlap: int,
    align: int = 1,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """``function`` applied to ``image`` (H×W×C) tile by tile; the function must keep the tile's shape.

    Memory beyond the function's own: the float32 output and an H×W weight map. An image no larger
    than one tile is passed whole, so the result then equals ``function(image)``.
    """
    height, width = image.shape[:2]
    if tile % align:
        raise ValueError(f"tile {tile} is not a multiple of {align}")
    total = count_tiles(height, width, tile, overlap, align)
    if total == 1:
        result = function(image)
        if progress:
            progress(1.0)
        return result
    output: np.ndarray | None = None
    weights = np.zeros((height, width), dtype=np.float32)
    for done, (top, left, th, tw) in enumerate(iter_tiles(height, width, tile, overlap, align), start=1):
        piece = function(image[top : top + th, left : left + tw])
        if piece.shape[:2] != (th, tw):
            raise ValueError(f"tile function changed the tile shape from {(th, tw)} to {piece.shape[:2]}")
        if output is None:
            output = np.zeros((height, width) + piece.shape[2:], dtype=np.float32)
        weight = np.outer(_ramp(th, top, height, overlap), _ramp(tw, left, width, overlap))
        region = output[top : top + th, left : left + tw]
        region += piece * (weight[..., None] if piece.ndim == 3 else weight)
        weights[top : top + th, left : left + tw] += weight
        if progress:
            progress(done / total)
    assert output is not None
    return output / (weights[..., None] if output.ndim == 3 else weights)
