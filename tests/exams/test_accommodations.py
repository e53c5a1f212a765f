"""Accommodations in the participant file: extra time (a percentage) and large print."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.exams.models import Participant
from app.exams.participant_file import read_participant_file
from app.exams.registration import parse_extra_time, parse_large_print
from app.exams.service import EventImportRejected, import_event
from app.kit.clock import FrozenClock, use_clock
from tests.bank.factories import bank_of
from tests.exams.factories import event_doc, participant, rows, valid_nip


@pytest.fixture(autouse=True)
def frozen_clock():
    with use_clock(FrozenClock(datetime(2026, 11, 28, 2, 0, tzinfo=UTC))) as c:
        yield c


@pytest.fixture
def bank(db_session: Session, tmp_path: Path) -> Path:
    root = bank_of(tmp_path / "bank", verbal=12, numerik=6, sjt=8)
    import_bank(db_session, load_bank(root))
    return root


def stored(db: Session) -> dict[str, tuple[int, bool]]:
    people = db.scalars(select(Participant))
    return {p.nip: (p.extra_time_percent, p.large_print) for p in people}


@pytest.mark.parametrize(
    ("raw", "percent"),
    [
        ("", 0),
        ("0", 0),
        ("25", 25),
        ("25%", 25),
        (" 50 % ", 50),
        ("100", 100),
        ("#NUMBER:25.0", 25),
    ],
)
def test_extra_time_is_a_whole_percentage_up_to_100(raw: str, percent: int) -> None:
    assert parse_extra_time(raw) == percent


@pytest.mark.parametrize("raw", ["101", "-5", "12.5", "0,25", "dua puluh", "#NUMBER:0.25"])
def test_extra_time_refuses_anything_else(raw: str) -> None:
    with pytest.raises(ValueError, match="tambahan_waktu_persen .* tidak sah: tulis bilangan"):
        parse_extra_time(raw)


@pytest.mark.parametrize(
    ("raw", "large"),
    [("ya", True), ("Ya", True), ("yes", True), ("TRUE", True), ("tidak", False), ("", False)],
)
def test_large_print_is_ya_or_tidak(raw: str, large: bool) -> None:
    assert parse_large_print(raw) is large


def test_a_csv_with_the_optional_columns_is_read_and_stored(
    db_session: Session, bank: Path, tmp_path: Path
) -> None:
    path = tmp_path / "peserta.csv"
    header = "nip;nama;instansi;jabatan;eselon;sesi;tambahan_waktu_persen;cetak_besar"
    lines = [
        header,
        f"{valid_nip(1)};Peserta 1;7371;Kepala Seksi;IV.a;S1;25;ya",
        f"{valid_nip(2)};Peserta 2;7371;Kepala Seksi;IV.a;S1;;",
        f"{valid_nip(3)};Peserta 3;7371;Kepala Seksi;IV.a;S1",  # a short row: both empty
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_event(db_session, event_doc(), read_participant_file(path))
    assert stored(db_session) == {
        valid_nip(1): (25, True),
        valid_nip(2): (0, False),
        valid_nip(3): (0, False),
    }


def test_an_xlsx_number_cell_is_a_percentage(
    db_session: Session, bank: Path, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["nip", "nama", "instansi", "jabatan", "eselon", "sesi", "extra_time_percent"])
    sheet.append([valid_nip(1), "Peserta 1", "7371", "Kepala Seksi", "IV.a", "S1", 30])
    sheet.append([valid_nip(2), "Peserta 2", "7371", "Kepala Seksi", "IV.a", "S1", 40.0])
    workbook.save(tmp_path / "peserta.xlsx")
    import_event(db_session, event_doc(), read_participant_file(tmp_path / "peserta.xlsx"))
    assert stored(db_session) == {valid_nip(1): (30, False), valid_nip(2): (40, False)}


def test_bad_accommodations_are_reported_by_row_and_column_and_nothing_imported(
    db_session: Session, bank: Path
) -> None:
    people = [
        participant(1, extra_time_percent="25", large_print="ya"),
        participant(2, extra_time_percent="150"),  # row 3
        participant(3, large_print="mungkin"),  # row 4
        participant(4, extra_time_percent="-10", large_print="2"),  # row 5: both
    ]
    with pytest.raises(EventImportRejected) as rejected:
        import_event(db_session, event_doc(), rows(*people))
    found = [(p.row, p.column, p.message) for p in rejected.value.row_problems]
    assert found == [
        (
            3,
            "extra_time_percent",
            "tambahan_waktu_persen '150' tidak sah: tulis bilangan "
            "bulat 0-100 (persen dari waktu tes), mis. 25",
        ),
        (4, "large_print", "cetak_besar 'mungkin' tidak sah: tulis 'ya' atau 'tidak'"),
        (
            5,
            "extra_time_percent",
            "tambahan_waktu_persen '-10' tidak sah: tulis bilangan "
            "bulat 0-100 (persen dari waktu tes), mis. 25",
        ),
        (5, "large_print", "cetak_besar '2' tidak sah: tulis 'ya' atau 'tidak'"),
    ]
    assert stored(db_session) == {}


def test_a_reimport_without_the_columns_keeps_them_and_with_them_changes_them(
    db_session: Session, bank: Path
) -> None:
    import_event(
        db_session, event_doc(), rows(participant(1, extra_time_percent="25", large_print="ya"))
    )
    import_event(db_session, event_doc(), rows(participant(1, name="Nama Baru")))
    assert stored(db_session) == {valid_nip(1): (25, True)}
    import_event(
        db_session, event_doc(), rows(participant(1, extra_time_percent="", large_print="tidak"))
    )
    assert stored(db_session) == {valid_nip(1): (0, False)}
