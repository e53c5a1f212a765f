"""Small, safe, self-contained SVG pictures for figural items.

Only the elements svg, g, path, rect, circle, line, polygon and title are written, with
geometric/presentation attributes (no style, no href, no url(...), no script, no text). A
picture is built from `Glyph`s: one shape in an 80×80 cell, rotated or mirrored with a
`transform` so the renderer does the trigonometry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

CELL = 80
GAP = 8
INK = "#222222"
FILLS = {"putih": "#ffffff", "abu-abu": "#9e9e9e", "hitam": "#222222"}
COLOURS = {
    "biru": "#7fa7d9",
    "hijau": "#8cc98c",
    "kuning": "#f2d16b",
    "jingga": "#f0a35e",
    "ungu": "#b39ddb",
    "merah muda": "#f4a7b9",
    "cokelat": "#c8a27c",
    "toska": "#7fcfc4",
}
POLYGON_NAMES = {
    3: "segitiga",
    4: "segi empat",
    5: "segi lima",
    6: "segi enam",
    7: "segi tujuh",
    8: "segi delapan",
    9: "segi sembilan",
    10: "segi sepuluh",
    11: "segi sebelas",
    12: "segi dua belas",
}
DIRECTIONS = {
    0: "atas",
    45: "kanan atas",
    90: "kanan",
    135: "kanan bawah",
    180: "bawah",
    225: "kiri bawah",
    270: "kiri",
    315: "kiri atas",
}
FAMILY_NAMES = {
    "panah": "anak panah",
    "bendera": "bendera",
    "segitiga_titik": "segitiga bertitik",
    "bentuk_l": "bangun L",
    "jarum": "jarum jam",
}
Point = tuple[float, float]
Cell = tuple[int, int]


def num(value: float) -> str:
    """Coordinate with at most one decimal, no trailing .0 and never -0."""
    text = f"{round(value, 1):.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def element(tag: str, **attributes: str | float) -> str:
    """Self-closing element; stroke_width is written stroke-width."""
    parts = [
        f'{name.replace("_", "-")}="{value if isinstance(value, str) else num(value)}"'
        for name, value in attributes.items()
    ]
    return f"<{tag} {' '.join(parts)}/>"


def points_text(points: Sequence[Point]) -> str:
    return " ".join(f"{num(x)},{num(y)}" for x, y in points)


def regular_points(sides: int, radius: float, cx: float = 40, cy: float = 40) -> list[Point]:
    """Vertices of a regular polygon with a flat bottom edge (square, not diamond)."""
    offset = -90 + (180 / sides if sides % 2 == 0 else 0)
    return [
        (
            cx + radius * math.cos(math.radians(offset + 360 * i / sides)),
            cy + radius * math.sin(math.radians(offset + 360 * i / sides)),
        )
        for i in range(sides)
    ]


# --------------------------------------------------------------------------- glyphs


@dataclass(frozen=True)
class Glyph:
    """One shape in an 80×80 cell; fields a family does not use stay at their defaults."""

    family: str
    angle: int = 0
    fill: str = "putih"
    sides: int = 0
    dots: int = 0
    outline: str = "persegi"
    mirrored: bool = False
    cells: tuple[Cell, ...] = ()
    colour: str = "biru"
    points: tuple[Point, ...] = ()

    @property
    def normalized_angle(self) -> int:
        return self.angle % 360


def fill_of(glyph: Glyph) -> str:
    return FILLS[glyph.fill]


def contrast_of(glyph: Glyph) -> str:
    """Marks drawn on a dark shape are white, on a light one dark."""
    return "#ffffff" if glyph.fill == "hitam" else INK


def transform_of(glyph: Glyph) -> str:
    parts = []
    if glyph.normalized_angle:
        parts.append(f"rotate({glyph.normalized_angle} 40 40)")
    if glyph.mirrored:
        parts.append("translate(80 0) scale(-1 1)")
    return " ".join(parts)


def oriented_shape(glyph: Glyph) -> list[str]:
    """Shapes whose orientation matters (rotation series, analogies, rotation items)."""
    fill, mark = fill_of(glyph), contrast_of(glyph)
    stroke: dict[str, str | float] = {"stroke": INK, "stroke_width": 2}
    if glyph.family == "panah":
        return [
            element(
                "polygon", points="40,8 62,34 48,34 48,72 32,72 32,34 18,34", fill=fill, **stroke
            )
        ]
    if glyph.family == "bendera":
        return [
            element("line", x1=28, y1=72, x2=28, y2=8, stroke=INK, stroke_width=3),
            element("polygon", points="28,8 64,20 28,32", fill=fill, **stroke),
        ]
    if glyph.family == "segitiga_titik":
        return [
            element("polygon", points="40,10 70,66 10,66", fill=fill, **stroke),
            element("circle", cx=40, cy=30, r=6, fill=mark),
        ]
    if glyph.family == "bentuk_l":
        return [
            element("polygon", points="22,10 38,10 38,54 62,54 62,70 22,70", fill=fill, **stroke)
        ]
    if glyph.family == "jarum":
        return [
            element("circle", cx=40, cy=40, r=30, fill=fill, **stroke),
            element("line", x1=40, y1=40, x2=40, y2=16, stroke=mark, stroke_width=4),
            element("circle", cx=40, cy=40, r=4, fill=mark),
        ]
    if glyph.family == "poligon":
        points = points_text(regular_points(glyph.sides, 30))
        return [element("polygon", points=points, fill=fill, **stroke)]
    raise ValueError(f"unknown oriented family {glyph.family}")


DOT_GRID = {
    1: [(1, 1)],
    2: [(0, 0), (2, 2)],
    3: [(0, 0), (1, 1), (2, 2)],
    4: [(0, 0), (2, 0), (0, 2), (2, 2)],
    5: [(0, 0), (2, 0), (1, 1), (0, 2), (2, 2)],
    6: [(0, 0), (2, 0), (0, 1), (2, 1), (0, 2), (2, 2)],
    7: [(0, 0), (2, 0), (0, 1), (1, 1), (2, 1), (0, 2), (2, 2)],
    8: [(0, 0), (1, 0), (2, 0), (0, 1), (2, 1), (0, 2), (1, 2), (2, 2)],
    9: [(x, y) for y in range(3) for x in range(3)],
}


def dotted_shape(glyph: Glyph) -> list[str]:
    """An outline (lingkaran, persegi) holding 1–9 dots laid out like a die."""
    fill = fill_of(glyph)
    if glyph.outline == "lingkaran":
        frame = element("circle", cx=40, cy=40, r=33, fill=fill, stroke=INK, stroke_width=2)
    else:
        frame = element(
            "rect", x=10, y=10, width=60, height=60, fill=fill, stroke=INK, stroke_width=2
        )
    dots = [
        element("circle", cx=24 + 16 * gx, cy=24 + 16 * gy, r=5) for gx, gy in DOT_GRID[glyph.dots]
    ]
    return [frame, f'<g fill="{contrast_of(glyph)}">', *dots, "</g>"]


def cell_shape(glyph: Glyph) -> list[str]:
    """A polyomino as unit squares, centred; the grid lines help counting."""
    width = max(x for x, _ in glyph.cells) + 1
    height = max(y for _, y in glyph.cells) + 1
    size = min(15, 66 // max(width, height))
    left, top = 40 - width * size / 2, 40 - height * size / 2
    rects = [
        element("rect", x=left + x * size, y=top + y * size, width=size, height=size)
        for x, y in glyph.cells
    ]
    return [f'<g fill="{COLOURS[glyph.colour]}" stroke="{INK}" stroke-width="1.5">', *rects, "</g>"]


def outline_shape(glyph: Glyph) -> list[str]:
    """A free polygon given by its points (irregular shapes for counting sides)."""
    return [
        element(
            "polygon",
            points=points_text(glyph.points),
            fill=COLOURS[glyph.colour],
            stroke=INK,
            stroke_width=2,
        )
    ]


def glyph_body(glyph: Glyph) -> list[str]:
    """Elements of a glyph in its own 80×80 cell, transformed when rotated or mirrored."""
    if glyph.family == "titik":
        return dotted_shape(glyph)
    if glyph.family == "polimino":
        return cell_shape(glyph)
    if glyph.family == "bentuk":
        return outline_shape(glyph)
    shape = oriented_shape(glyph)
    transform = transform_of(glyph)
    return [f'<g transform="{transform}">', *shape, "</g>"] if transform else shape


def glyph_key(glyph: Glyph) -> str:
    """What the glyph looks like, for checking that options differ visibly."""
    return "".join(glyph_body(glyph))


def describe(glyph: Glyph) -> str:
    """Short Indonesian description for aria-label and title."""
    if glyph.family == "titik":
        return f"{glyph.outline} {glyph.fill} berisi {glyph.dots} titik"
    if glyph.family == "polimino":
        return f"bangun {glyph.colour} dari {len(glyph.cells)} persegi satuan"
    if glyph.family == "bentuk":
        return f"bangun {glyph.colour} tak beraturan"
    if glyph.family == "poligon":
        turned = f" diputar {glyph.normalized_angle}°" if glyph.normalized_angle else ""
        return f"{POLYGON_NAMES[glyph.sides]} {glyph.fill}{turned}"
    name = FAMILY_NAMES[glyph.family]
    mirrored = " dicerminkan" if glyph.mirrored else ""
    return f"{name} {glyph.fill}{mirrored} menghadap {DIRECTIONS[glyph.normalized_angle]}"


# --------------------------------------------------------------------------- documents


def document(width: int, height: int, label: str, body: Sequence[str]) -> str:
    """Root svg with role, aria-label and title; one element per line."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(label)}>'
    )
    return "\n".join([head, f"<title>{escape(label)}</title>", *body, "</svg>"]) + "\n"


