#!/usr/bin/env python3
"""Draws the app's install icons into public/icons/ (PNG, standard library only).

Two purposes, two sizes each (192 and 512 px), as Android's "Add to Home Screen" wants:
- icon-*.png: a rounded brand-green tile (transparent corners) with three white boxes;
- maskable-*.png: the same boxes on a full-bleed tile, drawn inside the central 60 %, so any
  mask shape (circle, squircle) the launcher applies keeps them whole.
Run it again after changing the colours; the files are committed.
"""

import os
import struct
import zlib

BRAND = (0x0B, 0x6E, 0x4F)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = os.path.join(os.path.dirname(__file__), "..", "public", "icons")


def boxes(size, scale):
    """Three stacked boxes (two below, one on top), in a square of `scale` of the icon."""
    unit = size * scale / 10.0
    left = (size - 10 * unit) / 2
    top = (size - 10 * unit) / 2
    # (x, y, w, h) in units of a 10 x 10 grid; a gap of 0.4 between boxes.
    grid = [(0.3, 5.2, 4.5, 4.5), (5.2, 5.2, 4.5, 4.5), (2.75, 0.3, 4.5, 4.5)]
    return [
        (left + x * unit, top + y * unit, left + (x + w) * unit, top + (y + h) * unit)
        for x, y, w, h in grid
    ]


def pixel(size, x, y, rounded, shapes):
    cx, cy = x + 0.5, y + 0.5
    if rounded:
        r = size * 0.18
        nx = min(max(cx, r), size - r)
        ny = min(max(cy, r), size - r)
        if (cx - nx) ** 2 + (cy - ny) ** 2 > r * r:
            return (0, 0, 0, 0)
    for x0, y0, x1, y1 in shapes:
        if x0 <= cx < x1 and y0 <= cy < y1:
            return WHITE + (255,)
    return BRAND + (255,)


def png(size, rounded, scale):
    shapes = boxes(size, scale)
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(size, x, y, rounded, shapes)) for x in range(size))
        for y in range(size)
    )

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def main():
    os.makedirs(OUT, exist_ok=True)
    for size in (192, 512):
        for name, rounded, scale in (("icon", True, 0.62), ("maskable", False, 0.5)):
            path = os.path.join(OUT, f"{name}-{size}.png")
            with open(path, "wb") as f:
                f.write(png(size, rounded, scale))
            print(path)


if __name__ == "__main__":
    main()
