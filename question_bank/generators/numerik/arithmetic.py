"""Theme `aritmetika`: fractions, decimals, percentages, order of operations, powers, equations."""

from __future__ import annotations

import math
import operator
from fractions import Fraction

from question_bank.generators.common import (
    StableRng,
    Template,
    format_fraction,
    format_number,
    format_percent,
)
from question_bank.generators.numerik.answers import (
    Answer,
    Number,
    numeric_template,
    positive_whole,
)

THEME = "aritmetika"

COMPUTE_STEMS = [
    "Hasil dari {expr} adalah ....",
    "Nilai dari {expr} = ....",
    "Hitunglah {expr}.",
    "{expr} = ....",
    "Berapakah hasil perhitungan {expr}?",
]
PERCENTS: list[Number] = [5, 10, Fraction(25, 2), 15, 20, 25, 30, 35, 40, 45, 60, 75]
EQUATION_STEMS = [
    "Jika {eq}, maka nilai x adalah ....",
    "Nilai x yang memenuhi persamaan {eq} adalah ....",
    "Tentukan x dari persamaan {eq}.",
]


def compute_stem(rng: StableRng, expr: str) -> str:
    return rng.choice(COMPUTE_STEMS).format(expr=expr)


def random_proper_fraction(rng: StableRng) -> Fraction:
    denominator = rng.randint(2, 12)
    return Fraction(rng.randint(1, denominator - 1), denominator)


def fraction_mistakes(op: str, left: Fraction, right: Fraction) -> list[Fraction]:
    """What a pupil gets by adding numerators and denominators, inverting the wrong fraction or
    using another operation."""
    a, b, c, d = left.numerator, left.denominator, right.numerator, right.denominator
    if op == "+":
        return [Fraction(a + c, b + d), left * right, left - right]
    if op == "-":
        return [Fraction(abs(a - c), abs(b - d)) if b != d and a != c else left, left + right]
    if op == "×":
        return [Fraction(a * d, b * c), Fraction(a * c, b + d), left + right]
    return [left * right, Fraction(b * c, a * d), Fraction(a * c, b * d) + 1]


FRACTION_RESULTS = {"+": operator.add, "-": operator.sub, "×": operator.mul, ":": operator.truediv}


@numeric_template(THEME, "pecahan", "operasi_pecahan", time_hint=60, fmt=format_fraction)
def fraction_operation(rng: StableRng) -> Answer:
    op = rng.choice(["+", "-", "×", ":"])
    left, right = random_proper_fraction(rng), random_proper_fraction(rng)
    while right.denominator == left.denominator or right == left:
        right = random_proper_fraction(rng)
    if op == "-" and left < right:
        left, right = right, left
    shown_op = "−" if op == "-" else op
    expr = f"{format_fraction(left)} {shown_op} {format_fraction(right)}"
    common = math.lcm(left.denominator, right.denominator)
    key = FRACTION_RESULTS[op](left, right)
    difficulty = -0.6 + 0.3 * (op in ":-") + 0.04 * common / 3
    mistakes = fraction_mistakes(op, left, right)
    return Answer(compute_stem(rng, expr), key, mistakes, difficulty, step=Fraction(1, common))


def decimal_operands(rng: StableRng, form: str) -> tuple[Fraction, Fraction, Fraction]:
    """a and b with one decimal, c with two; a division comes out without a remainder."""
    a = Fraction(rng.randint(11, 95), 10)
    b = Fraction(rng.randint(2, 40), 10)
    c = Fraction(rng.randint(5, 200), 100)
    if form == "a:b":
        b = Fraction(rng.choice([2, 4, 5, 25]), 10)
        a = b * rng.randint(3, 40)
    if form == "(a−b)×c" and a <= b:
        a, b = b + 1, a
    return a, b, c


def decimal_forms(a: Fraction, b: Fraction, c: Fraction) -> dict[str, tuple[Fraction, Fraction]]:
    """Key and the value of the usual slip (wrong order of operations) for each form."""
    return {
        "a×b+c": (a * b + c, a * (b + c)),
        "a+b×c": (a + b * c, (a + b) * c),
        "(a−b)×c": ((a - b) * c, a - b * c),
        "a:b": (a / b, a * b),
    }


@numeric_template(THEME, "bilangan desimal", "operasi_desimal", time_hint=70, step=Fraction(1, 100))
def decimal_expression(rng: StableRng) -> Answer:
    form = rng.choice(["a×b+c", "a+b×c", "(a−b)×c", "a:b"])
    a, b, c = decimal_operands(rng, form)
    key, slip = decimal_forms(a, b, c)[form]
    fa, fb, fc = format_number(a), format_number(b), format_number(c)
    expr = {
        "a×b+c": f"{fa} × {fb} + {fc}",
        "a+b×c": f"{fa} + {fb} × {fc}",
        "(a−b)×c": f"({fa} − {fb}) × {fc}",
        "a:b": f"{fa} : {fb}",
    }[form]
    candidates: list[Number] = [
        key * 10,
        slip,
        key / 10,
        key + Fraction(1, 10),
        key - Fraction(1, 10),
    ]
    difficulty = -0.4 + 0.3 * (form in ("a+b×c", "a:b"))
    return Answer(compute_stem(rng, expr), key, candidates, difficulty)


