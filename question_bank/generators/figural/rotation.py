"""Theme `rotasi`: which picture is the shape turned, and which one is not."""

from __future__ import annotations

from dataclasses import replace

from question_bank.generators.common import StableRng, Template, number_word
from question_bank.generators.figural.glyphs import CHIRAL, SHADES, mirrored, random_angle
from question_bank.generators.figural.pictures import FigureAnswer, picture_template
from question_bank.generators.figural.polyominoes import asymmetric_polyomino, flipped, turned
from question_bank.generators.svg import COLOURS, FAMILY_NAMES, Glyph, single_picture

THEME = "rotasi"

ROTATION_STEMS = [
    "Manakah hasil memutar bangun {colour} pada gambar sejauh {turn}?",
    "Bangun {colour} yang tersusun dari {n} persegi satuan ini diputar {turn}. Gambar manakah "
    "hasilnya?",
    "Jika bangun {colour} pada gambar diputar {turn}, posisinya akan tampak seperti gambar ....",
    "Pilih gambar yang menunjukkan bangun {colour} dari {n} persegi setelah dirotasi {turn}.",
]
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
GLYPH_ROTATION_STEMS = [
    "Gambar {family} di atas diputar {turn}. Manakah hasilnya?",
    "Pilih posisi {family} setelah diputar {turn} dari keadaan pada gambar.",
    "Jika {family} pada gambar dirotasi {turn}, gambar yang benar adalah ....",
    "Manakah yang menunjukkan {family} {fill} pada gambar sesudah diputar {turn}?",
]


def turn_phrase(angle: int) -> str:
    direction = "searah" if angle > 0 else "berlawanan arah"
    return "180°" if abs(angle) == 180 else f"{abs(angle)}° {direction} jarum jam"


def polyomino_figure(original: Glyph) -> str:
    return single_picture(
        original, f"Bangun {original.colour} dari {len(original.cells)} persegi satuan"
    )


@picture_template(THEME, "rotasi bangun persegi satuan", "rotasi_polimino", time_hint=60)
def polyomino_rotation(rng: StableRng) -> FigureAnswer[Glyph]:
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
    difficulty = -0.3 + 0.3 * (turn == -90) + 0.15 * (size - 5)
    return FigureAnswer(stem, polyomino_figure(original), key, candidates, difficulty)


@picture_template(THEME, "bukan hasil rotasi", "rotasi_bukan", time_hint=70)
def odd_rotation_out(rng: StableRng) -> FigureAnswer[Glyph]:
    colour = rng.choice(list(COLOURS))
    size = rng.randint(5, 7)
    cells = asymmetric_polyomino(rng, size)
    original = Glyph("polimino", cells=cells, colour=colour)
    # The odd one out is a mirror image: the shape has no symmetry, so it is no rotation.
    key = replace(original, cells=turned(flipped(cells), 90 * rng.randbelow(4)))
    candidates = [replace(original, cells=turned(cells, angle)) for angle in (90, 180, 270)]
    stem = rng.choice(NOT_ROTATION_STEMS).format(colour=colour, n=number_word(size))
    difficulty = 0.2 + 0.15 * (size - 5)
    return FigureAnswer(stem, polyomino_figure(original), key, candidates, difficulty)


@picture_template(THEME, "rotasi bangun", "rotasi_bangun", time_hint=50)
def glyph_rotation(rng: StableRng) -> FigureAnswer[Glyph]:
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
    difficulty = -0.6 + 0.3 * (abs(turn) % 90 != 0) + 0.25 * (turn < 0)
    return FigureAnswer(stem, single_picture(original), key, candidates, difficulty)


TEMPLATES: list[Template] = [polyomino_rotation, glyph_rotation, odd_rotation_out]
