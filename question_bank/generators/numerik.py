"""Deterministic generator of original numerical-reasoning items (subtest `numerik`).

Themes: deret angka, aritmetika, perbandingan dan persentase, soal cerita. Every template draws
its numbers from a `StableRng`, computes the key exactly with `Fraction`, and builds distractors
from typical mistakes (one step too many, wrong operation, forgotten step, inverted ratio).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from question_bank.generators.common import (
    Draft,
    StableRng,
    Template,
    format_fraction,
    format_number,
    format_percent,
    format_rupiah,
    generate_items,
    pick_distractors,
    write_by_theme,
)

SUBTEST = "numerik"
SEED = 20261128
SAMPLE_COUNT = 80
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample" / "numerik"
GENERATOR_NAME = "question_bank.generators.numerik"

THEME_SERIES = "deret angka"
THEME_ARITHMETIC = "aritmetika"
THEME_RATIO = "perbandingan dan persentase"
THEME_STORY = "soal cerita"

AGENCIES = [
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Badan Kepegawaian Daerah",
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Kantor Kecamatan Sukamaju",
    "Badan Perencanaan Pembangunan Daerah",
    "Dinas Sosial",
    "Dinas Perhubungan",
    "Inspektorat Daerah",
    "Dinas Komunikasi dan Informatika",
    "Dinas Pertanian",
    "Kantor Kelurahan Mekarsari",
]
NAMES = [
    "Andi",
    "Sari",
    "Budi",
    "Rina",
    "Dewi",
    "Yusuf",
    "Made",
    "Tiur",
    "Ahmad",
    "Nur",
    "Fajar",
    "Lestari",
    "Wayan",
    "Maria",
    "Rahmat",
    "Intan",
]
# Fictional-sounding places, so no stated distance contradicts a real road.
ORIGINS = ["kantor dinas", "kantor bupati", "sekretariat daerah", "kantor wali kota"]
DESTINATIONS = [
    "Kecamatan Sukamaju",
    "Kecamatan Sumberjaya",
    "Kecamatan Tanjungsari",
    "Kecamatan Bukit Indah",
    "Kecamatan Talang Baru",
    "Kecamatan Harapan Jaya",
    "ibu kota provinsi",
    "lokasi desa binaan",
]

Fmt = Callable[[Fraction], str]


def positive(value: Fraction) -> bool:
    return value > 0


def positive_whole(value: Fraction) -> bool:
    return value > 0 and value.denominator == 1


def numeric_draft(
    rng: StableRng,
    *,
    theme: str,
    subtheme: str,
    template: str,
    stem: str,
    key: Fraction | int,
    candidates: Sequence[Fraction | int],
    fmt: Fmt,
    difficulty: float,
    time_hint: int,
    valid: Callable[[Fraction], bool] = positive,
    step: Fraction | int = 1,
) -> Draft:
    """Draft with 5 options (4 for about one item in four), distractors from `candidates`."""
    option_count = 4 if rng.chance(1, 4) else 5
    key = Fraction(key)
    texts = pick_distractors(key, candidates, option_count - 1, fmt, valid=valid, step=step)
    return Draft(
        theme=theme,
        subtheme=subtheme,
        template=template,
        stem=stem,
        key_option={"text": fmt(key)},
        distractor_options=[{"text": text} for text in texts],
        difficulty=round(difficulty, 2),
        time_hint_seconds=time_hint,
    )


def series_text(terms: Sequence[Fraction | int | str]) -> str:
    return ", ".join(term if isinstance(term, str) else format_number(term) for term in terms)


# --------------------------------------------------------------------------- deret angka

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


def next_term_stem(rng: StableRng, terms: Sequence[Fraction | int]) -> str:
    return rng.choice(NEXT_TERM_STEMS).format(seq=series_text(terms))


def arithmetic_series(rng: StableRng) -> Draft:
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
    return numeric_draft(
        rng,
        theme=THEME_SERIES,
        subtheme="deret aritmetika",
        template="deret_aritmetika",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=-1.3 + 0.04 * diff + 0.4 * falling + 0.25 * missing,
        time_hint=45,
    )


def geometric_series(rng: StableRng) -> Draft:
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
    return numeric_draft(
        rng,
        theme=THEME_SERIES,
        subtheme="deret geometri",
        template="deret_geometri",
        stem=next_term_stem(rng, terms),
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=-0.7 + 0.3 * (ratio > 2) + 0.5 * falling,
        time_hint=50,
        valid=positive_whole,
    )


def interleaved_series(rng: StableRng) -> Draft:
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
    return numeric_draft(
        rng,
        theme=THEME_SERIES,
        subtheme="deret selang-seling",
        template="deret_selang_seling",
        stem=next_term_stem(rng, terms[:length]),
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=0.0 + 0.35 * doubling + 0.15 * (length == 8),
        time_hint=60,
        valid=positive_whole,
    )


def second_difference_series(rng: StableRng) -> Draft:
    first, base_gap, growth = rng.randint(1, 30), rng.randint(1, 7), rng.randint(1, 4)
    terms = [first]
    for i in range(5):
        terms.append(terms[-1] + base_gap + growth * i)
    key = terms[5]
    shown = terms[:5]
    last_gap = shown[-1] - shown[-2]
    candidates = [shown[-1] + last_gap, key + growth, key + 1, key - 1, key + 2 * growth]
    return numeric_draft(
        rng,
        theme=THEME_SERIES,
        subtheme="deret bertingkat",
        template="deret_bertingkat",
        stem=next_term_stem(rng, shown),
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=0.1 + 0.12 * growth,
        time_hint=60,
        valid=positive_whole,
    )


def fibonacci_series(rng: StableRng) -> Draft:
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
    return numeric_draft(
        rng,
        theme=THEME_SERIES,
        subtheme="deret Fibonacci",
        template="deret_fibonacci",
        stem=next_term_stem(rng, terms),
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=0.2 + 0.02 * terms[1],
        time_hint=60,
        valid=positive_whole,
    )


def multiply_add_series(rng: StableRng) -> Draft:
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
    return numeric_draft(
        rng,
        theme=THEME_SERIES,
        subtheme="deret kali-tambah",
        template="deret_kali_tambah",
        stem=next_term_stem(rng, terms),
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=0.6 + 0.3 * (factor == 3) + 0.1 * (shift < 0),
        time_hint=70,
        valid=positive_whole,
    )


# --------------------------------------------------------------------------- aritmetika

COMPUTE_STEMS = [
    "Hasil dari {expr} adalah ....",
    "Nilai dari {expr} = ....",
    "Hitunglah {expr}.",
    "{expr} = ....",
    "Berapakah hasil perhitungan {expr}?",
]


def compute_stem(rng: StableRng, expr: str) -> str:
    return rng.choice(COMPUTE_STEMS).format(expr=expr)


def random_proper_fraction(rng: StableRng) -> Fraction:
    denominator = rng.randint(2, 12)
    return Fraction(rng.randint(1, denominator - 1), denominator)


def fraction_operation(rng: StableRng) -> Draft:
    op = rng.choice(["+", "-", "×", ":"])
    left, right = random_proper_fraction(rng), random_proper_fraction(rng)
    while right.denominator == left.denominator or right == left:
        right = random_proper_fraction(rng)
    if op == "-" and left < right:
        left, right = right, left
    a, b, c, d = left.numerator, left.denominator, right.numerator, right.denominator
    mistakes: dict[str, list[Fraction]] = {
        "+": [Fraction(a + c, b + d), left * right, left - right],
        "-": [Fraction(abs(a - c), abs(b - d)) if b != d and a != c else left, left + right],
        "×": [Fraction(a * d, b * c), Fraction(a * c, b + d), left + right],
        ":": [left * right, Fraction(b * c, a * d), Fraction(a * c, b * d) + 1],
    }
    key = {
        "+": left + right,
        "-": left - right,
        "×": left * right,
        ":": left / right,
    }[op]
    shown_op = "−" if op == "-" else op
    expr = f"{format_fraction(left)} {shown_op} {format_fraction(right)}"
    step = Fraction(1, math.lcm(b, d))
    return numeric_draft(
        rng,
        theme=THEME_ARITHMETIC,
        subtheme="pecahan",
        template="operasi_pecahan",
        stem=compute_stem(rng, expr),
        key=key,
        candidates=mistakes[op],
        fmt=format_fraction,
        difficulty=-0.6 + 0.3 * (op in ":-") + 0.04 * math.lcm(b, d) / 3,
        time_hint=60,
        step=step,
    )


def decimal_expression(rng: StableRng) -> Draft:
    form = rng.choice(["a×b+c", "a+b×c", "(a−b)×c", "a:b"])
    a = Fraction(rng.randint(11, 95), 10)
    b = Fraction(rng.randint(2, 40), 10)
    c = Fraction(rng.randint(5, 200), 100)
    if form == "a:b":
        b = Fraction(rng.choice([2, 4, 5, 25]), 10)
        a = b * rng.randint(3, 40)
    if form == "(a−b)×c" and a <= b:
        a, b = b + 1, a
    fa, fb, fc = format_number(a), format_number(b), format_number(c)
    if form == "a×b+c":
        key, slip, expr = a * b + c, a * (b + c), f"{fa} × {fb} + {fc}"
    elif form == "a+b×c":
        key, slip, expr = a + b * c, (a + b) * c, f"{fa} + {fb} × {fc}"
    elif form == "(a−b)×c":
        key, slip, expr = (a - b) * c, a - b * c, f"({fa} − {fb}) × {fc}"
    else:
        key, slip, expr = a / b, a * b, f"{fa} : {fb}"
    candidates = [key * 10, slip, key / 10, key + Fraction(1, 10), key - Fraction(1, 10)]
    return numeric_draft(
        rng,
        theme=THEME_ARITHMETIC,
        subtheme="bilangan desimal",
        template="operasi_desimal",
        stem=compute_stem(rng, expr),
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=-0.4 + 0.3 * (form in ("a+b×c", "a:b")),
        time_hint=70,
        step=Fraction(1, 100),
    )


PERCENTS = [5, 10, Fraction(25, 2), 15, 20, 25, 30, 35, 40, 45, 60, 75]


def percent_expression(rng: StableRng) -> Draft:
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
    candidates = [other, part_p, key * 10, key + 10, key - 5]
    return numeric_draft(
        rng,
        theme=THEME_ARITHMETIC,
        subtheme="persen",
        template="hitung_persen",
        stem=compute_stem(rng, expr),
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=-0.5 + 0.25 * subtract + 0.2 * (Fraction(p).denominator > 1),
        time_hint=70,
        step=5,
    )


def operation_order(rng: StableRng) -> Draft:
    divisor = rng.randint(2, 9)
    dividend = divisor * rng.randint(3, 15)
    c, d = rng.randint(2, 12), rng.randint(2, 9)
    # The subtracted term stays below the rest, so the answer is a positive whole number.
    e = rng.randint(1, min(20, dividend // divisor + c * d - 1))
    key = dividend // divisor + c * d - e
    left_to_right = (dividend // divisor + c) * d - e
    expr = f"{dividend} : {divisor} + {c} × {d} − {e}"
    candidates = [left_to_right, key + 2 * e, dividend // (divisor + c) * d - e, key + 1, key - 1]
    return numeric_draft(
        rng,
        theme=THEME_ARITHMETIC,
        subtheme="urutan operasi",
        template="urutan_operasi",
        stem=compute_stem(rng, expr),
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=-0.9 + 0.02 * c * d / 4,
        time_hint=50,
        valid=positive_whole,
    )


def powers_and_roots(rng: StableRng) -> Draft:
    root = rng.randint(6, 19)
    base, times = rng.randint(2, 9), rng.randint(2, 6)
    divisor = rng.randint(2, 6)
    dividend = divisor * rng.randint(2, 12)
    key = root + base**2 * times - dividend // divisor
    doubled_instead = root + 2 * base * times - dividend // divisor
    squared_product = root + (base * times) ** 2 - dividend // divisor
    expr = f"√{root * root} + {base}² × {times} − {dividend} : {divisor}"
    candidates = [doubled_instead, squared_product, key + root, key - 1, key + 1]
    return numeric_draft(
        rng,
        theme=THEME_ARITHMETIC,
        subtheme="pangkat dan akar",
        template="pangkat_akar",
        stem=compute_stem(rng, expr),
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=-0.2 + 0.05 * base + 0.02 * root,
        time_hint=70,
        valid=positive_whole,
    )


EQUATION_STEMS = [
    "Jika {eq}, maka nilai x adalah ....",
    "Nilai x yang memenuhi persamaan {eq} adalah ....",
    "Tentukan x dari persamaan {eq}.",
]


def linear_equation(rng: StableRng) -> Draft:
    x = rng.randint(2, 25)
    left_coef = rng.randint(3, 9)
    right_coef = rng.randint(0, left_coef - 1)
    const_left = rng.randint(-20, 20)
    const_right = (left_coef - right_coef) * x + const_left
    left = f"{left_coef}x {'+' if const_left >= 0 else '−'} {abs(const_left)}"
    right = f"{right_coef}x + {const_right}" if right_coef else f"{const_right}"
    eq = f"{left} = {right}"
    gap = left_coef - right_coef
    candidates = [
        Fraction(const_right + const_left, gap),
        Fraction(const_right - const_left, left_coef + right_coef),
        const_right - const_left,
        x + 1,
        x - 1,
    ]
    return numeric_draft(
        rng,
        theme=THEME_ARITHMETIC,
        subtheme="persamaan linear",
        template="persamaan_linear",
        stem=rng.choice(EQUATION_STEMS).format(eq=eq),
        key=x,
        candidates=candidates,
        fmt=format_number,
        difficulty=-0.3 + 0.5 * (right_coef > 0) + 0.15 * (const_left < 0),
        time_hint=60,
        valid=positive_whole,
    )


# ------------------------------------------------------------- perbandingan dan persentase

GROUP_PAIRS = [
    ("pegawai laki-laki", "pegawai perempuan", "pegawai"),
    ("pegawai PNS", "pegawai PPPK", "pegawai"),
    ("peserta daring", "peserta luring", "peserta"),
    ("berkas lengkap", "berkas belum lengkap", "berkas"),
    ("arsip digital", "arsip kertas", "arsip"),
    ("penerima bantuan lansia", "penerima bantuan disabilitas", "penerima"),
]
RATIO_STEMS = [
    "Perbandingan {g1} dan {g2} di {agency} adalah {p} : {q}. Jika jumlah seluruhnya {total} "
    "{unit}, {ask} adalah ....",
    "Di {agency} tercatat {total} {unit}. Banyaknya {g1} berbanding {g2} adalah {p} : {q}. "
    "Berapa {ask}?",
    "{agency} mendata {total} {unit} yang terbagi menjadi {g1} dan {g2} dengan perbandingan "
    "{p} : {q}. Tentukan {ask}.",
]


def ratio_split(rng: StableRng) -> Draft:
    first, second, unit = rng.choice(GROUP_PAIRS)
    p, q = rng.randint(1, 9), rng.randint(1, 9)
    while p == q or math.gcd(p, q) != 1:
        q = rng.randint(1, 9)
    part = rng.randint(4, 60)
    total = (p + q) * part
    ask_kind = rng.choice(["first", "second", "selisih"])
    values = {"first": p * part, "second": q * part, "selisih": abs(p - q) * part}
    ask = {
        "first": f"banyaknya {first}",
        "second": f"banyaknya {second}",
        "selisih": f"selisih banyaknya {first} dan {second}",
    }[ask_kind]
    key = values[ask_kind]
    others = [value for kind, value in values.items() if kind != ask_kind]
    stem = rng.choice(RATIO_STEMS).format(
        g1=first,
        g2=second,
        agency=rng.choice(AGENCIES),
        p=p,
        q=q,
        total=format_number(total),
        unit=unit,
        ask=ask,
    )
    return numeric_draft(
        rng,
        theme=THEME_RATIO,
        subtheme="pembagian perbandingan",
        template="bagi_perbandingan",
        stem=stem,
        key=key,
        candidates=[*others, part, Fraction(total, 2), key + part],
        fmt=format_number,
        difficulty=-0.8 + 0.4 * (ask_kind == "selisih") + 0.03 * (p + q),
        time_hint=75,
        valid=positive_whole,
        step=part,
    )


BUDGET_ACTIVITIES = [
    "pelatihan aparatur",
    "pemeliharaan gedung kantor",
    "sosialisasi layanan publik",
    "pengadaan alat tulis kantor",
    "perjalanan dinas",
    "digitalisasi arsip",
    "pemeliharaan kendaraan dinas",
    "penyuluhan kesehatan",
]
BUDGET_STEMS = [
    "Anggaran {activity} di {agency} tahun lalu sebesar {old}. Tahun ini anggaran tersebut "
    "{direction} {p}%. Besar anggaran tahun ini adalah ....",
    "Tahun ini anggaran {activity} di {agency} {direction} {p}% dari tahun lalu yang besarnya "
    "{old}. Berapa anggaran tahun ini?",
    "Pada tahun lalu {agency} menganggarkan {old} untuk {activity}. Jika tahun ini anggarannya "
    "{direction} {p}%, anggaran yang tersedia menjadi ....",
]
BUDGET_REVERSE_STEMS = [
    "Setelah {direction} {p}%, anggaran {activity} di {agency} menjadi {new}. Berapa anggaran "
    "sebelum perubahan?",
    "Anggaran {activity} di {agency} tahun ini {new}, yaitu {direction} {p}% dibanding tahun "
    "lalu. Anggaran tahun lalu adalah ....",
]


def budget_change(rng: StableRng) -> Draft:
    old = rng.randint(40, 900) * 1_000_000
    p = rng.choice([5, 8, 10, 12, 15, 20, 25, 30, 40])
    rising = rng.chance(2, 3)
    factor = Fraction(100 + p if rising else 100 - p, 100)
    new = old * factor
    change = old * Fraction(p, 100)
    fields = {
        "activity": rng.choice(BUDGET_ACTIVITIES),
        "agency": rng.choice(AGENCIES),
        "direction": "naik" if rising else "turun",
        "p": p,
        "old": format_rupiah(old),
        "new": format_rupiah(new),
    }
    reverse = rng.chance(1, 3)
    if reverse:
        key = Fraction(old)
        naive = new * Fraction(100 - p if rising else 100 + p, 100)
        candidates = [naive, new - p * 1_000_000, new * Fraction(p, 100), old + change]
        stem = rng.choice(BUDGET_REVERSE_STEMS).format(**fields)
    else:
        key = new
        opposite = old * Fraction(100 - p if rising else 100 + p, 100)
        candidates = [change, opposite, old + p * 1_000_000, new + change]
        stem = rng.choice(BUDGET_STEMS).format(**fields)
    return numeric_draft(
        rng,
        theme=THEME_RATIO,
        subtheme="perubahan persentase",
        template="perubahan_anggaran",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=format_rupiah,
        difficulty=-0.6 + 0.9 * reverse + 0.2 * (not rising),
        time_hint=90 if reverse else 75,
        valid=positive_whole,
        step=old * Fraction(5, 100),
    )


PROGRAMS = [
    ("vaksinasi pegawai", "orang"),
    ("pelatihan aparatur desa", "orang"),
    ("penyaluran bantuan pangan", "paket"),
    ("perekaman KTP elektronik", "dokumen"),
    ("penerbitan akta kelahiran", "akta"),
    ("sertifikasi tanah warga", "bidang"),
    ("perbaikan rumah tidak layak huni", "unit"),
]
REALIZATION_STEMS = [
    "Target program {program} tahun ini adalah {target} {unit}. Hingga akhir tahun terealisasi "
    "{done} {unit}. Persentase realisasi program tersebut adalah ....",
    "{agency} menargetkan {target} {unit} untuk program {program}, dan yang tercapai "
    "{done} {unit}. Berapa persen target yang tercapai?",
    "Dari target {target} {unit} pada program {program}, {agency} berhasil menyelesaikan "
    "{done} {unit}. Capaian realisasinya sebesar ....",
]


def realization_percent(rng: StableRng) -> Draft:
    target = rng.choice([80, 120, 160, 200, 240, 250, 320, 400, 480, 500, 600, 800, 1200, 1600])
    choices = [Fraction(k, 2) for k in range(110, 196, 5) if target * Fraction(k, 200) % 1 == 0]
    percent = rng.choice(choices)
    done = target * percent / 100
    program, unit = rng.choice(PROGRAMS)
    stem = rng.choice(REALIZATION_STEMS).format(
        program=program,
        unit=unit,
        agency=rng.choice(AGENCIES),
        target=format_number(target),
        done=format_number(done),
    )
    inverse = Fraction(target * 100) / done
    candidates = [100 - percent, inverse, percent + 5, percent - 5, percent + Fraction(5, 2)]
    return numeric_draft(
        rng,
        theme=THEME_RATIO,
        subtheme="persentase realisasi",
        template="persentase_realisasi",
        stem=stem,
        key=percent,
        candidates=candidates,
        fmt=format_percent,
        difficulty=-0.5 + 0.4 * (percent.denominator > 1) + 0.0005 * target,
        time_hint=75,
        step=Fraction(5, 2),
    )


TASKS = [
    "memverifikasi berkas pendaftaran",
    "menginput data kependudukan",
    "memeriksa laporan keuangan desa",
    "memindai arsip surat masuk",
    "mendata aset kantor",
    "mengoreksi lembar jawaban ujian dinas",
]
INVERSE_STEMS = [
    "Sebanyak {n} petugas dapat {task} dalam {d} hari. Jika pekerjaan itu dikerjakan {m} "
    "petugas dengan kecepatan kerja yang sama, waktu yang diperlukan adalah ... hari.",
    "{agency} menugaskan {n} orang untuk {task}, dan pekerjaan itu selesai dalam {d} hari. "
    "Berapa hari yang dibutuhkan bila petugasnya {m} orang?",
    "Pekerjaan {task} diselesaikan {n} pegawai dalam {d} hari. Dengan {m} pegawai yang bekerja "
    "sama cepatnya, pekerjaan yang sama selesai dalam berapa hari?",
]


def inverse_proportion(rng: StableRng) -> Draft:
    workers, days = rng.randint(3, 24), rng.randint(4, 30)
    if days == workers:  # `days` itself must be available as the other team size
        days += 1
    total = workers * days
    divisors = [m for m in range(2, 40) if total % m == 0 and m != workers and total // m > 1]
    other_workers = rng.choice(divisors)
    key = total // other_workers
    stem = rng.choice(INVERSE_STEMS).format(
        n=workers, d=days, m=other_workers, task=rng.choice(TASKS), agency=rng.choice(AGENCIES)
    )
    candidates = [
        Fraction(days * other_workers, workers),
        days + workers - other_workers,
        key + 1,
        key - 1,
        days,
    ]
    return numeric_draft(
        rng,
        theme=THEME_RATIO,
        subtheme="perbandingan berbalik nilai",
        template="berbalik_nilai",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=-0.2 + 0.01 * total / 4,
        time_hint=75,
        valid=positive_whole,
    )


QUOTA_STEMS = [
    "Kuota peserta {event} adalah {quota} orang. Pada minggu pertama {p}% kuota terisi, dan pada "
    "minggu kedua {q}% dari sisa kuota terisi. Berapa kuota yang masih tersisa?",
    "Untuk {event} disediakan {quota} kursi. Sebanyak {p}% kursi terisi pada hari pertama, lalu "
    "{q}% dari kursi yang tersisa terisi pada hari kedua. Sisa kursinya adalah ....",
    "Panitia {event} membuka {quota} tempat. Tahap pertama mengisi {p}% tempat, tahap kedua "
    "mengisi {q}% dari tempat yang belum terisi. Tempat yang masih kosong sebanyak ....",
]
EVENTS = [
    "seleksi kompetensi bidang",
    "bimbingan teknis pengadaan",
    "pelatihan kepemimpinan pengawas",
    "diklat pelayanan prima",
    "webinar keterbukaan informasi",
    "uji kompetensi jabatan fungsional",
]


def quota_remaining(rng: StableRng) -> Draft:
    p, q = rng.choice([20, 25, 30, 40, 50, 60]), rng.choice([10, 20, 25, 50])
    quota = 400 * rng.randint(1, 8)  # 400 keeps two successive percentages whole
    after_first = quota * Fraction(100 - p, 100)
    key = after_first * Fraction(100 - q, 100)
    naive = quota * Fraction(100 - p - q, 100)
    stem = rng.choice(QUOTA_STEMS).format(
        event=rng.choice(EVENTS), quota=format_number(quota), p=p, q=q
    )
    candidates = [naive, after_first, quota - key, after_first * Fraction(q, 100), key + 10]
    return numeric_draft(
        rng,
        theme=THEME_RATIO,
        subtheme="persentase bertahap",
        template="sisa_kuota",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=0.4 + 0.002 * (p + q),
        time_hint=90,
        valid=positive_whole,
        step=10,
    )


COST_STEMS = [
    "Biaya konsumsi rapat koordinasi untuk {a} peserta adalah {cost}. Dengan harga per peserta "
    "yang sama, biaya konsumsi untuk {b} peserta adalah ....",
    "{agency} membayar {cost} untuk mencetak {a} buku panduan. Berapa biaya mencetak {b} buku "
    "panduan yang sama?",
    "Untuk {a} paket seminar kit dibutuhkan dana {cost}. Jika dibutuhkan {b} paket, dana yang "
    "harus disiapkan adalah ....",
]


def direct_proportion(rng: StableRng) -> Draft:
    unit_cost = 500 * rng.randint(20, 160)
    a, b = rng.randint(12, 60), rng.randint(15, 120)
    while b == a:
        b = rng.randint(15, 120)
    cost = unit_cost * a
    key = unit_cost * b
    stem = rng.choice(COST_STEMS).format(
        a=a, b=b, cost=format_rupiah(cost), agency=rng.choice(AGENCIES)
    )
    candidates = [
        Fraction(cost * a, b),
        cost + (b - a) * 1000,
        key + unit_cost,
        key - unit_cost,
        cost * b // 10,
    ]
    return numeric_draft(
        rng,
        theme=THEME_RATIO,
        subtheme="perbandingan senilai",
        template="senilai",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=format_rupiah,
        difficulty=-1.0 + 0.004 * (a + b),
        time_hint=60,
        valid=positive_whole,
        step=unit_cost,
    )


# --------------------------------------------------------------------------- soal cerita

JOINT_WORK_PAIRS = [
    (x, y) for x in range(2, 40) for y in range(x + 1, 61) if (x * y) % (x + y) == 0
]
JOINT_STEMS = [
    "{p1} dapat {task} sendirian dalam {x} hari, sedangkan {p2} dalam {y} hari. Jika keduanya "
    "bekerja bersama, pekerjaan itu selesai dalam ... hari.",
    "Pekerjaan {task} diselesaikan {p1} dalam {x} hari atau oleh {p2} dalam {y} hari. Berapa "
    "hari yang diperlukan bila mereka bekerja bersama-sama?",
    "Di {agency}, {p1} membutuhkan {x} hari dan {p2} membutuhkan {y} hari untuk {task}. Kalau "
    "dikerjakan berdua, waktu penyelesaiannya adalah ....",
]


def joint_work(rng: StableRng) -> Draft:
    x, y = rng.choice(JOINT_WORK_PAIRS)
    key = x * y // (x + y)
    first, second = rng.sample(NAMES, 2)
    stem = rng.choice(JOINT_STEMS).format(
        p1=first, p2=second, x=x, y=y, task=rng.choice(TASKS), agency=rng.choice(AGENCIES)
    )
    candidates = [Fraction(x + y, 2), y - x, key + 1, key - 1, Fraction(x, 2)]
    return numeric_draft(
        rng,
        theme=THEME_STORY,
        subtheme="kerja bersama",
        template="kerja_bersama",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=lambda value: f"{format_number(value)} hari",
        difficulty=0.3 + 0.01 * y,
        time_hint=90,
        valid=positive_whole,
    )


TRAVEL_STEMS = [
    "Kendaraan dinas berangkat dari {a} pukul {start} menuju {b} yang berjarak {km} km dengan "
    "kecepatan rata-rata {v} km/jam. Pukul berapa kendaraan itu tiba?",
    "Tim monitoring berangkat pukul {start} dari {a} ke {b}. Jarak kedua tempat {km} km dan "
    "ditempuh dengan kecepatan rata-rata {v} km/jam. Tim tiba pukul ....",
    "{p} menyetir mobil operasional sejauh {km} km dari {a} ke {b} dengan kecepatan tetap "
    "{v} km/jam. Jika berangkat pukul {start}, ia sampai pukul ....",
]


def clock_text(minutes: Fraction) -> str:
    """Time of day as 08.45; a value outside one day is not a valid answer."""
    if minutes.denominator != 1 or not 0 <= minutes < 24 * 60:
        raise ValueError("not a clock time")
    hours, rest = divmod(int(minutes), 60)
    return f"{hours:02d}.{rest:02d}"


def travel_time(rng: StableRng) -> Draft:
    speed = rng.choice([40, 48, 50, 60, 72])
    durations = [m for m in range(45, 241, 15) if (speed * m) % 60 == 0 and m % 60]
    duration = rng.choice(durations)
    distance = speed * duration // 60
    start = 60 * rng.randint(6, 10) + 15 * rng.randint(0, 3)
    hours_decimal = Fraction(distance, speed)
    misread = 60 * int(hours_decimal) + int((hours_decimal % 1) * 100)
    stem = rng.choice(TRAVEL_STEMS).format(
        a=rng.choice(ORIGINS),
        b=rng.choice(DESTINATIONS),
        km=distance,
        v=speed,
        start=clock_text(Fraction(start)),
        p=rng.choice(NAMES),
    )
    candidates = [start + misread, start + duration + 30, start + duration - 30, start + 60]
    return numeric_draft(
        rng,
        theme=THEME_STORY,
        subtheme="jarak, waktu, dan kecepatan",
        template="waktu_tempuh",
        stem=stem,
        key=start + duration,
        candidates=candidates,
        fmt=clock_text,
        difficulty=0.0 + 0.4 * (duration % 30 != 0) + 0.002 * distance,
        time_hint=90,
        step=15,
    )


AVERAGE_STEMS = [
    "Rata-rata nilai ujian dinas {n} pegawai adalah {r}. Setelah nilai {p} dimasukkan, "
    "rata-ratanya menjadi {r2}. Nilai {p} adalah ....",
    "Dalam seleksi internal, {n} peserta memperoleh nilai rata-rata {r}. Ketika nilai {p} "
    "ikut dihitung, rata-rata naik menjadi {r2}. Berapa nilai yang diperoleh {p}?",
    "Nilai rata-rata {n} peserta pelatihan adalah {r}. Satu peserta susulan, {p}, membuat "
    "rata-rata seluruh peserta menjadi {r2}. Tentukan nilai {p}.",
]


def new_average(rng: StableRng) -> Draft:
    count = rng.randint(4, 14)
    average = rng.randint(60, 80)
    rise = rng.randint(1, 2)
    new = average + rise
    key = new * (count + 1) - average * count
    while key > 100:
        count = max(3, count - 2)
        rise = 1
        new = average + rise
        key = new * (count + 1) - average * count
    stem = rng.choice(AVERAGE_STEMS).format(n=count, r=average, r2=new, p=rng.choice(NAMES))
    candidates = [new + rise, 2 * new - average, new * count - average * (count - 1), key + 1]
    return numeric_draft(
        rng,
        theme=THEME_STORY,
        subtheme="rata-rata",
        template="rata_rata",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=0.2 + 0.05 * count,
        time_hint=90,
        valid=positive_whole,
    )


SUPPLIES = [
    ("rim kertas HVS", "rim", 45_000, 65_000),
    ("kotak map plastik", "kotak", 15_000, 30_000),
    ("toner printer", "buah", 250_000, 450_000),
    ("pak pulpen", "pak", 18_000, 36_000),
    ("buku agenda", "buah", 20_000, 40_000),
    ("ordner arsip", "buah", 22_000, 38_000),
]
SHOPPING_STEMS = [
    "Bagian umum membeli {a} {unit1} {s1} seharga {p1} per {unit1} dan {b} {unit2} {s2} "
    "seharga {p2} per {unit2}. Jika membayar dengan uang {m}, kembaliannya adalah ....",
    "{p} berbelanja keperluan kantor: {a} {unit1} {s1} @ {p1} dan {b} {unit2} {s2} @ {p2}. Ia "
    "membayar {m}. Berapa uang kembalian yang diterima?",
    "Untuk kebutuhan {agency} dibeli {a} {unit1} {s1} dengan harga {p1} per {unit1} serta {b} "
    "{unit2} {s2} dengan harga {p2} per {unit2}. Dari uang {m}, sisa uangnya ....",
]


def shopping_change(rng: StableRng) -> Draft:
    (name1, unit1, low1, high1), (name2, unit2, low2, high2) = rng.sample(SUPPLIES, 2)
    price1 = 500 * rng.randint(low1 // 500, high1 // 500)
    price2 = 500 * rng.randint(low2 // 500, high2 // 500)
    count1, count2 = rng.randint(2, 12), rng.randint(2, 10)
    total = count1 * price1 + count2 * price2
    paid = 100_000 * (total // 100_000 + rng.randint(1, 5))
    key = paid - total
    # Stems name the item without its unit word, so "rim kertas HVS" reads "3 rim kertas HVS".
    stem = rng.choice(SHOPPING_STEMS).format(
        a=count1,
        b=count2,
        unit1=unit1,
        unit2=unit2,
        s1=name1.removeprefix(unit1 + " "),
        s2=name2.removeprefix(unit2 + " "),
        p1=format_rupiah(price1),
        p2=format_rupiah(price2),
        m=format_rupiah(paid),
        p=rng.choice(NAMES),
        agency=rng.choice(AGENCIES),
    )
    candidates = [
        paid - count1 * price1 - price2,
        key + price2,
        key - price1,
        key + 10_000,
        key - 5_000,
    ]
    return numeric_draft(
        rng,
        theme=THEME_STORY,
        subtheme="belanja kebutuhan kantor",
        template="kembalian_belanja",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=format_rupiah,
        difficulty=-0.7 + 0.03 * (count1 + count2),
        time_hint=90,
        valid=positive_whole,
        step=5_000,
    )


SCHEDULE_STEMS = [
    "Petugas {p1} mendapat giliran piket setiap {x} hari, {p2} setiap {y} hari, dan {p3} setiap "
    "{z} hari. Jika hari ini mereka piket bersama, mereka akan piket bersama lagi ... hari lagi.",
    "Tiga pegawai {agency} bertugas di loket pelayanan dengan jadwal berulang: {p1} tiap {x} "
    "hari, {p2} tiap {y} hari, {p3} tiap {z} hari. Setelah bertugas bersama hari ini, berapa "
    "hari lagi mereka kembali bertugas bersama?",
    "Pemeriksaan rutin genset dilakukan setiap {x} hari, pemeriksaan APAR setiap {y} hari, dan "
    "pemeriksaan CCTV setiap {z} hari. Ketiganya dilakukan bersamaan hari ini. Paling cepat "
    "berapa hari lagi ketiganya dilakukan bersamaan?",
]


def common_schedule(rng: StableRng) -> Draft:
    x, y, z = sorted(rng.sample(range(2, 16), 3))
    key = math.lcm(x, y, z)
    while key > 400 or key == x * y * z:
        x, y, z = sorted(rng.sample(range(2, 16), 3))
        key = math.lcm(x, y, z)
    p1, p2, p3 = rng.sample(NAMES, 3)
    stem = rng.choice(SCHEDULE_STEMS).format(
        x=x, y=y, z=z, p1=p1, p2=p2, p3=p3, agency=rng.choice(AGENCIES)
    )
    candidates = [x * y * z, x + y + z, math.lcm(x, y) * z, key // 2, key + x]
    return numeric_draft(
        rng,
        theme=THEME_STORY,
        subtheme="kelipatan persekutuan",
        template="jadwal_bersama",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=0.0 + 0.002 * key,
        time_hint=80,
        valid=positive_whole,
    )


UNITS = [
    "Bidang Pelayanan",
    "Bidang Keuangan",
    "Bidang Perencanaan",
    "Sekretariat",
    "Bidang Pengawasan",
    "Bidang Pengelolaan Data",
]
SUM_DIFF_STEMS = [
    "Jumlah pegawai {u1} dan {u2} adalah {s} orang. Pegawai {u1} {d} orang lebih banyak daripada "
    "pegawai {u2}. Banyak pegawai {ask} adalah ....",
    "{u1} dan {u2} di {agency} bersama-sama memiliki {s} pegawai. Selisih pegawai keduanya {d} "
    "orang, dengan {u1} lebih banyak. Berapa pegawai {ask}?",
]


def sum_and_difference(rng: StableRng) -> Draft:
    smaller = rng.randint(8, 60)
    diff = rng.randint(2, 30)
    larger = smaller + diff
    total = smaller + larger
    unit1, unit2 = rng.sample(UNITS, 2)
    ask_larger = rng.chance(1, 2)
    key = larger if ask_larger else smaller
    stem = rng.choice(SUM_DIFF_STEMS).format(
        u1=unit1,
        u2=unit2,
        s=total,
        d=diff,
        ask=unit1 if ask_larger else unit2,
        agency=rng.choice(AGENCIES),
    )
    other = smaller if ask_larger else larger
    candidates = [other, Fraction(total, 2), total - diff, key + diff, key + 1]
    return numeric_draft(
        rng,
        theme=THEME_STORY,
        subtheme="jumlah dan selisih",
        template="jumlah_selisih",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=format_number,
        difficulty=-0.4 + 0.2 * (not ask_larger),
        time_hint=75,
        valid=positive_whole,
    )


HONOR_STEMS = [
    "Honorarium narasumber {event} adalah {rate} per jam. {p} mengisi {h} jam dan honornya "
    "dipotong pajak {t}%. Honor bersih yang diterima {p} adalah ....",
    "{agency} mengundang {p} sebagai narasumber {event} selama {h} jam dengan honor {rate} per "
    "jam. Setelah dipotong PPh {t}%, berapa yang diterima {p}?",
]


def net_honorarium(rng: StableRng) -> Draft:
    rate = 50_000 * rng.randint(6, 24)
    hours = rng.randint(2, 8)
    tax = rng.choice([5, 6, 15])
    gross = rate * hours
    key = gross * Fraction(100 - tax, 100)
    stem = rng.choice(HONOR_STEMS).format(
        event=rng.choice(EVENTS),
        rate=format_rupiah(rate),
        p=rng.choice(NAMES),
        h=hours,
        t=tax,
        agency=rng.choice(AGENCIES),
    )
    candidates = [gross, gross * Fraction(tax, 100), rate * Fraction(100 - tax, 100), key - rate]
    return numeric_draft(
        rng,
        theme=THEME_STORY,
        subtheme="honorarium dan pajak",
        template="honor_bersih",
        stem=stem,
        key=key,
        candidates=candidates,
        fmt=format_rupiah,
        difficulty=-0.3 + 0.1 * hours / 2,
        time_hint=80,
        valid=positive_whole,
        step=10_000,
    )


# --------------------------------------------------------------------------- public API

TEMPLATES: dict[str, list[Template]] = {
    THEME_SERIES: [
        arithmetic_series,
        geometric_series,
        interleaved_series,
        second_difference_series,
        fibonacci_series,
        multiply_add_series,
    ],
    THEME_ARITHMETIC: [
        fraction_operation,
        decimal_expression,
        percent_expression,
        operation_order,
        powers_and_roots,
        linear_equation,
    ],
    THEME_RATIO: [
        ratio_split,
        budget_change,
        realization_percent,
        inverse_proportion,
        quota_remaining,
        direct_proportion,
    ],
    THEME_STORY: [
        joint_work,
        travel_time,
        new_average,
        shopping_change,
        common_schedule,
        sum_and_difference,
        net_honorarium,
    ],
}

SAMPLE_HEADER = (
    "Sampel subtes numerik (Penalaran Numerik), dibuat oleh question_bank.generators.numerik\n"
    f"dengan seed {SEED}. Jangan disunting manual: jalankan ulang\n"
    "`python -m question_bank.generators.numerik`. Parameter IRT ilustratif, belum dikalibrasi."
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
    """`count` numerik items with ids `{id_prefix}-{start:0{digits}d}` onwards.

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
    """Write the committed sample (NUM-0001 …), one file per theme."""
    items = generate(SAMPLE_COUNT, SEED, "NUM")
    return write_by_theme(out_dir, items, SAMPLE_HEADER, list(TEMPLATES))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Tulis sampel soal numerik.")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help="folder keluaran")
    args = parser.parse_args(argv)
    for path in write_sample(args.out):
        print(path)


if __name__ == "__main__":
    main()
