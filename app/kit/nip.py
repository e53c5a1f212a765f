"""NIP (Nomor Induk Pegawai) of a civil servant: `YYYYMMDD YYYYMM G NNN`, 18 digits.

Birth date; year and month of appointment as candidate civil servant (at least 18 years after
the birth year, not in the future); sex 1 or 2; sequence 001-999. The NIK's "+40 for women" rule
does not apply here. Contract staff (PPPK) numbers are 18 digits too but fail these checks.
"""

from dataclasses import dataclass
from datetime import date

from app.kit import clock

PPPK_HINT = "nomor PPPK dan nomor lain yang bukan NIP PNS tidak diterima"


class InvalidNIP(ValueError):
    """Raised with a message that says which part of the NIP is wrong."""


@dataclass(frozen=True)
class NIP:
    digits: str
    birth_date: date
    appointment_year: int
    appointment_month: int
    sex: int
    sequence: int

    def formatted(self) -> str:
        d = self.digits
        return f"{d[:8]} {d[8:14]} {d[14]} {d[15:]}"


def parse_nip(raw: str, today: date | None = None) -> NIP:
    """Parse and validate a NIP given with or without spaces; raise InvalidNIP otherwise."""
    digits = "".join(str(raw).split())
    if not digits.isdigit() or not digits.isascii():
        raise InvalidNIP("NIP hanya boleh berisi angka (spasi diperbolehkan)")
    if len(digits) != 18:
        raise InvalidNIP(f"NIP harus 18 digit, bukan {len(digits)}")
    today = today or clock.now().date()
    birth = _birth_date(digits[:8])
    year, month = int(digits[8:12]), int(digits[12:14])
    _check_appointment(birth, year, month, today)
    sex = int(digits[14])
    if sex not in (1, 2):
        raise InvalidNIP(f"digit jenis kelamin (ke-15) harus 1 atau 2, bukan {sex}; {PPPK_HINT}")
    sequence = int(digits[15:])
    if sequence == 0:
        raise InvalidNIP(f"nomor urut (3 digit terakhir) harus 001-999; {PPPK_HINT}")
    return NIP(digits, birth, year, month, sex, sequence)


def normalise_nip(raw: str, today: date | None = None) -> str:
    return parse_nip(raw, today).digits


def _birth_date(part: str) -> date:
    try:
        return date(int(part[:4]), int(part[4:6]), int(part[6:8]))
    except ValueError:
        raise InvalidNIP(
            f"tanggal lahir (8 digit pertama) {part} bukan tanggal yang sah; {PPPK_HINT}"
        ) from None


def _check_appointment(birth: date, year: int, month: int, today: date) -> None:
    if not 1 <= month <= 12:
        raise InvalidNIP(f"bulan pengangkatan CPNS (digit 13-14) harus 01-12, bukan {month:02d}")
    if year < birth.year + 18:
        raise InvalidNIP(
            f"tahun pengangkatan CPNS {year} kurang dari 18 tahun setelah tahun lahir "
            f"{birth.year}; {PPPK_HINT}"
        )
    if (year, month) > (today.year, today.month):
        raise InvalidNIP(f"bulan pengangkatan CPNS {year}-{month:02d} ada di masa depan")
