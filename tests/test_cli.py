"""The `proasn` command line against a database of its own (a copy of the migrated template)."""

import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.bank.models import Item
from app.cli import app
from app.db import make_engine
from app.exams.models import Form, Participant
from tests.bank.factories import bank_of, keyed_item, write_bank
from tests.exams.factories import (
    event_data,
    participant,
    valid_nip,
    write_event_file,
    write_participants_csv,
    write_participants_xlsx,
)

runner = CliRunner()


def run(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def count(url: str, model) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_bank_validate_reports_every_problem_and_exits_1(tmp_path: Path) -> None:
    root = write_bank(tmp_path / "b", [keyed_item("V1", 1, key="Z"), keyed_item("V1", 2)])
    result = run("bank", "validate", root)
    assert result.exit_code == 1
    assert "b/items.yaml [V1] key: kunci 'Z' tidak ada di antara pilihan" in result.output
    assert "b/items.yaml [V1] id: id ganda" in result.output


def test_bank_validate_of_a_banks_parent_names_the_bank_in_one_line(tmp_path: Path) -> None:
    """Before: `bank validate question_bank` printed ~300 lines, never naming the bank."""
    bank_of(tmp_path / "banks" / "sample", verbal=3)
    result = run("bank", "validate", tmp_path / "banks")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("GALAT")]
    bank = tmp_path / "banks" / "sample"
    assert lines == [
        f"GALAT {tmp_path / 'banks'} path: bukan folder bank (tidak ada subtests.yaml di sini); "
        f"bank ada di: {bank} ({bank / 'subtests.yaml'})"
    ]


def test_bank_validate_accepts_a_good_bank(tmp_path: Path) -> None:
    result = run("bank", "validate", bank_of(tmp_path / "b", verbal=3))
    assert result.exit_code == 0, result.output
    assert "3 butir sah, 0 galat" in result.output


def test_strict_validation_fails_on_warnings(tmp_path: Path) -> None:
    stem = "Apa arti kata kebijakan dalam kalimat rapat dinas pagi ini?"
    root = write_bank(
        tmp_path / "b", [keyed_item("V1", 1, stem=stem), keyed_item("V2", 2, stem=stem)]
    )
    assert run("bank", "validate", root).exit_code == 0
    strict = run("bank", "validate", root, "--strict")
    assert strict.exit_code == 1 and "PERINGATAN" in strict.output


def test_bank_import_is_idempotent(use_database: str, tmp_path: Path) -> None:
    root = bank_of(tmp_path / "b", verbal=4, sjt=2)
    first = run("bank", "import", root)
    assert first.exit_code == 0, first.output
    assert "Baru 6" in first.output
    second = run("bank", "import", root)
    assert second.exit_code == 0 and "Tidak ada perubahan: 6 butir" in second.output
    assert count(use_database, Item) == 6


def test_bank_import_of_a_bad_bank_writes_nothing(use_database: str, tmp_path: Path) -> None:
    root = write_bank(tmp_path / "b", [keyed_item("V1", 1), keyed_item("V2", 2, key="Q")])
    result = run("bank", "import", root)
    assert result.exit_code == 1 and "Tidak ada yang diimpor" in result.output
    assert count(use_database, Item) == 0


@pytest.fixture
def loaded_bank(use_database: str, tmp_path: Path) -> str:
    assert run("bank", "import", bank_of(tmp_path / "bank", verbal=10, sjt=6)).exit_code == 0
    return use_database


def test_event_import_from_csv_writes_access_codes_file(loaded_bank: str, tmp_path: Path) -> None:
    event_file = write_event_file(tmp_path / "acara.yaml", event_data())
    people = write_participants_csv(tmp_path / "peserta.csv", [participant(1), participant(2)])
    codes = tmp_path / "kode.csv"
    result = run("event", "import", event_file, "--participants", people, "--codes-out", codes)
    assert result.exit_code == 0, result.output
    assert "peserta baru 2" in result.output and "2 kode akses baru" in result.output
    lines = codes.read_text().splitlines()
    assert lines[0] == "nip,nama,sesi,kode_akses" and len(lines) == 3
    assert stat.S_IMODE(codes.stat().st_mode) == 0o600
    assert count(loaded_bank, Participant) == 2


def test_event_import_from_xlsx_with_semicolons_and_spaces(
    loaded_bank: str, tmp_path: Path
) -> None:
    event_file = write_event_file(tmp_path / "acara.yaml", event_data())
    spaced = participant(
        1,
        nip=f"{valid_nip(1)[:8]} {valid_nip(1)[8:14]} {valid_nip(1)[14]} {valid_nip(1)[15:]}",
    )
    people = write_participants_xlsx(tmp_path / "peserta.xlsx", [spaced, participant(2)])
    result = run("event", "import", event_file, "-p", people)
    assert result.exit_code == 0, result.output
    assert count(loaded_bank, Participant) == 2


def test_semicolon_csv_is_read(loaded_bank: str, tmp_path: Path) -> None:
    event_file = write_event_file(tmp_path / "acara.yaml", event_data())
    people = write_participants_csv(tmp_path / "p.csv", [participant(1)], sep=";")
    assert run("event", "import", event_file, "-p", people).exit_code == 0


