"""The 9-box as a server-rendered SVG: counts per box, each box a link to its people."""

from html import escape

from app.talentbox.settings import TalentBoxSettings

POTENTIAL = (
    ("rendah", "Potensi rendah"),
    ("menengah", "Potensi menengah"),
    ("tinggi", "Potensi tinggi"),
)
PERFORMANCE = (
    ("di_atas", "Kinerja di atas ekspektasi"),
    ("sesuai", "Kinerja sesuai ekspektasi"),
    ("di_bawah", "Kinerja di bawah ekspektasi"),
)
COLOURS = {
    9: "#1b5e20",
    8: "#2e7d32",
    7: "#2e7d32",
    6: "#f9a825",
    5: "#fbc02d",
    4: "#f9a825",
    3: "#ef6c00",
    2: "#ef6c00",
    1: "#b3261e",
}
CELL, LEFT, TOP = 150, 170, 10


def nine_box_svg(settings: TalentBoxSettings, counts: dict[int, int], link: str) -> str:
    """`link` is a URL pattern with {box} for the drill-down."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LEFT + 3 * CELL + 10} '
        f'{TOP + 3 * CELL + 50}" role="img" class="ninebox" aria-labelledby="ninebox-title">',
        '<title id="ninebox-title">Kotak talenta 3×3: jumlah pegawai per kotak</title>',
    ]
    for row, (performance, label) in enumerate(PERFORMANCE):
        y = TOP + row * CELL
        # Two lines ("Kinerja" / "di bawah ekspektasi") so the longest label fits the margin.
        first, _, rest = label.partition(" ")
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + CELL / 2 - 4}" text-anchor="end" font-size="12">'
            f'<tspan x="{LEFT - 8}">{escape(first)}</tspan>'
            f'<tspan x="{LEFT - 8}" dy="15">{escape(rest)}</tspan></text>'
        )
        for column, (potential, _) in enumerate(POTENTIAL):
            number = settings.boxes[performance][potential]
            parts.append(_cell(LEFT + column * CELL, y, number, counts.get(number, 0), link))
    for column, (_, label) in enumerate(POTENTIAL):
        x = LEFT + column * CELL + CELL / 2
        parts.append(
            f'<text x="{x}" y="{TOP + 3 * CELL + 22}" text-anchor="middle" '
            f'font-size="12">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _cell(x: float, y: float, number: int, count: int, link: str) -> str:
    href = escape(link.format(box=number))
    return (
        f'<a href="{href}" aria-label="Kotak {number}: {count} pegawai">'
        f'<rect x="{x + 2}" y="{y + 2}" width="{CELL - 4}" height="{CELL - 4}" rx="6" '
        f'fill="{COLOURS[number]}"/>'
        f'<text x="{x + 12}" y="{y + 26}" font-size="16" fill="#fff" font-weight="700">'
        f"Kotak {number}</text>"
        f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 18}" font-size="40" fill="#fff" '
        f'text-anchor="middle" class="count" data-box="{number}">{count}</text></a>'
    )
