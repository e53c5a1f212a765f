"""Theme `deret angka`: continue a number series, or fill its gap."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from question_bank.generators.common import StableRng, Template, format_number
from question_bank.generators.numerik.answers import Answer, numeric_template, positive_whole

THEME = "deret angka"

NEXT_TERM_STEMS = [
    "Bilangan berikutnya dari deret {seq}, ... adalah ....",
    "Lanjutkan deret berikut: {seq}, ...",
    "Tentukan suku selanjutnya dari pola bilangan {seq}, ...",
    "Perhatikan deret {seq}, ... Bilangan yang tepat untuk melanjutkan deret tersebut adalah ....",
    "Suku berikutnya pada barisan {seq}, ... adalah ....",
    "Diberikan barisan bilangan {seq}, ... Suku sesudahnya adalah ....",
]
MISSING_TERM_STEMS = [
    "Bilangan yang tepat untuk mengisi titik-titik pada deret {seq} adalah ....",
    "Lengkapi deret berikut: {seq}",
    "Suku yang hilang pada barisan {seq} adalah ....",
]


def series_text(terms: Sequence[Fraction | int | str]) -> str:
    return ", ".join(term if isinstance(term, str) else format_number(term) for term in terms)


def next_term_stem(rng: StableRng, terms: Sequence[Fraction | int]) -> str:
    return rng.choice(NEXT_TERM_STEMS).format(seq=series_text(terms))


@numeric_template(THEME, "deret aritmetika", "deret_aritmetika", time_hint=45)
def arithmetic_series(rng: StableRng) -> Answer:
    diff = rng.choice([3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 17, 19])
    falling = rng.chance(1, 4)
    length = rng.choice([5, 6])
    step = -diff if falling else diff
    # A falling series starts high enough to stay positive through the hidden next term.
    low = diff * (length + 2) if falling else 2
    first = rng.randint(low, low + 60)
    terms = [first + step * i for i in range(length + 1)]
    missing = rng.chance(1, 3)
    if missing:
        hidden = rng.randint(1, length - 2)
        key = terms[hidden]
        shown: list[Fraction | int | str] = [*terms[:hidden], "...", *terms[hidden + 1 : length]]
        stem = rng.choice(MISSING_TERM_STEMS).format(seq=series_text(shown))
        candidates = [key + 1, key - 1, key + step + 1, key + 2, key - step // 2]
    else:
        key = terms[length]
        stem = next_term_stem(rng, terms[:length])
        candidates = [key + step, key + 1, key - 1, key + step + 2, key - 2]
    difficulty = -1.3 + 0.04 * diff + 0.4 * falling + 0.25 * missing
    return Answer(stem, key, candidates, difficulty)


@numeric_template(THEME, "deret geometri", "deret_geometri", time_hint=50, valid=positive_whole)
def geometric_series(rng: StableRng) -> Answer:
    falling = rng.chance(1, 3)
    length = 5
    if falling:
        ratio = Fraction(1, 2)
        first = rng.randint(3, 15) * 2 ** (length + 1)
    else:
        ratio = Fraction(rng.choice([2, 2, 3, 4]))
        first = rng.randint(1, {2: 12, 3: 6, 4: 3}[int(ratio)])
    terms = [first * ratio**i for i in range(length)]
    last, before = terms[-1], terms[-2]
    key = last * ratio
    candidates = [
        last + (last - before),
        key + ratio,
        last * (ratio + 1),
        key - 1,
        key * ratio,
        key + 2,
    ]
    difficulty = -0.7 + 0.3 * (ratio > 2) + 0.5 * falling
    return Answer(next_term_stem(rng, terms), key, candidates, difficulty)


@numeric_template(
    THEME, "deret selang-seling", "deret_selang_seling", time_hint=60, valid=positive_whole
)
def interleaved_series(rng: StableRng) -> Answer:
    first_a, step_a = rng.randint(1, 20), rng.choice([2, 3, 4, 5, 6, 7, 9])
    first_b = rng.randint(20, 60)
    doubling = rng.chance(1, 3)
    step_b = rng.choice([-3, -4, -5, 6, 8, 10, 11])
    if doubling:
        first_b = rng.randint(1, 5)

    def term_a(i: int) -> int:
        return first_a + step_a * i

    def term_b(i: int) -> int:
        return first_b * 2**i if doubling else first_b + step_b * i

    length = rng.choice([7, 8])
    terms = [term_a(k // 2) if k % 2 == 0 else term_b(k // 2) for k in range(length + 1)]
    key = terms[length]
    other = term_b(length // 2) if length % 2 == 0 else term_a(length // 2 + 1)
    own_step = step_a if length % 2 == 0 else (terms[length - 2] if doubling else step_b)
    candidates = [other, key + own_step, key - 1, key + 1, terms[length - 1] + step_a, key + 2]
    difficulty = 0.0 + 0.35 * doubling + 0.15 * (length == 8)
    return Answer(next_term_stem(rng, terms[:length]), key, candidates, difficulty)


@numeric_template(THEME, "deret bertingkat", "deret_bertingkat", time_hint=60, valid=positive_whole)
def second_difference_series(rng: StableRng) -> Answer:
    first, base_gap, growth = rng.randint(1, 30), rng.randint(1, 7), rng.randint(1, 4)
    terms = [first]
    for i in range(5):
        terms.append(terms[-1] + base_gap + growth * i)
    key = terms[5]
    shown = terms[:5]
    last_gap = shown[-1] - shown[-2]
    candidates = [shown[-1] + last_gap, key + growth, key + 1, key - 1, key + 2 * growth]
    return Answer(next_term_stem(rng, shown), key, candidates, 0.1 + 0.12 * growth)


@numeric_template(THEME, "deret Fibonacci", "deret_fibonacci", time_hint=60, valid=positive_whole)
def fibonacci_series(rng: StableRng) -> Answer:
    terms = [rng.randint(1, 9), rng.randint(1, 12)]
    while len(terms) < 6:
        terms.append(terms[-1] + terms[-2])
    key = terms[-1] + terms[-2]
    candidates = [
        terms[-1] + (terms[-1] - terms[-2]),
        terms[-1] * 2,
        key + 1,
        key - 1,
        terms[-1] + terms[-3],
    ]
    return Answer(next_term_stem(rng, terms), key, candidates, 0.2 + 0.02 * terms[1])


@numeric_template(
    THEME, "deret kali-tambah", "deret_kali_tambah", time_hint=70, valid=positive_whole
)
def multiply_add_series(rng: StableRng) -> Answer:
    factor = rng.choice([2, 2, 3])
    shift = rng.choice([-3, -2, -1, 1, 2, 3, 4])
    first = rng.randint(2, 6)
    while first * (factor - 1) + shift <= 0:  # the series must grow, never turn negative
        first += 1
    terms = [first]
    while len(terms) < 5:
        terms.append(terms[-1] * factor + shift)
    key = terms[-1] * factor + shift
    candidates = [
        terms[-1] * factor,
        terms[-1] + (terms[-1] - terms[-2]),
        key + shift,
        key + 1,
        key - 1,
    ]
    difficulty = 0.6 + 0.3 * (factor == 3) + 0.1 * (shift < 0)
    return Answer(next_term_stem(rng, terms), key, candidates, difficulty)


TEMPLATES: list[Template] = [
    arithmetic_series,
    geometric_series,
    interleaved_series,
    second_difference_series,
    fibonacci_series,
    multiply_add_series,
]
