"""Imports (all or nothing, every bad row) and placement in simple mode."""

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import Actor
from app.exports.schema import columns
from app.talentbox import files, placement, repository, service
from app.talentbox.models import PotencyRow
from tests.exams.factories import valid_nip
from tests.statements import recorded

ANALYST = Actor(None, "analis", "analyst")
LEVELS = ["tinggi", "menengah", "rendah", "tinggi", None]


def potency_csv(levels: Sequence[str | None] = LEVELS) -> bytes:
    header = columns(["verbal"])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    for n, level in enumerate(levels, start=1):
        writer.writerow(
            {c: "" for c in header}
            | {
                "schema_version": "1",
                "scoring_run_id": "r1",
                "scoring_run_number": "1",
                "event_code": "proasn-uji",
                "nip": valid_nip(n),
                "name": f"Pejabat {n}",
                "agency_code": "7371",
                "agency_name": "Kota Makassar",
                "position": "Kabid",
                "eselon": "III.a",
                "attempt_status": "submitted" if level else "not_started",
                "potency_level": level or "",
                "composite_percentile": "70" if level else "",
            }
        )
    return buffer.getvalue().encode()


PERFORMANCE = (
    "nip;periode;predikat;hasil_kerja;perilaku_kerja\n"
    f"{valid_nip(1)};2026;Sangat Baik;;\n"
    f"{valid_nip(2)};2026;;sesuai ekspektasi;di atas ekspektasi\n"
    f"{valid_nip(3)};2026;Sangat Kurang;;\n"
    f"{valid_nip(5)};2026;Baik;;\n"
    f"{valid_nip(9)};2026;Baik;;\n"
).encode()


def test_simple_placement_boxes_and_one_sided_nips(db_session: Session) -> None:
    potency = service.import_potency(db_session, ANALYST, "skor.csv", potency_csv())
    performance = service.import_performance(db_session, ANALYST, "skp.csv", PERFORMANCE)
    run = placement.place(db_session, ANALYST, potency.id, performance.id, 2026)
    placed = {p.nip: p for p in repository.placements(db_session, run.id)}
    assert placed[valid_nip(1)].box == 9  # tinggi × Sangat Baik (di atas)
    assert placed[valid_nip(2)].box == 5 and placed[valid_nip(2)].predicate == "Baik"
    assert placed[valid_nip(3)].box == 1  # rendah × Sangat Kurang
    assert "succession_pool" in placed[valid_nip(1)].groups
    assert run.only_potency == [valid_nip(4)]  # no SKP for person 4
    assert run.only_performance == sorted([valid_nip(5), valid_nip(9)])  # 5 not assessed, 9 absent
    assert run.inputs["potency"] == files.checksum(potency_csv())
    assert repository.box_counts(db_session, run.id) == {9: 1, 5: 1, 1: 1}


def test_bad_performance_rows_are_all_reported_and_nothing_imported(db_session: Session) -> None:
    bad = (
        "nip,periode,predikat,hasil_kerja,perilaku_kerja\n"
        f"{valid_nip(1)},2026,Luar Biasa,,\n"
        "12345,2026,Baik,,\n"
        f"{valid_nip(2)},20xx,Baik,,\n"
        f"{valid_nip(3)},2026,,sesuai,\n"
        f"{valid_nip(4)},2026,Baik,,\n"
        f"{valid_nip(4)},2026,Baik,,\n"
        f"{valid_nip(6)},2026,Sangat Baik,di bawah ekspektasi,di bawah ekspektasi\n"
        f"{valid_nip(7)},2026,Baik,sesuai,sesuai\n"
    ).encode()
    with pytest.raises(files.FileRejected) as rejected:
        service.import_performance(db_session, ANALYST, "skp.csv", bad)
    assert [(p.row, p.column) for p in rejected.value.problems] == [
        (2, "predikat"),
        (3, "nip"),
        (4, "periode"),
        (5, "perilaku_kerja"),
        (7, "nip"),
        (8, "predikat"),  # Sangat Baik contradicts the matrix (→ Sangat Kurang); row 9 agrees
    ]
    assert repository.performance_imports(db_session) == []


