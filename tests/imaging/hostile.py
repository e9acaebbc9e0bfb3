"""Generators of hostile image files, so a clone without the shared corpus still tests them."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def png_with_header(width: int, height: int, idat: bytes = b"") -> bytes:
    """A PNG that declares width×height RGB pixels but carries only ``idat`` (maybe nothing)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = png_chunk(b"IHDR", header)
    if idat:
        chunks += png_chunk(b"IDAT", idat)
    return b"\x89PNG\r\n\x1a\n" + chunks + png_chunk(b"IEND", b"")


def bomb_png(width: int, height: int) -> bytes:
    """A PNG whose pixel stream really decompresses to width×height grey pixels (small on disk)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + pixels
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()
