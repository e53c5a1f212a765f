"""Theme `soal cerita`: short office stories about work, travel, averages, money and schedules."""

from __future__ import annotations

import math
from fractions import Fraction

from question_bank.generators.common import StableRng, Template, format_number, format_rupiah
from question_bank.generators.numerik.answers import (
    Answer,
    Number,
    money_template,
    numeric_template,
    positive_whole,
)
from question_bank.generators.numerik.word_lists import (
    AGENCIES,
    DESTINATIONS,
    EVENTS,
    NAMES,
    ORIGINS,
    TASKS,
)

THEME = "soal cerita"

# Pairs whose joint time x·y/(x+y) is a whole number of days.
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


def days_text(value: Fraction) -> str:
    return f"{format_number(value)} hari"


@numeric_template(
    THEME, "kerja bersama", "kerja_bersama", time_hint=90, fmt=days_text, valid=positive_whole
)
def joint_work(rng: StableRng) -> Answer:
    x, y = rng.choice(JOINT_WORK_PAIRS)
    key = x * y // (x + y)
    first, second = rng.sample(NAMES, 2)
    stem = rng.choice(JOINT_STEMS).format(
        p1=first, p2=second, x=x, y=y, task=rng.choice(TASKS), agency=rng.choice(AGENCIES)
    )
    candidates: list[Number] = [Fraction(x + y, 2), y - x, key + 1, key - 1, Fraction(x, 2)]
    return Answer(stem, key, candidates, 0.3 + 0.01 * y)


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


@numeric_template(
    THEME, "jarak, waktu, dan kecepatan", "waktu_tempuh", time_hint=90, fmt=clock_text, step=15
)
def travel_time(rng: StableRng) -> Answer:
    speed = rng.choice([40, 48, 50, 60, 72])
    durations = [m for m in range(45, 241, 15) if (speed * m) % 60 == 0 and m % 60]
    duration = rng.choice(durations)
    distance = speed * duration // 60
    start = 60 * rng.randint(6, 10) + 15 * rng.randint(0, 3)
    # Reading 1,75 hours as 1 hour 75 minutes is the mistake this item is about.
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
    candidates: list[Number] = [
        start + misread,
        start + duration + 30,
        start + duration - 30,
        start + 60,
    ]
    difficulty = 0.0 + 0.4 * (duration % 30 != 0) + 0.002 * distance
    return Answer(stem, start + duration, candidates, difficulty)


AVERAGE_STEMS = [
    "Rata-rata nilai ujian dinas {n} pegawai adalah {r}. Setelah nilai {p} dimasukkan, "
    "rata-ratanya menjadi {r2}. Nilai {p} adalah ....",
    "Dalam seleksi internal, {n} peserta memperoleh nilai rata-rata {r}. Ketika nilai {p} "
    "ikut dihitung, rata-rata naik menjadi {r2}. Berapa nilai yang diperoleh {p}?",
    "Nilai rata-rata {n} peserta pelatihan adalah {r}. Satu peserta susulan, {p}, membuat "
    "rata-rata seluruh peserta menjadi {r2}. Tentukan nilai {p}.",
]


@numeric_template(THEME, "rata-rata", "rata_rata", time_hint=90, valid=positive_whole)
def new_average(rng: StableRng) -> Answer:
    count = rng.randint(4, 14)
    average = rng.randint(60, 80)
    rise = rng.randint(1, 2)
    new = average + rise
    key = new * (count + 1) - average * count
    while key > 100:  # a test score above 100 is impossible: fewer people, a smaller rise
        count = max(3, count - 2)
        rise = 1
        new = average + rise
        key = new * (count + 1) - average * count
    stem = rng.choice(AVERAGE_STEMS).format(n=count, r=average, r2=new, p=rng.choice(NAMES))
    candidates: list[Number] = [
        new + rise,
        2 * new - average,
        new * count - average * (count - 1),
        key + 1,
    ]
    return Answer(stem, key, candidates, 0.2 + 0.05 * count)


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


@money_template(THEME, "belanja kebutuhan kantor", "kembalian_belanja", time_hint=90, step=5_000)
def shopping_change(rng: StableRng) -> Answer:
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
    candidates: list[Number] = [
        paid - count1 * price1 - price2,
        key + price2,
        key - price1,
        key + 10_000,
        key - 5_000,
    ]
    return Answer(stem, key, candidates, -0.7 + 0.03 * (count1 + count2))


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


@numeric_template(
    THEME, "kelipatan persekutuan", "jadwal_bersama", time_hint=80, valid=positive_whole
)
def common_schedule(rng: StableRng) -> Answer:
    x, y, z = sorted(rng.sample(range(2, 16), 3))
    key = math.lcm(x, y, z)
    # The product as answer would make the common multiple a guess rather than a calculation.
    while key > 400 or key == x * y * z:
        x, y, z = sorted(rng.sample(range(2, 16), 3))
        key = math.lcm(x, y, z)
    p1, p2, p3 = rng.sample(NAMES, 3)
    stem = rng.choice(SCHEDULE_STEMS).format(
        x=x, y=y, z=z, p1=p1, p2=p2, p3=p3, agency=rng.choice(AGENCIES)
    )
    candidates: list[Number] = [x * y * z, x + y + z, math.lcm(x, y) * z, key // 2, key + x]
    return Answer(stem, key, candidates, 0.0 + 0.002 * key)


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


@numeric_template(THEME, "jumlah dan selisih", "jumlah_selisih", time_hint=75, valid=positive_whole)
def sum_and_difference(rng: StableRng) -> Answer:
    smaller, diff = rng.randint(8, 60), rng.randint(2, 30)
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
    candidates: list[Number] = [other, Fraction(total, 2), total - diff, key + diff, key + 1]
    return Answer(stem, key, candidates, -0.4 + 0.2 * (not ask_larger))


HONOR_STEMS = [
    "Honorarium narasumber {event} adalah {rate} per jam. {p} mengisi {h} jam dan honornya "
    "dipotong pajak {t}%. Honor bersih yang diterima {p} adalah ....",
    "{agency} mengundang {p} sebagai narasumber {event} selama {h} jam dengan honor {rate} per "
    "jam. Setelah dipotong PPh {t}%, berapa yang diterima {p}?",
]


@money_template(THEME, "honorarium dan pajak", "honor_bersih", time_hint=80, step=10_000)
def net_honorarium(rng: StableRng) -> Answer:
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
    candidates: list[Number] = [
        gross,
        gross * Fraction(tax, 100),
        rate * Fraction(100 - tax, 100),
        key - rate,
    ]
    return Answer(stem, key, candidates, -0.3 + 0.1 * hours / 2)


TEMPLATES: list[Template] = [
    joint_work,
    travel_time,
    new_average,
    shopping_change,
    common_schedule,
    sum_and_difference,
    net_honorarium,
]
