"""Draws the PWA's icons (pwa/icons/*.png) with the standard library only, so they can be made again:

    .venv/bin/python -m tests.e2e.make_icons

A white "A" on the brand colour. The maskable icon keeps the letter inside the central safe zone (a circle of
40 % of the size), because launchers crop maskable icons to their own shapes."""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parents[2] / "pwa" / "icons"
BRAND = (0x0B, 0x4F, 0x6C)
WHITE = (0xFF, 0xFF, 0xFF)
# The letter in a unit square: two legs and a bar, as line segments with round ends.
LETTER = [((0.5, 0.2), (0.27, 0.8)), ((0.5, 0.2), (0.73, 0.8)), ((0.36, 0.59), (0.64, 0.59))]
STROKE = 0.11


def _distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def draw(size: int, scale: float) -> bytes:
    """RGBA rows of the icon; `scale` shrinks the letter around the centre (1.0 fills the square)."""
    rows = bytearray()
    half = STROKE * scale * size / 2
    for y in range(size):
        rows.append(0)  # PNG filter type 0 for this row
        for x in range(size):
            # The pixel's centre in letter coordinates.
            ux = 0.5 + ((x + 0.5) / size - 0.5) / scale
            uy = 0.5 + ((y + 0.5) / size - 0.5) / scale
            d = min(_distance(ux, uy, a, b) for a, b in LETTER) * scale * size
            cover = max(0.0, min(1.0, half - d + 0.5))  # one pixel of anti-aliasing at the edge
            rows.extend(round(BRAND[i] + (WHITE[i] - BRAND[i]) * cover) for i in range(3))
            rows.append(255)
    return bytes(rows)


def png(size: int, rgba_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rgba_rows, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size, scale in (
        ("icon-192.png", 192, 1.0),
        ("icon-512.png", 512, 1.0),
        ("icon-maskable-512.png", 512, 0.7),
    ):
        (ICONS / name).write_bytes(png(size, draw(size, scale)))


if __name__ == "__main__":
    main()
