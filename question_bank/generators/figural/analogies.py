"""Theme `analogi gambar`: A is to B as C is to ?, with one change rule per template."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from question_bank.generators.common import StableRng, Template
from question_bank.generators.figural.glyphs import (
    CHIRAL,
    ORIENTED,
    SHADES,
    family_name,
    mirrored,
    random_angle,
)
from question_bank.generators.figural.pictures import (
    FigureAnswer,
    FigureTemplate,
    picture_template,
)
from question_bank.generators.svg import Glyph, analogy_picture, describe

THEME = "analogi gambar"

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


@dataclass(frozen=True)
class Analogy:
    """The example pair (first → second), the third picture and the options for the fourth."""

    pair: tuple[Glyph, Glyph]
    third: Glyph
    key: Glyph
    candidates: Sequence[Glyph]
    difficulty: float


def analogy_label(first: Glyph, second: Glyph, third: Glyph) -> str:
    return (
        f"Analogi gambar: {describe(first)} menjadi {describe(second)}; "
        f"{describe(third)} menjadi tanda tanya"
    )


def analogy_answer(rng: StableRng, analogy: Analogy) -> FigureAnswer[Glyph]:
    """Stem and the A → B :: C → ? figure; two shapes of one family are told apart in words."""
    first, second = analogy.pair
    names = {"a": family_name(first), "c": family_name(analogy.third)}
    if names["a"] == names["c"]:
        names["c"] = f"{names['c']} yang lain"
    stem = rng.choice(ANALOGY_STEMS).format(**names)
    label = analogy_label(first, second, analogy.third)
    figure = analogy_picture(first, second, analogy.third, label)
    return FigureAnswer(stem, figure, analogy.key, analogy.candidates, analogy.difficulty)


def analogy_template(
    subtheme: str, name: str
) -> Callable[[Callable[[StableRng], Analogy]], FigureTemplate[Glyph]]:
    def wrap(work_out: Callable[[StableRng], Analogy]) -> FigureTemplate[Glyph]:
        def answer(rng: StableRng) -> FigureAnswer[Glyph]:
            return analogy_answer(rng, work_out(rng))

        return picture_template(THEME, subtheme, name, time_hint=75)(answer)

    return wrap


@analogy_template("perputaran", "analogi_rotasi")
def rotate_analogy(rng: StableRng) -> Analogy:
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
    pair = (first, replace(first, angle=first.angle + turn))
    difficulty = -0.4 + 0.3 * (abs(turn) in (45, 135)) + 0.2 * (turn < 0)
    return Analogy(pair, third, key, candidates, difficulty)


@analogy_template("perubahan banyak sisi", "analogi_sisi")
def sides_analogy(rng: StableRng) -> Analogy:
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
    pair = (first, replace(first, sides=sides_a + change))
    drawable = [glyph for glyph in candidates if 3 <= glyph.sides <= 10]
    return Analogy(pair, third, key, drawable, -0.6 + 0.3 * (change != 1))


@analogy_template("perubahan arsiran", "analogi_arsiran")
def shade_analogy(rng: StableRng) -> Analogy:
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
    return Analogy((first, second), third, key, candidates, -1.1 + 0.2 * (family_c != "poligon"))


def multiplicative_reading(before: int, after: int) -> bool:
    """True when a pair of dot counts could also be read as ×k or ÷k (2 → 4, 6 → 3); such a
    pair would make the analogy ambiguous, so it is not used as the example."""
    return after % before == 0 or before % after == 0


@analogy_template("perubahan banyak titik", "analogi_titik")
def dots_analogy(rng: StableRng) -> Analogy:
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
    pair = (first, replace(first, dots=dots_a + amount))
    drawable = [glyph for glyph in candidates if 1 <= glyph.dots <= 9]
    difficulty = -0.5 + 0.2 * (amount < 0) + 0.1 * abs(amount)
    return Analogy(pair, third, key, drawable, difficulty)


@analogy_template("pencerminan", "analogi_cermin")
def mirror_analogy(rng: StableRng) -> Analogy:
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
    difficulty = 0.5 + 0.2 * (third.angle % 90 != 0)
    return Analogy((first, mirrored(first)), third, key, candidates, difficulty)


@analogy_template("perputaran dan arsiran", "analogi_putar_arsir")
def turn_and_shade_analogy(rng: StableRng) -> Analogy:
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
    pair = (first, Glyph(family_a, first.angle + turn, after))
    return Analogy(pair, third, key, candidates, 0.6 + 0.2 * (abs(turn) == 45))


TEMPLATES: list[Template] = [
    rotate_analogy,
    sides_analogy,
    shade_analogy,
    dots_analogy,
    mirror_analogy,
    turn_and_shade_analogy,
]
