"""Theme `seri gambar`: continue a row of pictures that change by a fixed rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from question_bank.generators.common import StableRng, Template, number_word
from question_bank.generators.figural.glyphs import ORIENTED, SHADES, family_name
from question_bank.generators.figural.pictures import FigureAnswer, picture_template
from question_bank.generators.svg import FAMILY_NAMES, Glyph, describe, series_picture

THEME = "seri gambar"

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
SHADE_CYCLES = [
    ["putih", "hitam"],
    ["abu-abu", "putih"],
    ["putih", "abu-abu", "hitam"],
    ["hitam", "abu-abu", "putih"],
    ["hitam", "putih", "abu-abu"],
]


def ordinal(n: int) -> str:
    """keempat, kelima, … (Indonesian ordinal of a small count)."""
    return "pertama" if n == 1 else "ke" + number_word(n).replace(" ", "")


def series_label(glyphs: Sequence[Glyph]) -> str:
    parts = "; ".join(describe(glyph) for glyph in glyphs)
    return f"Deret {number_word(len(glyphs))} gambar: {parts}; lalu tanda tanya"


def continued_series(
    rng: StableRng,
    family: str,
    frames: Sequence[Glyph],
    key: Glyph,
    candidates: Sequence[Glyph],
    difficulty: float,
) -> FigureAnswer[Glyph]:
    """Stem and figure of a series item: the frames in a row, then the question cell."""
    shown = len(frames)
    stem = rng.choice(SERIES_STEMS).format(
        n=number_word(shown), family=family, next=ordinal(shown + 1)
    )
    figure = series_picture(frames, series_label(frames))
    return FigureAnswer(stem, figure, key, candidates, difficulty)


@picture_template(THEME, "rotasi bertahap", "seri_rotasi", time_hint=60)
def rotation_series(rng: StableRng) -> FigureAnswer[Glyph]:
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
    difficulty = (
        -0.7 + {45: 0.3, 90: 0.0, 135: 0.7}[abs(step)] + 0.3 * (step < 0) + 0.2 * (shown == 3)
    )
    return continued_series(rng, FAMILY_NAMES[family], frames, key, candidates, difficulty)


@picture_template(THEME, "banyak sisi bertambah", "seri_sisi", time_hint=50)
def sides_series(rng: StableRng) -> FigureAnswer[Glyph]:
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
    drawable = [glyph for glyph in candidates if 3 <= glyph.sides <= 10]
    difficulty = -0.9 + 0.4 * alternating + 0.3 * (gap != 1)
    return continued_series(rng, "bangun datar", frames, key, drawable, difficulty)


@picture_template(THEME, "arsiran bergantian", "seri_arsiran", time_hint=60)
def shading_series(rng: StableRng) -> FigureAnswer[Glyph]:
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
    difficulty = -0.5 + 0.35 * (len(cycle) == 3) + 0.3 * (step != 0) + 0.1 * (shown == 4)
    return continued_series(rng, family_name(key), frames, key, candidates, difficulty)


@picture_template(THEME, "banyak titik", "seri_titik", time_hint=45)
def dots_series(rng: StableRng) -> FigureAnswer[Glyph]:
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
    drawable = [glyph for glyph in candidates if 1 <= glyph.dots <= 9]
    difficulty = -1.0 + 0.3 * (abs(gap) == 2) + 0.2 * (gap < 0) + 0.4 * alternating
    return continued_series(rng, f"{outlines[0]} bertitik", frames, key, drawable, difficulty)


TEMPLATES: list[Template] = [rotation_series, sides_series, shading_series, dots_series]
