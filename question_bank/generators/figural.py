"""Deterministic generator of original figural-reasoning items (subtest `figural`).

Themes: seri gambar, analogi gambar, rotasi, jumlah sisi. Pictures are inline SVG built by
`question_bank.generators.svg`; picture options differ from the key by one property (angle,
number of sides, shading, number of dots, mirror image), number options by a small count.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from question_bank.generators.common import (
    Draft,
    StableRng,
    Template,
    format_number,
    generate_items,
    number_word,
    pick_distractors,
    write_by_theme,
)
from question_bank.generators.svg import (
    COLOURS,
    FAMILY_NAMES,
    POLYGON_NAMES,
    Cell,
    Glyph,
    Point,
    analogy_picture,
    describe,
    glyph_key,
    large_picture,
    regular_points,
    row_picture,
    series_picture,
    single_picture,
)

SUBTEST = "figural"
SEED = 20261129
SAMPLE_COUNT = 72
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample" / "figural"
GENERATOR_NAME = "question_bank.generators.figural"

THEME_SERIES = "seri gambar"
THEME_ANALOGY = "analogi gambar"
THEME_ROTATION = "rotasi"
THEME_SIDES = "jumlah sisi"

SHADES = ["putih", "abu-abu", "hitam"]
ORIENTED = list(FAMILY_NAMES)
CHIRAL = ["bendera", "bentuk_l"]  # no mirror symmetry: a mirror image is never a rotation
PICTURE_OPTIONS = 4


def ordinal(n: int) -> str:
    """keempat, kelima, … (Indonesian ordinal of a small count)."""
    return "pertama" if n == 1 else "ke" + number_word(n).replace(" ", "")


def turn_phrase(angle: int) -> str:
    direction = "searah" if angle > 0 else "berlawanan arah"
    return "180°" if abs(angle) == 180 else f"{abs(angle)}° {direction} jarum jam"


def family_name(glyph: Glyph) -> str:
    if glyph.family == "poligon":
        return POLYGON_NAMES[glyph.sides]
    if glyph.family == "titik":
        return f"{glyph.outline} bertitik"
    return FAMILY_NAMES.get(glyph.family, "bangun")


def picture_draft(
    *,
    theme: str,
    subtheme: str,
    template: str,
    stem: str,
    figure: str | None,
    key: Glyph,
    candidates: Sequence[Glyph],
    difficulty: float,
    time_hint: int,
) -> Draft:
    """Options are single-glyph pictures; distractors must look different from the key and
    from each other, so they are compared by their drawing, not their labels."""
    seen = {glyph_key(key)}
    chosen: list[Glyph] = []
    for glyph in candidates:
        drawing = glyph_key(glyph)
        if drawing not in seen and len(chosen) < PICTURE_OPTIONS - 1:
            seen.add(drawing)
            chosen.append(glyph)
    if len(chosen) < PICTURE_OPTIONS - 1:
        raise RuntimeError(f"{template}: not enough distinct distractor pictures")
    return Draft(
        theme=theme,
        subtheme=subtheme,
        template=template,
        stem=stem,
        key_option={"figure_svg": single_picture(key)},
        distractor_options=[{"figure_svg": single_picture(glyph)} for glyph in chosen],
        difficulty=round(difficulty, 2),
        time_hint_seconds=time_hint,
        figure_svg=figure,
    )


def count_draft(
    rng: StableRng,
    *,
    subtheme: str,
    template: str,
    stem: str,
    figure: str | None,
    key: int,
    candidates: Sequence[int],
    difficulty: float,
) -> Draft:
    """Number options (4 or 5) for the `jumlah sisi` theme."""
    option_count = 4 if rng.chance(1, 3) else 5
    texts = pick_distractors(
        Fraction(key), candidates, option_count - 1, format_number, valid=lambda v: v >= 3
    )
    return Draft(
        theme=THEME_SIDES,
        subtheme=subtheme,
        template=template,
        stem=stem,
        key_option={"text": str(key)},
        distractor_options=[{"text": text} for text in texts],
        difficulty=round(difficulty, 2),
        time_hint_seconds=45,
        figure_svg=figure,
    )


def series_label(glyphs: Sequence[Glyph]) -> str:
    parts = "; ".join(describe(glyph) for glyph in glyphs)
    return f"Deret {number_word(len(glyphs))} gambar: {parts}; lalu tanda tanya"


def analogy_label(first: Glyph, second: Glyph, third: Glyph) -> str:
    return (
        f"Analogi gambar: {describe(first)} menjadi {describe(second)}; "
        f"{describe(third)} menjadi tanda tanya"
    )


# --------------------------------------------------------------------------- seri gambar

SERIES_STEMS = [
    "Perhatikan deret {n} gambar {family} di atas. Gambar manakah yang tepat menggantikan "
    "tanda tanya?",
    "Deret berikut berisi {n} gambar {family} yang berubah secara teratur. Pilih gambar yang "
    "melanjutkannya.",
    "Gambar {family} pada deret ini mengikuti satu aturan tetap. Manakah gambar {next}?",
    "Tentukan gambar yang seharusnya mengisi kotak bertanda tanya pada deret {family} berikut.",
    "Lanjutkan pola {n} gambar {family} berikut dengan memilih satu gambar yang sesuai.",
    "Urutan {n} gambar {family} di atas belum lengkap. Gambar apa yang muncul sesudahnya?",
]


def series_stem(rng: StableRng, family: str, shown: int) -> str:
    template = rng.choice(SERIES_STEMS)
    return template.format(n=number_word(shown), family=family, next=ordinal(shown + 1))


def rotation_series(rng: StableRng) -> Draft:
    family = rng.choice(ORIENTED)
    step = rng.choice([45, 90, 135, -45, -90])
    shown = rng.choice([3, 4])
    start = 45 * rng.randbelow(8)
    fill = rng.choice(SHADES)
    frames = [Glyph(family, start + step * i, fill) for i in range(shown)]
    key = Glyph(family, start + step * shown, fill)
    candidates = [
        replace(key, angle=key.angle + step),
        replace(key, angle=key.angle - step),
        replace(key, angle=key.angle + 180),
        replace(key, angle=key.angle - 2 * step),
        replace(key, angle=key.angle + 90),
    ]
    return picture_draft(
        theme=THEME_SERIES,
        subtheme="rotasi bertahap",
        template="seri_rotasi",
        stem=series_stem(rng, FAMILY_NAMES[family], shown),
        figure=series_picture(frames, series_label(frames)),
        key=key,
        candidates=candidates,
        difficulty=-0.7
        + {45: 0.3, 90: 0.0, 135: 0.7}[abs(step)]
        + 0.3 * (step < 0)
        + 0.2 * (shown == 3),
        time_hint=60,
    )


def sides_series(rng: StableRng) -> Draft:
    gap, shown, first = rng.choice(
        [(1, 4, 3), (1, 4, 4), (1, 4, 5), (2, 3, 3), (2, 3, 4), (-1, 4, 8), (-1, 4, 9), (-1, 4, 10)]
    )
    alternating = rng.chance(1, 2)
    pair = rng.sample(SHADES, 2)

    def fill_at(i: int) -> str:
        return pair[i % 2] if alternating else pair[0]

    frames = [Glyph("poligon", fill=fill_at(i), sides=first + gap * i) for i in range(shown)]
    key = Glyph("poligon", fill=fill_at(shown), sides=first + gap * shown)
    wrong_fill = pair[1] if not alternating or fill_at(shown) == pair[0] else pair[0]
    candidates = [
        replace(key, fill=wrong_fill),
        replace(key, sides=key.sides + gap),
        replace(key, sides=key.sides - gap),
        replace(key, sides=key.sides + 1),
        replace(key, sides=key.sides - 1),
        replace(key, sides=key.sides + 2 * gap),
    ]
    candidates = [glyph for glyph in candidates if 3 <= glyph.sides <= 10]
    return picture_draft(
        theme=THEME_SERIES,
        subtheme="banyak sisi bertambah",
        template="seri_sisi",
        stem=series_stem(rng, "bangun datar", shown),
        figure=series_picture(frames, series_label(frames)),
        key=key,
        candidates=candidates,
        difficulty=-0.9 + 0.4 * alternating + 0.3 * (gap != 1),
        time_hint=50,
    )


SHADE_CYCLES = [
    ["putih", "hitam"],
    ["abu-abu", "putih"],
    ["putih", "abu-abu", "hitam"],
    ["hitam", "abu-abu", "putih"],
    ["hitam", "putih", "abu-abu"],
]


def shading_series(rng: StableRng) -> Draft:
    family = rng.choice([*ORIENTED, "poligon"])
    sides = rng.randint(3, 8) if family == "poligon" else 0
    step = 0 if family == "poligon" else rng.choice([90, -90, 45, 180])
    cycle = rng.choice(SHADE_CYCLES)
    shown = rng.choice([4, 5])
    start = 45 * rng.randbelow(8) if step else 0

    def frame(i: int) -> Glyph:
        return Glyph(family, start + step * i, cycle[i % len(cycle)], sides=sides)

    frames = [frame(i) for i in range(shown)]
    key = frame(shown)
    others = [shade for shade in SHADES if shade != key.fill]
    candidates = [replace(key, fill=others[0]), replace(key, fill=others[1])]
    if step:
        candidates += [replace(key, angle=key.angle + 90), replace(key, angle=key.angle - step)]
    candidates += [replace(key, sides=sides + 1)] if family == "poligon" else []
    candidates += [replace(key, fill=others[0], angle=key.angle + 180)]
    return picture_draft(
        theme=THEME_SERIES,
        subtheme="arsiran bergantian",
        template="seri_arsiran",
        stem=series_stem(rng, family_name(key), shown),
        figure=series_picture(frames, series_label(frames)),
        key=key,
        candidates=candidates,
        difficulty=-0.5 + 0.35 * (len(cycle) == 3) + 0.3 * (step != 0) + 0.1 * (shown == 4),
        time_hint=60,
    )


def dots_series(rng: StableRng) -> Draft:
    gap, shown, first = rng.choice(
        [(1, 4, 1), (1, 4, 2), (1, 4, 3), (1, 4, 4), (1, 4, 5), (-1, 4, 9), (-1, 4, 7)]
        + [(-1, 4, 8), (2, 3, 1), (2, 3, 2), (2, 3, 3), (-2, 3, 9), (-2, 3, 8)]
    )
    alternating = rng.chance(1, 2)
    outlines = rng.shuffled(["lingkaran", "persegi"])
    fill = rng.choice(["putih", "abu-abu"])

    def frame(i: int) -> Glyph:
        outline = outlines[i % 2] if alternating else outlines[0]
        return Glyph("titik", fill=fill, dots=first + gap * i, outline=outline)

    frames = [frame(i) for i in range(shown)]
    key = frame(shown)
    other_outline = outlines[1] if key.outline == outlines[0] else outlines[0]
    candidates = [
        replace(key, dots=key.dots + 1),
        replace(key, dots=key.dots - 1),
        replace(key, outline=other_outline),
        replace(key, dots=key.dots - gap),
        replace(key, dots=key.dots + gap),
        replace(key, dots=key.dots - 2),
        replace(key, outline=other_outline, dots=key.dots - gap),
    ]
    candidates = [glyph for glyph in candidates if 1 <= glyph.dots <= 9]
    return picture_draft(
        theme=THEME_SERIES,
        subtheme="banyak titik",
        template="seri_titik",
        stem=series_stem(rng, f"{outlines[0]} bertitik", shown),
        figure=series_picture(frames, series_label(frames)),
        key=key,
        candidates=candidates,
        difficulty=-1.0 + 0.3 * (abs(gap) == 2) + 0.2 * (gap < 0) + 0.4 * alternating,
        time_hint=45,
    )


# --------------------------------------------------------------------------- analogi gambar

ANALOGY_STEMS = [
    "Gambar {a} pertama berubah menjadi gambar kedua. Dengan aturan yang sama, {c} pada gambar "
    "ketiga berubah menjadi gambar apa?",
    "Hubungan gambar pertama dan kedua sama dengan hubungan {c} dan gambar yang dicari. Pilih "
    "gambar yang tepat.",
    "Perhatikan pasangan {a} di sebelah kiri. Gambar manakah yang melengkapi pasangan {c} di "
    "sebelah kanan?",
    "Jika {a} berpasangan dengan gambar kedua, maka {c} berpasangan dengan gambar ....",
    "Temukan gambar yang berhubungan dengan {c} seperti gambar kedua berhubungan dengan {a}.",
    "Aturan yang mengubah {a} menjadi gambar di sebelahnya juga berlaku untuk {c}. Gambar mana "
    "hasilnya?",
]


def analogy_draft(
    rng: StableRng,
    *,
    subtheme: str,
    template: str,
    pair: tuple[Glyph, Glyph],
    third: Glyph,
    key: Glyph,
    candidates: Sequence[Glyph],
    difficulty: float,
) -> Draft:
    first, second = pair
    names = {"a": family_name(first), "c": family_name(third)}
    if names["a"] == names["c"]:
        names["c"] = f"{names['c']} yang lain"
    return picture_draft(
        theme=THEME_ANALOGY,
        subtheme=subtheme,
        template=template,
        stem=rng.choice(ANALOGY_STEMS).format(**names),
        figure=analogy_picture(first, second, third, analogy_label(first, second, third)),
        key=key,
        candidates=candidates,
        difficulty=difficulty,
        time_hint=75,
    )


def random_angle(rng: StableRng) -> int:
    return 45 * rng.randbelow(8)


def rotate_analogy(rng: StableRng) -> Draft:
    family_a, family_c = rng.sample(ORIENTED, 2)
    turn = rng.choice([90, -90, 180, 45, 135])
    fill_a, fill_c = rng.choice(SHADES), rng.choice(SHADES)
    first = Glyph(family_a, random_angle(rng), fill_a)
    third = Glyph(family_c, random_angle(rng), fill_c)
    key = replace(third, angle=third.angle + turn)
    candidates = [
        third,
        replace(third, angle=third.angle - turn),
        replace(key, angle=key.angle + 180),
        replace(key, angle=key.angle + 45),
        replace(key, angle=key.angle - 90),
    ]
    return analogy_draft(
        rng,
        subtheme="perputaran",
        template="analogi_rotasi",
        pair=(first, replace(first, angle=first.angle + turn)),
        third=third,
        key=key,
        candidates=candidates,
        difficulty=-0.4 + 0.3 * (abs(turn) in (45, 135)) + 0.2 * (turn < 0),
    )


def sides_analogy(rng: StableRng) -> Draft:
    change = rng.choice([1, 2, -1])
    sides_a = rng.randint(4, 7)
    sides_c = rng.choice([n for n in range(4, 8) if n != sides_a])
    fill_a, fill_c = rng.sample(SHADES, 2)
    first = Glyph("poligon", fill=fill_a, sides=sides_a)
    third = Glyph("poligon", fill=fill_c, sides=sides_c)
    key = replace(third, sides=sides_c + change)
    candidates = [
        third,
        replace(key, sides=key.sides + 1),
        replace(key, sides=key.sides - 1),
        replace(key, fill=fill_a),
        replace(key, sides=key.sides + change),
        replace(key, sides=key.sides + 2),
        replace(third, fill=fill_a),
    ]
    return analogy_draft(
        rng,
        subtheme="perubahan banyak sisi",
        template="analogi_sisi",
        pair=(first, replace(first, sides=sides_a + change)),
        third=third,
        key=key,
        candidates=[glyph for glyph in candidates if 3 <= glyph.sides <= 10],
        difficulty=-0.6 + 0.3 * (change != 1),
    )


def shade_analogy(rng: StableRng) -> Draft:
    before, after = rng.sample(SHADES, 2)
    family_a, family_c = rng.sample([*ORIENTED, "poligon"], 2)
    first = Glyph(family_a, random_angle(rng), before, sides=rng.randint(3, 8))
    third = Glyph(family_c, random_angle(rng), before, sides=rng.randint(3, 8))
    if family_a == "poligon":
        first = replace(first, angle=0)
    if family_c == "poligon":
        third = replace(third, angle=0)
    second = replace(first, fill=after)
    key = replace(third, fill=after)
    remaining = next(shade for shade in SHADES if shade not in (before, after))
    candidates = [
        third,
        replace(third, fill=remaining),
        replace(key, angle=key.angle + 90, sides=key.sides + 1),
        second,
    ]
    return analogy_draft(
        rng,
        subtheme="perubahan arsiran",
        template="analogi_arsiran",
        pair=(first, second),
        third=third,
        key=key,
        candidates=candidates,
        difficulty=-1.1 + 0.2 * (family_c != "poligon"),
    )


def multiplicative_reading(before: int, after: int) -> bool:
    """True when a pair of dot counts could also be read as ×k or ÷k (2 → 4, 6 → 3); such a
    pair would make the analogy ambiguous, so it is not used as the example."""
    return after % before == 0 or before % after == 0


def dots_analogy(rng: StableRng) -> Draft:
    amount = rng.choice([2, 3, 4, -2, -3, -4])
    outline_a, outline_c = rng.shuffled(["lingkaran", "persegi"])
    fill = rng.choice(["putih", "abu-abu"])
    counts = list(range(max(1, 1 - amount), min(9, 9 - amount) + 1))
    examples = [n for n in counts if not multiplicative_reading(n, n + amount)]
    dots_a = rng.choice(examples)
    dots_c = rng.choice([n for n in counts if n != dots_a])
    first = Glyph("titik", fill=fill, dots=dots_a, outline=outline_a)
    third = Glyph("titik", fill=fill, dots=dots_c, outline=outline_c)
    key = replace(third, dots=dots_c + amount)
    candidates = [
        replace(third, dots=dots_c - amount),  # the change applied the wrong way
        third,
        replace(key, outline=outline_a),
        replace(key, dots=key.dots + 1),
        replace(key, dots=key.dots - 1),
    ]
    return analogy_draft(
        rng,
        subtheme="perubahan banyak titik",
        template="analogi_titik",
        pair=(first, replace(first, dots=dots_a + amount)),
        third=third,
        key=key,
        candidates=[glyph for glyph in candidates if 1 <= glyph.dots <= 9],
        difficulty=-0.5 + 0.2 * (amount < 0) + 0.1 * abs(amount),
    )


def mirrored(glyph: Glyph) -> Glyph:
    """Left–right mirror image: M·R(a)·M^m = R(−a)·M^(m+1)."""
    return replace(glyph, angle=-glyph.angle, mirrored=not glyph.mirrored)


def mirror_analogy(rng: StableRng) -> Draft:
    family_a, family_c = rng.choice(CHIRAL), rng.choice(CHIRAL)
    first = Glyph(family_a, random_angle(rng), rng.choice(SHADES))
    third = Glyph(family_c, random_angle(rng), rng.choice(SHADES))
    key = mirrored(third)
    candidates = [
        replace(third, angle=third.angle + 180),
        third,
        replace(key, angle=key.angle + 180),
        replace(key, angle=key.angle + 90),
    ]
    return analogy_draft(
        rng,
        subtheme="pencerminan",
        template="analogi_cermin",
        pair=(first, mirrored(first)),
        third=third,
        key=key,
        candidates=candidates,
        difficulty=0.5 + 0.2 * (third.angle % 90 != 0),
    )


def turn_and_shade_analogy(rng: StableRng) -> Draft:
    family_a, family_c = rng.sample(ORIENTED, 2)
    turn = rng.choice([90, -90, 45, 180])
    before, after = rng.sample(SHADES, 2)
    first = Glyph(family_a, random_angle(rng), before)
    third = Glyph(family_c, random_angle(rng), before)
    key = Glyph(family_c, third.angle + turn, after)
    candidates = [
        replace(key, fill=before),
        replace(third, fill=after),
        replace(key, angle=key.angle - 2 * turn if turn != 180 else key.angle + 90),
        replace(key, angle=key.angle + 180, fill=before),
    ]
    return analogy_draft(
        rng,
        subtheme="perputaran dan arsiran",
        template="analogi_putar_arsir",
        pair=(first, Glyph(family_a, first.angle + turn, after)),
        third=third,
        key=key,
        candidates=candidates,
        difficulty=0.6 + 0.2 * (abs(turn) == 45),
    )


# --------------------------------------------------------------------------- rotasi


def normalize(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    """Cells shifted to start at (0, 0) and sorted, so equal shapes compare equal."""
    left = min(x for x, _ in cells)
    top = min(y for _, y in cells)
    return tuple(sorted((x - left, y - top) for x, y in cells))


def turned(cells: Sequence[Cell], angle: int) -> tuple[Cell, ...]:
    """Rotate by a multiple of 90° clockwise (screen y grows downwards)."""
    result = tuple(cells)
    for _ in range((angle // 90) % 4):
        result = normalize([(-y, x) for x, y in result])
    return normalize(result)


def flipped(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    return normalize([(-x, y) for x, y in cells])


def grow_polyomino(rng: StableRng, size: int) -> tuple[Cell, ...]:
    """Random connected set of unit squares, grown one neighbour at a time."""
    cells = {(0, 0)}
    while len(cells) < size:
        frontier = sorted(
            {(x + dx, y + dy) for x, y in cells for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))}
            - cells
        )
        cells.add(rng.choice(frontier))
    return normalize(list(cells))


def fits(cells: Sequence[Cell], limit: int = 4) -> bool:
    return max(max(x, y) for x, y in cells) < limit


def without_symmetry(cells: Sequence[Cell]) -> bool:
    """All 8 rotations and mirror images differ, so every option is visibly distinct."""
    images = {turned(cells, a) for a in (0, 90, 180, 270)}
    images |= {turned(flipped(cells), a) for a in (0, 90, 180, 270)}
    return len(images) == 8


def asymmetric_polyomino(rng: StableRng, size: int) -> tuple[Cell, ...]:
    while True:
        cells = grow_polyomino(rng, size)
        if fits(cells) and without_symmetry(cells):
            return cells


ROTATION_STEMS = [
    "Manakah hasil memutar bangun {colour} pada gambar sejauh {turn}?",
    "Bangun {colour} yang tersusun dari {n} persegi satuan ini diputar {turn}. Gambar manakah "
    "hasilnya?",
    "Jika bangun {colour} pada gambar diputar {turn}, posisinya akan tampak seperti gambar ....",
    "Pilih gambar yang menunjukkan bangun {colour} dari {n} persegi setelah dirotasi {turn}.",
]


def polyomino_rotation(rng: StableRng) -> Draft:
    colour = rng.choice(list(COLOURS))
    size = rng.randint(5, 7)
    cells = asymmetric_polyomino(rng, size)
    turn = rng.choice([90, -90, 180])
    original = Glyph("polimino", cells=cells, colour=colour)
    key = replace(original, cells=turned(cells, turn))
    candidates = [
        replace(original, cells=turned(cells, angle)) for angle in (90, -90, 180) if angle != turn
    ]
    candidates.insert(1, replace(original, cells=flipped(key.cells)))
    stem = rng.choice(ROTATION_STEMS).format(
        colour=colour, n=number_word(size), turn=turn_phrase(turn)
    )
    return picture_draft(
        theme=THEME_ROTATION,
        subtheme="rotasi bangun persegi satuan",
        template="rotasi_polimino",
        stem=stem,
        figure=single_picture(original, f"Bangun {colour} dari {size} persegi satuan"),
        key=key,
        candidates=candidates,
        difficulty=-0.3 + 0.3 * (turn == -90) + 0.15 * (size - 5),
        time_hint=60,
    )


NOT_ROTATION_STEMS = [
    "Tiga pilihan merupakan hasil rotasi bangun {colour} dari {n} persegi pada gambar, "
    "sedangkan satu pilihan bukan. Manakah yang bukan hasil rotasi?",
    "Bangun {colour} pada gambar boleh diputar ke arah mana pun tanpa dibalik. Gambar manakah "
    "yang tidak mungkin diperoleh dengan cara itu?",
    "Manakah gambar yang BUKAN hasil perputaran bangun {colour} dari {n} persegi satuan di atas?",
    "Hanya tiga pilihan yang dapat diperoleh dengan memutar bangun {colour} ini. Pilihan manakah "
    "yang tidak dapat diperoleh?",
    "Bangun {colour} pada gambar diputar ke beberapa arah. Pilihan mana yang tidak termasuk "
    "hasil perputarannya?",
]


def odd_rotation_out(rng: StableRng) -> Draft:
    colour = rng.choice(list(COLOURS))
    size = rng.randint(5, 7)
    cells = asymmetric_polyomino(rng, size)
    original = Glyph("polimino", cells=cells, colour=colour)
    key = replace(original, cells=turned(flipped(cells), 90 * rng.randbelow(4)))
    candidates = [replace(original, cells=turned(cells, angle)) for angle in (90, 180, 270)]
    stem = rng.choice(NOT_ROTATION_STEMS).format(colour=colour, n=number_word(size))
    return picture_draft(
        theme=THEME_ROTATION,
        subtheme="bukan hasil rotasi",
        template="rotasi_bukan",
        stem=stem,
        figure=single_picture(original, f"Bangun {colour} dari {size} persegi satuan"),
        key=key,
        candidates=candidates,
        difficulty=0.2 + 0.15 * (size - 5),
        time_hint=70,
    )


GLYPH_ROTATION_STEMS = [
    "Gambar {family} di atas diputar {turn}. Manakah hasilnya?",
    "Pilih posisi {family} setelah diputar {turn} dari keadaan pada gambar.",
    "Jika {family} pada gambar dirotasi {turn}, gambar yang benar adalah ....",
    "Manakah yang menunjukkan {family} {fill} pada gambar sesudah diputar {turn}?",
]


def glyph_rotation(rng: StableRng) -> Draft:
    family = rng.choice(["bendera", "bentuk_l", "segitiga_titik", "panah"])
    turn = rng.choice([45, 90, 135, 180, -45, -90, -135])
    original = Glyph(family, random_angle(rng), rng.choice(SHADES))
    key = replace(original, angle=original.angle + turn)
    candidates = [
        replace(original, angle=original.angle - turn),
        replace(key, angle=key.angle + 45),
        replace(key, angle=key.angle - 45),
        original,
    ]
    if family in CHIRAL:
        candidates.insert(1, mirrored(key))
    stem = rng.choice(GLYPH_ROTATION_STEMS).format(
        family=FAMILY_NAMES[family], turn=turn_phrase(turn), fill=original.fill
    )
    return picture_draft(
        theme=THEME_ROTATION,
        subtheme="rotasi bangun",
        template="rotasi_bangun",
        stem=stem,
        figure=single_picture(original),
        key=key,
        candidates=candidates,
        difficulty=-0.6 + 0.3 * (abs(turn) % 90 != 0) + 0.25 * (turn < 0),
        time_hint=50,
    )


# --------------------------------------------------------------------------- jumlah sisi


def turn_is_clear(before: Point, corner: Point, after: Point, minimum: float = 32) -> bool:
    """True when the polygon visibly bends at `corner` (no near-straight vertex)."""
    ux, uy = corner[0] - before[0], corner[1] - before[1]
    vx, vy = after[0] - corner[0], after[1] - corner[1]
    bend = math.degrees(math.atan2(abs(ux * vy - uy * vx), ux * vx + uy * vy))
    return bend >= minimum


def clear_polygon(points: Sequence[Point], min_edge: float) -> bool:
    count = len(points)
    for i in range(count):
        before, corner, after = points[i - 1], points[i], points[(i + 1) % count]
        if math.dist(corner, after) < min_edge or not turn_is_clear(before, corner, after):
            return False
    return True


def polar_vertex(rng: StableRng, index: int, sides: int, radius: float) -> Point:
    """Vertex `index` near angle index·360/sides (jitter under half a step keeps the angles
    sorted) at 40–100 % of the radius, rounded to the one decimal written in the SVG."""
    gap = 360 / sides
    angle = math.radians(-90 + index * gap + gap * rng.randint(-22, 22) / 100)
    reach = radius * rng.randint(40, 100) / 100
    return round(40 + reach * math.cos(angle), 1), round(40 + reach * math.sin(angle), 1)


def irregular_polygon(rng: StableRng, sides: int, radius: float = 32) -> tuple[Point, ...]:
    """Star-shaped polygon around (40, 40): angles sorted, so it never crosses itself; every
    side is long enough and every corner bends clearly, so the sides can be counted.

    Vertices are drawn one at a time and redrawn while the corner they close is unclear, so
    many-sided shapes (which need concave corners) are found quickly."""
    min_edge = radius * 0.3
    while True:
        points = [polar_vertex(rng, 0, sides, radius)]
        for index in range(1, sides):
            for _ in range(40):
                vertex = polar_vertex(rng, index, sides, radius)
                long_enough = math.dist(points[-1], vertex) >= min_edge
                if long_enough and (index < 2 or turn_is_clear(points[-2], points[-1], vertex)):
                    points.append(vertex)
                    break
            else:
                break
        big_enough = max(math.dist((40, 40), point) for point in points) >= radius * 0.85
        if len(points) == sides and big_enough and clear_polygon(points, min_edge):
            return tuple(points)


SINGLE_COUNT_STEMS = [
    "Berapa banyak sisi yang dimiliki bangun {colour} pada gambar?",
    "Hitunglah banyak sisi bangun datar {colour} yang tidak beraturan berikut.",
    "Bangun {colour} pada gambar memiliki berapa sisi?",
    "Tepi bangun {colour} di atas dibentuk oleh ruas-ruas garis. Ada berapa ruas garis?",
]


def count_single_sides(rng: StableRng) -> Draft:
    sides = rng.randint(5, 10)
    colour = rng.choice(list(COLOURS))
    shape = Glyph("bentuk", colour=colour, points=irregular_polygon(rng, sides))
    return count_draft(
        rng,
        subtheme="sisi bangun tak beraturan",
        template="sisi_tunggal",
        stem=rng.choice(SINGLE_COUNT_STEMS).format(colour=colour),
        figure=large_picture(shape, f"Bangun {colour} tak beraturan"),
        key=sides,
        candidates=[sides + 1, sides - 1, sides + 2, sides - 2],
        difficulty=-1.3 + 0.2 * (sides - 5),
    )


TOTAL_COUNT_STEMS = [
    "Gambar berikut memuat {k} bangun datar ({colours}). Berapa jumlah seluruh sisi dari "
    "semua bangun tersebut?",
    "Jumlahkan banyak sisi bangun {colours} pada gambar. Hasilnya adalah ....",
    "Ada {k} bangun pada gambar, yaitu bangun {colours}. Berapa total sisinya?",
]


def count_total_sides(rng: StableRng) -> Draft:
    count = rng.randint(2, 4)
    colours = rng.sample(list(COLOURS), count)
    shapes, total = [], 0
    for colour in colours:
        sides = rng.randint(3, 8)
        regular = rng.chance(1, 2)
        points = tuple(regular_points(sides, 30)) if regular else irregular_polygon(rng, sides, 30)
        shapes.append(Glyph("bentuk", colour=colour, points=points))
        total += sides
    listed = (
        ", ".join(colours[:-1]) + f", dan {colours[-1]}" if count > 2 else " dan ".join(colours)
    )
    stem = rng.choice(TOTAL_COUNT_STEMS).format(k=number_word(count), colours=listed)
    return count_draft(
        rng,
        subtheme="jumlah sisi beberapa bangun",
        template="sisi_total",
        stem=stem,
        figure=row_picture(shapes, f"{count} bangun datar: {listed}"),
        key=total,
        candidates=[total - 1, total + 1, total + count, total - 2, total + 2],
        difficulty=-0.8 + 0.3 * count,
    )


def outline_corners(cells: Sequence[Cell]) -> list[tuple[int, int]] | None:
    """Corners of a polyomino's outer edge in walking order, or None when the outline is not
    one simple loop (a hole, or two squares touching only at a corner)."""
    edges = []
    for x, y in cells:
        corners = [(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1)]
        edges += [(corners[i], corners[(i + 1) % 4]) for i in range(4)]
    edge_set = set(edges)
    boundary = [(a, b) for a, b in edges if (b, a) not in edge_set]
    following: dict[tuple[int, int], tuple[int, int]] = {}
    for start, end in boundary:
        if start in following:
            return None
        following[start] = end
    path = [min(following)]
    while following[path[-1]] != path[0]:
        path.append(following[path[-1]])
    if len(path) != len(boundary):
        return None

    def heading(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        return b[0] - a[0], b[1] - a[1]

    size = len(path)
    return [
        path[i]
        for i in range(size)
        if heading(path[i - 1], path[i]) != heading(path[i], path[(i + 1) % size])
    ]


OUTLINE_STEMS = [
    "Bangun {colour} berikut hanya digambar garis tepinya. Berapa banyak sisinya?",
    "Hitung sisi bangun {colour} bersudut siku-siku pada gambar.",
    "Garis tepi bangun {colour} di atas terdiri atas berapa sisi lurus?",
    "Berapa banyak sisi pada bangun {colour} yang semua sudutnya siku-siku ini?",
]


def count_outline_sides(rng: StableRng) -> Draft:
    colour = rng.choice(list(COLOURS))
    while True:
        cells = grow_polyomino(rng, rng.randint(5, 9))
        corners = outline_corners(cells) if fits(cells, 5) else None
        if corners and len(corners) > 4:
            break
    size = 60 / max(max(x, y) + 1 for x, y in cells)
    width = (max(x for x, _ in cells) + 1) * size
    height = (max(y for _, y in cells) + 1) * size
    points = tuple(
        (round(40 - width / 2 + x * size, 1), round(40 - height / 2 + y * size, 1))
        for x, y in corners
    )
    sides = len(corners)
    shape = Glyph("bentuk", colour=colour, points=points)
    return count_draft(
        rng,
        subtheme="sisi bangun siku-siku",
        template="sisi_siku",
        stem=rng.choice(OUTLINE_STEMS).format(colour=colour),
        figure=large_picture(shape, f"Bangun {colour} bersudut siku-siku"),
        key=sides,
        candidates=[sides - 2, sides + 2, sides - 1, sides + 1, len(cells)],
        difficulty=-0.4 + 0.12 * (sides - 6),
    )


PICK_STEMS = [
    "Manakah bangun {colour} yang memiliki tepat {n} sisi?",
    "Di antara bangun {colour} berikut, pilih yang sisinya berjumlah {n}.",
    "Bangun {colour} manakah yang dibatasi oleh {n} ruas garis?",
]


def pick_by_sides(rng: StableRng) -> Draft:
    sides = rng.randint(4, 7)
    colour = rng.choice(list(COLOURS))

    def shape(count: int) -> Glyph:
        return Glyph("bentuk", colour=colour, points=irregular_polygon(rng, count, 34))

    return picture_draft(
        theme=THEME_SIDES,
        subtheme="memilih bangun menurut banyak sisi",
        template="sisi_pilih",
        stem=rng.choice(PICK_STEMS).format(colour=colour, n=sides),
        figure=None,
        key=shape(sides),
        candidates=[shape(sides - 1), shape(sides + 1), shape(sides + 2)],
        difficulty=-0.9 + 0.2 * (sides - 4),
        time_hint=45,
    )


# --------------------------------------------------------------------------- public API

TEMPLATES: dict[str, list[Template]] = {
    THEME_SERIES: [rotation_series, sides_series, shading_series, dots_series],
    THEME_ANALOGY: [
        rotate_analogy,
        sides_analogy,
        shade_analogy,
        dots_analogy,
        mirror_analogy,
        turn_and_shade_analogy,
    ],
    THEME_ROTATION: [polyomino_rotation, glyph_rotation, odd_rotation_out],
    THEME_SIDES: [count_single_sides, count_total_sides, count_outline_sides, pick_by_sides],
}

SAMPLE_HEADER = (
    "Sampel subtes figural (Penalaran Figural), dibuat oleh question_bank.generators.figural\n"
    f"dengan seed {SEED}. Jangan disunting manual: jalankan ulang\n"
    "`python -m question_bank.generators.figural`. Parameter IRT ilustratif, belum dikalibrasi."
)


def generate(
    count: int,
    seed: int,
    id_prefix: str,
    start: int = 1,
    *,
    digits: int = 4,
    strict_stems: bool = True,
) -> list[dict[str, Any]]:
    """`count` figural items with ids `{id_prefix}-{start:0{digits}d}` onwards.

    strict_stems: fail rather than emit two stems with bigram Jaccard similarity ≥ 0.85.
    """
    return generate_items(
        subtest=SUBTEST,
        generator=GENERATOR_NAME,
        templates=TEMPLATES,
        count=count,
        seed=seed,
        id_prefix=id_prefix,
        start=start,
        digits=digits,
        strict_stems=strict_stems,
    )


def write_sample(out_dir: Path = SAMPLE_DIR) -> list[Path]:
    """Write the committed sample (FIG-0001 …), one file per theme."""
    items = generate(SAMPLE_COUNT, SEED, "FIG")
    return write_by_theme(out_dir, items, SAMPLE_HEADER, list(TEMPLATES))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Tulis sampel soal figural.")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help="folder keluaran")
    args = parser.parse_args(argv)
    for path in write_sample(args.out):
        print(path)


if __name__ == "__main__":
    main()
