"""Theme `perbandingan dan persentase`: ratios, direct and inverse proportion, percentages."""

from __future__ import annotations

import math
from fractions import Fraction

from question_bank.generators.common import (
    StableRng,
    Template,
    format_number,
    format_percent,
    format_rupiah,
)
from question_bank.generators.numerik.answers import (
    Answer,
    Number,
    money_template,
    numeric_template,
    positive_whole,
)
from question_bank.generators.numerik.word_lists import AGENCIES, EVENTS, TASKS

THEME = "perbandingan dan persentase"

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


def coprime_ratio(rng: StableRng) -> tuple[int, int]:
    """p : q in lowest terms with p ≠ q, so the ratio is not written reducible."""
    p, q = rng.randint(1, 9), rng.randint(1, 9)
    while p == q or math.gcd(p, q) != 1:
        q = rng.randint(1, 9)
    return p, q


@numeric_template(
    THEME, "pembagian perbandingan", "bagi_perbandingan", time_hint=75, valid=positive_whole
)
def ratio_split(rng: StableRng) -> Answer:
    first, second, unit = rng.choice(GROUP_PAIRS)
    p, q = coprime_ratio(rng)
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
    candidates: list[Number] = [*others, part, Fraction(total, 2), key + part]
    difficulty = -0.8 + 0.4 * (ask_kind == "selisih") + 0.03 * (p + q)
    return Answer(stem, key, candidates, difficulty, step=part)


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


def budget_mistakes(old: int, new: Fraction, p: int, rising: bool, reverse: bool) -> list[Number]:
    """The change applied the wrong way or to the wrong amount, or read as p million rupiah."""
    wrong_way = Fraction(100 - p if rising else 100 + p, 100)
    change = old * Fraction(p, 100)
    if reverse:
        return [new * wrong_way, new - p * 1_000_000, new * Fraction(p, 100), old + change]
    return [change, old * wrong_way, old + p * 1_000_000, new + change]


@money_template(THEME, "perubahan persentase", "perubahan_anggaran", time_hint=75)
def budget_change(rng: StableRng) -> Answer:
    old = rng.randint(40, 900) * 1_000_000
    p = rng.choice([5, 8, 10, 12, 15, 20, 25, 30, 40])
    rising = rng.chance(2, 3)
    new = old * Fraction(100 + p if rising else 100 - p, 100)
    fields = {
        "activity": rng.choice(BUDGET_ACTIVITIES),
        "agency": rng.choice(AGENCIES),
        "direction": "naik" if rising else "turun",
        "p": p,
        "old": format_rupiah(old),
        "new": format_rupiah(new),
    }
    # Asking for last year's budget is harder: the percentage is of the unknown amount.
    reverse = rng.chance(1, 3)
    stem = rng.choice(BUDGET_REVERSE_STEMS if reverse else BUDGET_STEMS).format(**fields)
    candidates = budget_mistakes(old, new, p, rising, reverse)
    difficulty = -0.6 + 0.9 * reverse + 0.2 * (not rising)
    step, time_hint = old * Fraction(5, 100), 90 if reverse else 75
    return Answer(stem, old if reverse else new, candidates, difficulty, step, time_hint)


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


@numeric_template(
    THEME,
    "persentase realisasi",
    "persentase_realisasi",
    time_hint=75,
    fmt=format_percent,
    step=Fraction(5, 2),
)
def realization_percent(rng: StableRng) -> Answer:
    target = rng.choice([80, 120, 160, 200, 240, 250, 320, 400, 480, 500, 600, 800, 1200, 1600])
    # Percentages in steps of 2,5 that give a whole number done.
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
    candidates: list[Number] = [
        100 - percent,
        inverse,
        percent + 5,
        percent - 5,
        percent + Fraction(5, 2),
    ]
    difficulty = -0.5 + 0.4 * (percent.denominator > 1) + 0.0005 * target
    return Answer(stem, percent, candidates, difficulty)


