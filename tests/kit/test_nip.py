"""NIP validation exactly as DOMAIN.md describes it."""

import re
from datetime import date

import pytest

from app.kit.nip import InvalidNIP, parse_nip

TODAY = date(2026, 11, 28)


def test_valid_nip_is_parsed_into_its_parts() -> None:
    nip = parse_nip("197805122003121001", TODAY)
    assert nip.birth_date == date(1978, 5, 12)
    assert (nip.appointment_year, nip.appointment_month, nip.sex, nip.sequence) == (2003, 12, 1, 1)
    assert nip.formatted() == "19780512 200312 1 001"


@pytest.mark.parametrize(
    "raw", ["19780512 200312 1 001", " 19780512200312 1001 ", "1978 0512 2003 1210 01"]
)
def test_spaces_are_accepted_and_dropped(raw: str) -> None:
    assert parse_nip(raw, TODAY).digits == "197805122003121001"


def test_women_are_sex_digit_2_without_the_nik_day_offset() -> None:
    assert parse_nip("198203152006042002", TODAY).sex == 2
    with pytest.raises(InvalidNIP, match="tanggal lahir"):
        parse_nip("198203552006042002", TODAY)  # day 15 + 40: NIK rule, not NIP


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("19780512200312100", "18 digit, bukan 17"),
        ("1978051220031210011", "18 digit, bukan 19"),
        ("19780512-200312-1-001", "hanya boleh berisi angka"),
        ("19780230 200312 1 001", "tanggal lahir"),  # 30 February
        ("19781312 200312 1 001", "tanggal lahir"),  # month 13 of birth
        ("19780512 200300 1 001", "bulan pengangkatan CPNS (digit 13-14) harus 01-12, bukan 00"),
        ("19780512 200313 1 001", "harus 01-12, bukan 13"),
        ("19780512 199512 1 001", "kurang dari 18 tahun"),
        ("19780512 202701 1 001", "masa depan"),
        ("19780512 200312 3 001", "jenis kelamin (ke-15) harus 1 atau 2, bukan 3"),
        ("19780512 200312 0 001", "jenis kelamin"),
        ("19780512 200312 1 000", "nomor urut"),
    ],
)
def test_invalid_nips_say_what_is_wrong(raw: str, message: str) -> None:
    with pytest.raises(InvalidNIP, match=re.escape(message)):
        parse_nip(raw, TODAY)


def test_appointment_exactly_eighteen_years_after_birth_year_is_accepted() -> None:
    assert parse_nip("19780512 199601 1 001", TODAY).appointment_year == 1996


def test_current_month_of_appointment_is_not_in_the_future() -> None:
    assert parse_nip("20000101 202611 1 001", TODAY).appointment_month == 11


def test_a_pppk_style_number_is_refused_with_a_clear_message() -> None:
    # PPPK numbers are 18 digits too but follow another layout (year of appointment first).
    with pytest.raises(InvalidNIP, match="PPPK"):
        parse_nip("202105022001012005", TODAY)
