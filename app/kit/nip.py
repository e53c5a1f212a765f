"""NIP (Nomor Induk Pegawai) of a civil servant: `YYYYMMDD YYYYMM G NNN`, 18 digits.

Birth date; year and month of appointment as candidate civil servant (at least 18 years after
the birth year, not in the future); sex 1 or 2; sequence 001-999. The NIK's "+40 for women" rule
does not apply here. Contract staff (PPPK) numbers are 18 digits too but fail these checks.
"""

from dataclasses import dataclass
from datetime import date

from app.i18n import N_, translate
from app.kit import clock

PPPK_HINT = N_("PPPK numbers and other numbers that are not a PNS NIP are not accepted")


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
        raise InvalidNIP(translate(N_("a NIP may hold only digits (spaces allowed)")))
    if len(digits) != 18:
        raise InvalidNIP(translate(N_("a NIP has 18 digits, not %(n)s"), {"n": len(digits)}))
    today = today or clock.now().date()
    birth = _birth_date(digits[:8])
    year, month = int(digits[8:12]), int(digits[12:14])
    _check_appointment(birth, year, month, today)
    sex = int(digits[14])
    if sex not in (1, 2):
        raise InvalidNIP(_hinted(N_("the sex digit (15th) must be 1 or 2, not %(sex)s"), sex=sex))
    sequence = int(digits[15:])
    if sequence == 0:
        raise InvalidNIP(_hinted(N_("the sequence number (last 3 digits) must be 001-999")))
    return NIP(digits, birth, year, month, sex, sequence)


def _hinted(message: str, **params: object) -> str:
    """The message, then the hint that a PPPK number is not a NIP (in the current language)."""
    return f"{translate(message, params)}; {translate(PPPK_HINT)}"


def normalise_nip(raw: str, today: date | None = None) -> str:
    return parse_nip(raw, today).digits


def _birth_date(part: str) -> date:
    try:
        return date(int(part[:4]), int(part[4:6]), int(part[6:8]))
    except ValueError:
        message = N_("the birth date (first 8 digits) %(part)s is not a valid date")
        raise InvalidNIP(_hinted(message, part=part)) from None


def _check_appointment(birth: date, year: int, month: int, today: date) -> None:
    if not 1 <= month <= 12:
        message = N_("the CPNS appointment month (digits 13-14) must be 01-12, not %(month)s")
        raise InvalidNIP(translate(message, {"month": f"{month:02d}"}))
    if year < birth.year + 18:
        message = N_(
            "the CPNS appointment year %(year)s is less than 18 years after the birth year "
            "%(birth)s"
        )
        raise InvalidNIP(_hinted(message, year=year, birth=birth.year))
    if (year, month) > (today.year, today.month):
        message = N_("the CPNS appointment month %(month)s is in the future")
        raise InvalidNIP(translate(message, {"month": f"{year}-{month:02d}"}))