INVERSE_STEMS = [
    "Sebanyak {n} petugas dapat {task} dalam {d} hari. Jika pekerjaan itu dikerjakan {m} "
    "petugas dengan kecepatan kerja yang sama, waktu yang diperlukan adalah ... hari.",
    "{agency} menugaskan {n} orang untuk {task}, dan pekerjaan itu selesai dalam {d} hari. "
    "Berapa hari yang dibutuhkan bila petugasnya {m} orang?",
    "Pekerjaan {task} diselesaikan {n} pegawai dalam {d} hari. Dengan {m} pegawai yang bekerja "
    "sama cepatnya, pekerjaan yang sama selesai dalam berapa hari?",
]


@numeric_template(
    THEME, "perbandingan berbalik nilai", "berbalik_nilai", time_hint=75, valid=positive_whole
)
def inverse_proportion(rng: StableRng) -> Answer:
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
    candidates: list[Number] = [
        Fraction(days * other_workers, workers),
        days + workers - other_workers,
        key + 1,
        key - 1,
        days,
    ]
    return Answer(stem, key, candidates, -0.2 + 0.01 * total / 4)


QUOTA_STEMS = [
    "Kuota peserta {event} adalah {quota} orang. Pada minggu pertama {p}% kuota terisi, dan pada "
    "minggu kedua {q}% dari sisa kuota terisi. Berapa kuota yang masih tersisa?",
    "Untuk {event} disediakan {quota} kursi. Sebanyak {p}% kursi terisi pada hari pertama, lalu "
    "{q}% dari kursi yang tersisa terisi pada hari kedua. Sisa kursinya adalah ....",
    "Panitia {event} membuka {quota} tempat. Tahap pertama mengisi {p}% tempat, tahap kedua "
    "mengisi {q}% dari tempat yang belum terisi. Tempat yang masih kosong sebanyak ....",
]


@numeric_template(
    THEME, "persentase bertahap", "sisa_kuota", time_hint=90, valid=positive_whole, step=10
)
def quota_remaining(rng: StableRng) -> Answer:
    p, q = rng.choice([20, 25, 30, 40, 50, 60]), rng.choice([10, 20, 25, 50])
    quota = 400 * rng.randint(1, 8)  # 400 keeps two successive percentages whole
    after_first = quota * Fraction(100 - p, 100)
    key = after_first * Fraction(100 - q, 100)
    naive = quota * Fraction(100 - p - q, 100)
    stem = rng.choice(QUOTA_STEMS).format(
        event=rng.choice(EVENTS), quota=format_number(quota), p=p, q=q
    )
    candidates: list[Number] = [
        naive,
        after_first,
        quota - key,
        after_first * Fraction(q, 100),
        key + 10,
    ]
    return Answer(stem, key, candidates, 0.4 + 0.002 * (p + q))


COST_STEMS = [
    "Biaya konsumsi rapat koordinasi untuk {a} peserta adalah {cost}. Dengan harga per peserta "
    "yang sama, biaya konsumsi untuk {b} peserta adalah ....",
    "{agency} membayar {cost} untuk mencetak {a} buku panduan. Berapa biaya mencetak {b} buku "
    "panduan yang sama?",
    "Untuk {a} paket seminar kit dibutuhkan dana {cost}. Jika dibutuhkan {b} paket, dana yang "
    "harus disiapkan adalah ....",
]


@money_template(THEME, "perbandingan senilai", "senilai", time_hint=60)
def direct_proportion(rng: StableRng) -> Answer:
    unit_cost = 500 * rng.randint(20, 160)
    a, b = rng.randint(12, 60), rng.randint(15, 120)
    while b == a:
        b = rng.randint(15, 120)
    cost = unit_cost * a
    key = unit_cost * b
    stem = rng.choice(COST_STEMS).format(
        a=a, b=b, cost=format_rupiah(cost), agency=rng.choice(AGENCIES)
    )
    candidates: list[Number] = [
        Fraction(cost * a, b),
        cost + (b - a) * 1000,
        key + unit_cost,
        key - unit_cost,
        cost * b // 10,
    ]
    return Answer(stem, key, candidates, -1.0 + 0.004 * (a + b), step=unit_cost)


TEMPLATES: list[Template] = [
    ratio_split,
    budget_change,
    realization_percent,
    inverse_proportion,
    quota_remaining,
    direct_proportion,
]
