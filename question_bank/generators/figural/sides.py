"""Theme `jumlah sisi`: count the sides of drawn shapes, or pick the shape with n sides."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from question_bank.generators.common import (
    StableRng,
    Template,
    TemplateInfo,
    format_number,
    number_word,
    text_options,
)
from question_bank.generators.figural.pictures import (
    FigureAnswer,
    FigureTemplate,
    Options,
    figure_template,
    picture_template,
)
from question_bank.generators.figural.polygons import irregular_polygon
from question_bank.generators.figural.polyominoes import (
    Corner,
    fits,
    grow_polyomino,
    outline_corners,
)
from question_bank.generators.svg import (
    COLOURS,
    Cell,
    Glyph,
    Point,
    large_picture,
    regular_points,
    row_picture,
)

THEME = "jumlah sisi"
COUNT_TIME_HINT = 45


def is_polygon_count(value: Fraction) -> bool:
    return value >= 3  # fewer than three sides is no polygon, so no plausible answer


def count_options(rng: StableRng, info: TemplateInfo, answer: FigureAnswer[int]) -> Options:
    """Number options, 4 for about one item in three, else 5."""
    key = Fraction(answer.key)
    return text_options(
        rng, key, answer.candidates, format_number, four_in=3, valid=is_polygon_count
    )


def count_template(
    subtheme: str, name: str
) -> Callable[[Callable[[StableRng], FigureAnswer[int]]], FigureTemplate[int]]:
    return figure_template(TemplateInfo(THEME, subtheme, name, COUNT_TIME_HINT), count_options)


def random_colour(rng: StableRng) -> str:
    return rng.choice(list(COLOURS))


SINGLE_COUNT_STEMS = [
    "Berapa banyak sisi yang dimiliki bangun {colour} pada gambar?",
    "Hitunglah banyak sisi bangun datar {colour} yang tidak beraturan berikut.",
    "Bangun {colour} pada gambar memiliki berapa sisi?",
    "Tepi bangun {colour} di atas dibentuk oleh ruas-ruas garis. Ada berapa ruas garis?",
]


@count_template("sisi bangun tak beraturan", "sisi_tunggal")
def count_single_sides(rng: StableRng) -> FigureAnswer[int]:
    sides = rng.randint(5, 10)
    colour = random_colour(rng)
    shape = Glyph("bentuk", colour=colour, points=irregular_polygon(rng, sides))
    stem = rng.choice(SINGLE_COUNT_STEMS).format(colour=colour)
    figure = large_picture(shape, f"Bangun {colour} tak beraturan")
    candidates = [sides + 1, sides - 1, sides + 2, sides - 2]
    return FigureAnswer(stem, figure, sides, candidates, -1.3 + 0.2 * (sides - 5))


TOTAL_COUNT_STEMS = [
    "Gambar berikut memuat {k} bangun datar ({colours}). Berapa jumlah seluruh sisi dari "
    "semua bangun tersebut?",
    "Jumlahkan banyak sisi bangun {colours} pada gambar. Hasilnya adalah ....",
    "Ada {k} bangun pada gambar, yaitu bangun {colours}. Berapa total sisinya?",
]


def listed(words: list[str]) -> str:
    """a dan b; a, b, dan c."""
    return ", ".join(words[:-1]) + f", dan {words[-1]}" if len(words) > 2 else " dan ".join(words)


@count_template("jumlah sisi beberapa bangun", "sisi_total")
def count_total_sides(rng: StableRng) -> FigureAnswer[int]:
    count = rng.randint(2, 4)
    colours = rng.sample(list(COLOURS), count)
    shapes, total = [], 0
    for colour in colours:
        sides = rng.randint(3, 8)
        regular = rng.chance(1, 2)
        points = tuple(regular_points(sides, 30)) if regular else irregular_polygon(rng, sides, 30)
        shapes.append(Glyph("bentuk", colour=colour, points=points))
        total += sides
    names = listed(colours)
    stem = rng.choice(TOTAL_COUNT_STEMS).format(k=number_word(count), colours=names)
    figure = row_picture(shapes, f"{count} bangun datar: {names}")
    candidates = [total - 1, total + 1, total + count, total - 2, total + 2]
    return FigureAnswer(stem, figure, total, candidates, -0.8 + 0.3 * count)


OUTLINE_STEMS = [
    "Bangun {colour} berikut hanya digambar garis tepinya. Berapa banyak sisinya?",
    "Hitung sisi bangun {colour} bersudut siku-siku pada gambar.",
    "Garis tepi bangun {colour} di atas terdiri atas berapa sisi lurus?",
    "Berapa banyak sisi pada bangun {colour} yang semua sudutnya siku-siku ini?",
]


def right_angled_outline(rng: StableRng) -> tuple[tuple[Cell, ...], list[Corner]]:
    """A polyomino with more than four outline corners (not just a rectangle) and its corners."""
    while True:
        cells = grow_polyomino(rng, rng.randint(5, 9))
        corners = outline_corners(cells) if fits(cells, 5) else None
        if corners and len(corners) > 4:
            return cells, corners


def centred_outline(cells: tuple[Cell, ...], corners: list[Corner]) -> tuple[Point, ...]:
    """Grid corners scaled so the shape fills 60 units and centred in the 80×80 cell."""
    size = 60 / max(max(x, y) + 1 for x, y in cells)
    width = (max(x for x, _ in cells) + 1) * size
    height = (max(y for _, y in cells) + 1) * size
    return tuple(
        (round(40 - width / 2 + x * size, 1), round(40 - height / 2 + y * size, 1))
        for x, y in corners
    )


@count_template("sisi bangun siku-siku", "sisi_siku")
def count_outline_sides(rng: StableRng) -> FigureAnswer[int]:
    colour = random_colour(rng)
    cells, corners = right_angled_outline(rng)
    sides = len(corners)
    shape = Glyph("bentuk", colour=colour, points=centred_outline(cells, corners))
    stem = rng.choice(OUTLINE_STEMS).format(colour=colour)
    figure = large_picture(shape, f"Bangun {colour} bersudut siku-siku")
    # Counting squares instead of sides is the slip the last candidate stands for.
    candidates = [sides - 2, sides + 2, sides - 1, sides + 1, len(cells)]
    return FigureAnswer(stem, figure, sides, candidates, -0.4 + 0.12 * (sides - 6))


PICK_STEMS = [
    "Manakah bangun {colour} yang memiliki tepat {n} sisi?",
    "Di antara bangun {colour} berikut, pilih yang sisinya berjumlah {n}.",
    "Bangun {colour} manakah yang dibatasi oleh {n} ruas garis?",
]


@picture_template(THEME, "memilih bangun menurut banyak sisi", "sisi_pilih", time_hint=45)
def pick_by_sides(rng: StableRng) -> FigureAnswer[Glyph]:
    sides = rng.randint(4, 7)
    colour = random_colour(rng)

    def shape(count: int) -> Glyph:
        return Glyph("bentuk", colour=colour, points=irregular_polygon(rng, count, 34))

    # Drawn in this order (stem, key, then the distractors) so the stream stays as it was.
    stem = rng.choice(PICK_STEMS).format(colour=colour, n=sides)
    key = shape(sides)
    candidates = [shape(sides - 1), shape(sides + 1), shape(sides + 2)]
    return FigureAnswer(stem, None, key, candidates, -0.9 + 0.2 * (sides - 4))


TEMPLATES: list[Template] = [
    count_single_sides,
    count_total_sides,
    count_outline_sides,
    pick_by_sides,
]