def placed(x: float, y: float, body: Sequence[str]) -> list[str]:
    return [f'<g transform="translate({num(x)} {num(y)})">', *body, "</g>"]


def cell_frame() -> str:
    return element("rect", x=1, y=1, width=78, height=78, fill="#ffffff", stroke="#bbbbbb")


def question_cell() -> list[str]:
    """The empty cell with a drawn question mark (no text element)."""
    return [
        element(
            "rect", x=1, y=1, width=78, height=78, fill="#f2f2f2", stroke="#888888", stroke_width=2
        ),
        element(
            "path",
            d="M29 30 Q29 17 40 17 Q51 17 51 28 Q51 36 40 40 L40 50",
            fill="none",
            stroke="#555555",
            stroke_width=5,
        ),
        element("circle", cx=40, cy=61, r=4, fill="#555555"),
    ]


def single_picture(glyph: Glyph, label: str | None = None) -> str:
    """One framed glyph, used for options and for the question figure of rotation items."""
    return document(CELL, CELL, label or describe(glyph), [cell_frame(), *glyph_body(glyph)])


def series_picture(glyphs: Sequence[Glyph], label: str) -> str:
    """Glyphs in a row followed by the question cell."""
    body: list[str] = []
    for index, glyph in enumerate(glyphs):
        body += placed(index * (CELL + GAP), 0, [cell_frame(), *glyph_body(glyph)])
    body += placed(len(glyphs) * (CELL + GAP), 0, question_cell())
    width = (len(glyphs) + 1) * (CELL + GAP) - GAP
    return document(width, CELL, label, body)