@numeric_template(THEME, "persen", "hitung_persen", time_hint=70, step=5)
def percent_expression(rng: StableRng) -> Answer:
    p, q = rng.sample(PERCENTS, 2)
    n, m = 40 * rng.randint(2, 30), 40 * rng.randint(2, 20)
    subtract = rng.chance(1, 2)
    part_p, part_q = n * Fraction(p) / 100, m * Fraction(q) / 100
    if subtract and part_p <= part_q:
        (p, n, part_p), (q, m, part_q) = (q, m, part_q), (p, n, part_p)
    word = "dikurangi" if subtract else "ditambah"
    first_part = f"{format_percent(p)} dari {format_number(n)}"
    expr = f"{first_part} {word} {format_percent(q)} dari {format_number(m)}"
    key = part_p - part_q if subtract else part_p + part_q
    other = part_p + part_q if subtract else part_p - part_q
    candidates: list[Number] = [other, part_p, key * 10, key + 10, key - 5]
    difficulty = -0.5 + 0.25 * subtract + 0.2 * (Fraction(p).denominator > 1)
    return Answer(compute_stem(rng, expr), key, candidates, difficulty)


@numeric_template(THEME, "urutan operasi", "urutan_operasi", time_hint=50, valid=positive_whole)
def operation_order(rng: StableRng) -> Answer:
    divisor = rng.randint(2, 9)
    dividend = divisor * rng.randint(3, 15)
    c, d = rng.randint(2, 12), rng.randint(2, 9)
    # The subtracted term stays below the rest, so the answer is a positive whole number.
    e = rng.randint(1, min(20, dividend // divisor + c * d - 1))
    key = dividend // divisor + c * d - e
    left_to_right = (dividend // divisor + c) * d - e
    expr = f"{dividend} : {divisor} + {c} × {d} − {e}"
    candidates: list[Number] = [
        left_to_right,
        key + 2 * e,
        dividend // (divisor + c) * d - e,
        key + 1,
        key - 1,
    ]
    return Answer(compute_stem(rng, expr), key, candidates, -0.9 + 0.02 * c * d / 4)


@numeric_template(THEME, "pangkat dan akar", "pangkat_akar", time_hint=70, valid=positive_whole)
def powers_and_roots(rng: StableRng) -> Answer:
    root = rng.randint(6, 19)
    base, times = rng.randint(2, 9), rng.randint(2, 6)
    divisor = rng.randint(2, 6)
    dividend = divisor * rng.randint(2, 12)
    key = root + base**2 * times - dividend // divisor
    doubled_instead = root + 2 * base * times - dividend // divisor
    squared_product = root + (base * times) ** 2 - dividend // divisor
    expr = f"√{root * root} + {base}² × {times} − {dividend} : {divisor}"
    candidates: list[Number] = [doubled_instead, squared_product, key + root, key - 1, key + 1]
    difficulty = -0.2 + 0.05 * base + 0.02 * root
    return Answer(compute_stem(rng, expr), key, candidates, difficulty)


@numeric_template(THEME, "persamaan linear", "persamaan_linear", time_hint=60, valid=positive_whole)
def linear_equation(rng: StableRng) -> Answer:
    x = rng.randint(2, 25)
    left_coef = rng.randint(3, 9)
    right_coef = rng.randint(0, left_coef - 1)
    const_left = rng.randint(-20, 20)
    const_right = (left_coef - right_coef) * x + const_left
    left = f"{left_coef}x {'+' if const_left >= 0 else '−'} {abs(const_left)}"
    right = f"{right_coef}x + {const_right}" if right_coef else f"{const_right}"
    gap = left_coef - right_coef
    candidates: list[Number] = [
        Fraction(const_right + const_left, gap),
        Fraction(const_right - const_left, left_coef + right_coef),
        const_right - const_left,
        x + 1,
        x - 1,
    ]
    stem = rng.choice(EQUATION_STEMS).format(eq=f"{left} = {right}")
    difficulty = -0.3 + 0.5 * (right_coef > 0) + 0.15 * (const_left < 0)
    return Answer(stem, x, candidates, difficulty)


TEMPLATES: list[Template] = [
    fraction_operation,
    decimal_expression,
    percent_expression,
    operation_order,
    powers_and_roots,
    linear_equation,
]