def test_potency_file_must_be_the_scores_export(db_session: Session) -> None:
    with pytest.raises(files.FileRejected) as rejected:
        service.import_potency(db_session, ANALYST, "x.csv", b"nip,name\n1,2\n")
    assert (
        rejected.value.problems[0].row == 1
        and "schema_version" in rejected.value.problems[0].column
    )
    assert db_session.scalar(select(PotencyRow)) is None


def test_potency_in_every_export_format(db_session: Session, tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = list(csv.DictReader(io.StringIO(potency_csv().decode())))
    ndjson = "\n".join(__import__("json").dumps(r) for r in rows).encode()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for r in rows:
        sheet.append(list(r.values()))
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    for name, content in (("a.ndjson", ndjson), ("a.xlsx", xlsx.getvalue())):
        batch = service.import_potency(db_session, ANALYST, name, content)
        assert batch.rows == 5


def test_placement_touches_only_its_own_tables(db_session: Session) -> None:
    from tests.talentbox.test_weighted import PROFILE

    with recorded(db_session.connection()) as statements:
        potency = service.import_potency(db_session, ANALYST, "skor.csv", potency_csv())
        performance = service.import_performance(db_session, ANALYST, "skp.csv", PERFORMANCE)
        run = placement.place(db_session, ANALYST, potency.id, performance.id, 2026)
        repository.placements(db_session, run.id)
        repository.box_counts(db_session, run.id)
        profile = service.import_profile(db_session, ANALYST, "profil.csv", PROFILE)
        records = repository.profile_records(db_session, profile.id)
        service.set_verification(db_session, ANALYST, records[:2], "rejected", "bukti kurang")
        options = placement.RunOptions(mode="weighted", profile_import_id=profile.id)
        weighted = placement.place(
            db_session, ANALYST, potency.id, performance.id, 2026, options=options
        )
        repository.history_of(db_session, valid_nip(1))
        assert repository.box_counts(db_session, weighted.id)
    tables = {
        t for s in statements for t in re.findall(r'(?:from|join|into|update)\s+"?(\w+)', s.lower())
    }
    assert tables and all(t.startswith("talentbox_") or t == "audit_log" for t in tables), tables


def test_the_demo_performance_file_matches_the_demo_officials() -> None:
    from app.demo_history import simulated_participants
    from app.talentbox.settings import load_settings

    path = Path(__file__).resolve().parents[2] / "docs/examples/demo-skp-2026.csv"
    rows = files.read_performance(path.name, path.read_bytes(), load_settings())
    demo = {nip for nip, *_ in simulated_participants(0, "DEMO-0")}
    nips = [r["nip"] for r in rows]
    assert set(nips[:-1]) == demo and nips[-1] not in demo  # one rating without a test
    assert any(r["rating_results"] for r in rows)  # some rows give the two ratings


def test_a_potency_level_its_stanine_contradicts_is_refused() -> None:
    """Before: `talenta import-potency` took stanine 9 with level rendah."""
    levels = ["tinggi", "rendah", "menengah", "menengah", "tinggi", "rendah", "menengah"]
    stanines = ["9", "9", "5", "5", "5", "6", "2"]
    text = potency_csv(levels).decode()
    lines = text.splitlines()
    header = lines[0].split(",")
    where = header.index("stanine")
    rows = []
    for line, stanine in zip(lines[1:], stanines, strict=True):
        cells = line.split(",")
        cells[where] = stanine
        rows.append(",".join(cells))
    content = "\n".join([lines[0], *rows]).encode() + b"\n"
    with pytest.raises(files.FileRejected) as rejected:
        files.read_potency("skor.csv", content)
    found = {(p.row, p.column): p.message for p in rejected.value.problems}
    assert found == {
        (3, "potency_level"): "stanine 9 selalu bertingkat tinggi, bukan rendah",
        (6, "potency_level"): "stanine 5 bertingkat menengah di 2 baris lain, di sini tinggi",
        (7, "potency_level"): "stanine 6 bertingkat rendah, padahal stanine 5 bertingkat menengah",
    }
