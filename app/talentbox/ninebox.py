"""The 9-box as a server-rendered SVG: counts per box, each box a link to its people.

Colours are not in the SVG: each box is `class="box box-N"` and app.css gives its fill and
text colour (the 9-box block there; tests/talentbox/test_ninebox.py holds every pair to WCAG
AA contrast). Each link's accessible name is its visible text ("Kotak 9, 1 pegawai"), and the
figure is a group, not an image, because it holds links."""

from html import escape

from app.talentbox.settings import TalentBoxSettings
from app.web.templating import N_, translate

POTENTIAL = (
    ("rendah", N_("Low potential")),
    ("menengah", N_("Middle potential")),
    ("tinggi", N_("High potential")),
)
PERFORMANCE = (
    ("di_atas", N_("Performance above expectations")),
    ("sesuai", N_("Performance in line with expectations")),
    ("di_bawah", N_("Performance below expectations")),
)
TITLE = N_("Talent box 3×3: officials per box")
BOX = N_("Box %(number)s")
# Two msgids instead of ngettext: English needs the singular, Indonesian has one form.
OFFICIAL, OFFICIALS = N_("official"), N_("officials")
CELL, LEFT, TOP = 150, 170, 10


def nine_box_svg(settings: TalentBoxSettings, counts: dict[int, int], link: str) -> str:
    """`link` is a URL pattern with {box} for the drill-down."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LEFT + 3 * CELL + 10} '
        f'{TOP + 3 * CELL + 50}" role="group" class="ninebox" aria-labelledby="ninebox-title">',
        f'<title id="ninebox-title">{escape(translate(TITLE))}</title>',
    ]
    for row, (performance, label) in enumerate(PERFORMANCE):
        y = TOP + row * CELL
        # Two lines ("Kinerja" / "di bawah ekspektasi") so the longest label fits the margin.
        first, _, rest = translate(label).partition(" ")
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
            f'font-size="12">{escape(translate(label))}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _cell(x: float, y: float, number: int, count: int, link: str) -> str:
    href = escape(link.format(box=number))
    name = escape(translate(BOX) % {"number": number})
    unit = escape(translate(OFFICIAL if count == 1 else OFFICIALS))
    return (
        f'<a href="{href}" class="box box-{number}">'
        f'<rect x="{x + 2}" y="{y + 2}" width="{CELL - 4}" height="{CELL - 4}" rx="6"/>'
        f'<text x="{x + 12}" y="{y + 26}" font-size="16" font-weight="700">{name}</text>'
        f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 18}" font-size="40" '
        f'text-anchor="middle" class="count" data-box="{number}">{count}</text>'
        f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 42}" font-size="14" '
        f'text-anchor="middle">{unit}</text></a>'
    )