def test_excel_number_nip_is_refused_with_a_hint(loaded_bank: str, tmp_path: Path) -> None:
    event_file = write_event_file(tmp_path / "acara.yaml", event_data())
    people = write_participants_xlsx(
        tmp_path / "p.xlsx",
        [{**participant(1), "nip": 1.97805122003121e17}],
    )
    result = run("event", "import", event_file, "-p", people)
    assert result.exit_code == 1
    assert "baris 2, kolom nip: NIP tersimpan sebagai angka" in result.output


def test_event_import_with_bad_rows_lists_them_and_imports_nothing(
    loaded_bank: str, tmp_path: Path
) -> None:
    event_file = write_event_file(tmp_path / "acara.yaml", event_data())
    people = write_participants_csv(
        tmp_path / "p.csv",
        [participant(1), participant(2, nip="19780512 200312 3 001"), participant(3, session="X")],
    )
    result = run("event", "import", event_file, "-p", people)
    assert result.exit_code == 1
    assert "baris 3, kolom nip: NIP tidak sah" in result.output
    assert "baris 4, kolom session: sesi 'X' tidak dikenal" in result.output
    assert count(loaded_bank, Participant) == 0


def test_invalid_event_file_reports_field_paths(loaded_bank: str, tmp_path: Path) -> None:
    data = event_data()
    data["sessions"][1]["time_zone"] = "Asia/Tokyo"
    del data["blueprint"]["total_time_minutes"]
    data["tema"] = "x"
    event_file = write_event_file(tmp_path / "acara.yaml", data)
    people = write_participants_csv(tmp_path / "p.csv", [participant(1)])
    result = run("event", "import", event_file, "-p", people)
    assert result.exit_code == 1
    assert "blueprint.total_time_minutes: wajib diisi, tetapi tidak ada" in result.output
    assert "sessions[2].time_zone: zona waktu harus salah satu dari Asia/Jakarta" in result.output
    assert "tema: bukan isian yang dikenal (periksa ejaan dan letaknya)" in result.output
    assert "Field required" not in result.output and "Extra inputs" not in result.output


def test_missing_column_is_reported(loaded_bank: str, tmp_path: Path) -> None:
    event_file = write_event_file(tmp_path / "acara.yaml", event_data())
    people = tmp_path / "p.csv"
    people.write_text("nip,nama\n197805122003121001,Budi\n")
    result = run("event", "import", event_file, "-p", people)
    assert (
        result.exit_code == 1
        and "baris 1, kolom agency, position, eselon, session" in result.output
    )


def test_prepare_and_show(loaded_bank: str, tmp_path: Path) -> None:
    event_file = write_event_file(tmp_path / "acara.yaml", event_data())
    people = write_participants_csv(tmp_path / "p.csv", [participant(n) for n in range(1, 4)])
    assert run("event", "import", event_file, "-p", people).exit_code == 0
    result = run("event", "prepare", "proasn-uji", "--session", "S1")
    assert result.exit_code == 0, result.output
    assert "Sesi S1: 3 formulir diundi" in result.output
    assert count(loaded_bank, Form) == 3
    shown = run("event", "show", "proasn-uji")
    assert "sesi S1: 2026-12-01 08:00 WITA" in shown.output and "formulir 3" in shown.output
    assert "sesi S2: 2026-12-01 13:00 WIT" in shown.output


def test_prepare_unknown_event_or_session(loaded_bank: str) -> None:
    assert run("event", "prepare", "tidak-ada").exit_code == 1


def test_db_upgrade_is_safe_to_repeat(use_database: str) -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0 and "mutakhir" in result.output


def test_demo_builds_data_without_serving(use_database: str) -> None:
    result = run("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    assert "token ruang:" in result.output and "19780512 200312 1 001" in result.output
    assert count(use_database, Form) == 35  # 5 to sit the test now, 30 simulated yesterday
    accommodated = _participant(use_database, "198807072010012004")
    assert (accommodated.extra_time_percent, accommodated.large_print) == (50, True)
    assert "analyst: analis" in result.output and "proctor: pengawas1" in result.output
    history = result.output.split("pejabat sesi selesai DEMO-0", 1)[1].splitlines()[1:3]
    assert len(history) == 2 and all(line.count(" — ") == 2 for line in history)
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.scoring.test_selfview import look_up

    nip, name, code = (part.strip() for part in history[0].split(" — "))
    with TestClient(create_app()) as client:
        page = look_up(client, nip.replace(" ", ""), code)
    assert page.status_code == 200 and name in page.text  # the printed code opens the self-view
    again = run("demo", "--no-serve")  # re-running keeps the same event
    assert again.exit_code == 0, again.output
    assert count(use_database, Participant) == 35
    from app.scoring.models import ScoreRecord, ScoringRun

    assert count(use_database, ScoringRun) == 1 and count(use_database, ScoreRecord) == 35


def _participant(url: str, nip: str) -> Participant:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.db import make_engine

    engine = make_engine(url)
    try:
        with Session(engine) as db:
            return db.scalars(select(Participant).where(Participant.nip == nip)).one()
    finally:
        engine.dispose()
