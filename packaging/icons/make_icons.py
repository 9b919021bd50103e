"""Draw the application icon: a scan-to-enter badge (three QR finder squares and a tick).

The shapes are declared once, on a 64-unit grid, and written both as SVG (the
scalable icon of the Linux menu) and as PNG rasters and a Windows ``.ico``
(Pillow, drawn at 16x the size and scaled down so that small sizes stay crisp).

    python packaging/icons/make_icons.py [OUT_DIR]   # default: packaging/icons
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

GRID = 64
BLUE = "#1d4f91"
WHITE = "#ffffff"
GREEN = "#1f9d55"
SIZES = (16, 24, 32, 48, 64, 128, 256)

#: (kind, x, y, w, h, radius, colour): rounded rectangles, back to front.
RECTS = [
    ("bg", 2, 2, 60, 60, 12, BLUE),
    ("card", 10, 10, 44, 44, 6, WHITE),
    *[shape for x, y in ((14, 14), (36, 14), (14, 36)) for shape in (
        ("finder", x, y, 14, 14, 2, BLUE),
        ("finder", x + 2, y + 2, 10, 10, 1, WHITE),
        ("finder", x + 4, y + 4, 6, 6, 1, BLUE),
    )],
]
#: The tick in the fourth corner, as a polyline with its stroke width.
TICK = ((37.0, 44.0), (41.5, 48.5), (50.0, 38.0))
TICK_WIDTH = 4.0


def svg() -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" '
             f'viewBox="0 0 {GRID} {GRID}">']
    for _kind, x, y, w, h, r, colour in RECTS:
        parts.append(f'  <rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}" fill="{colour}"/>')
    points = " ".join(f"{x},{y}" for x, y in TICK)
    parts.append(f'  <polyline points="{points}" fill="none" stroke="{GREEN}" '
                 f'stroke-width="{TICK_WIDTH}" stroke-linecap="round" stroke-linejoin="round"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def raster(size: int) -> Image.Image:
    scale = size * 16 / GRID
    big = Image.new("RGBA", (size * 16, size * 16), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    for _kind, x, y, w, h, r, colour in RECTS:
        draw.rounded_rectangle((x * scale, y * scale, (x + w) * scale - 1, (y + h) * scale - 1),
                               radius=r * scale, fill=colour)
    width = round(TICK_WIDTH * scale)
    points = [(x * scale, y * scale) for x, y in TICK]
    draw.line(points, fill=GREEN, width=width, joint="curve")
    for px, py in (points[0], points[-1]):  # round caps
        draw.ellipse((px - width / 2, py - width / 2, px + width / 2, py + width / 2), fill=GREEN)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "inspector.svg").write_text(svg(), encoding="utf-8")
    for size in SIZES:
        raster(size).save(out / f"inspector-{size}.png", optimize=True)
    raster(256).save(out / "inspector.ico", sizes=[(s, s) for s in SIZES])


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