def arrow(x: float) -> list[str]:
    """Right-pointing arrow between two cells, starting at x."""
    return [
        element("line", x1=x + 4, y1=40, x2=x + 20, y2=40, stroke=INK, stroke_width=2),
        element("polygon", points=f"{num(x + 26)},40 {num(x + 18)},35 {num(x + 18)},45", fill=INK),
    ]


def analogy_picture(first: Glyph, second: Glyph, third: Glyph, label: str) -> str:
    """A → B  ::  C → ?"""
    step = CELL + 30
    body = placed(0, 0, [cell_frame(), *glyph_body(first)])
    body += arrow(CELL)
    body += placed(step, 0, [cell_frame(), *glyph_body(second)])
    separator = step + CELL + 20
    body += [
        element("circle", cx=separator, cy=32, r=3, fill=INK),
        element("circle", cx=separator, cy=48, r=3, fill=INK),
    ]
    third_x = separator + 20
    body += placed(third_x, 0, [cell_frame(), *glyph_body(third)])
    body += arrow(third_x + CELL)
    body += placed(third_x + step, 0, question_cell())
    return document(third_x + step + CELL, CELL, label, body)


def row_picture(glyphs: Sequence[Glyph], label: str) -> str:
    """Glyphs side by side without frames (shapes to count)."""
    body: list[str] = []
    for index, glyph in enumerate(glyphs):
        body += placed(index * (CELL + GAP), 0, glyph_body(glyph))
    width = len(glyphs) * (CELL + GAP) - GAP
    return document(width, CELL, label, body)


def large_picture(glyph: Glyph, label: str, scale: int = 2) -> str:
    """One glyph drawn `scale` times larger, for shapes whose sides must be counted."""
    size = CELL * scale
    body = [f'<g transform="scale({scale})">', *glyph_body(glyph), "</g>"]
    return document(size, size, label, body)
