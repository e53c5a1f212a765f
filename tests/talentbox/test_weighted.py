"""Profile components (import, verification) and placement in weighted mode, worked by hand."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.talentbox import files, placement, repository, service
from app.talentbox.models import ProfileRecord
from tests.exams.factories import valid_nip
from tests.talentbox.test_service import ANALYST, potency_csv

P1, P2 = valid_nip(1), valid_nip(2)
SKP = f"nip,periode,predikat\n{P1},2026,Baik\n{P2},2026,Baik\n".encode()
HEADER = "nip,komponen,nilai,keterangan,status,diverifikasi_oleh,diverifikasi_pada\n"
OK = "verified,bkd.sleman,2026-10-05"
# Person 1, worked by hand in the tests below.
PROFILE = (
    HEADER
    + f"{P1},competency_assessment,80,JPM 80%,{OK}\n"
    + f"{P1},competence_development,12,Diklat PIM III,{OK}\n"
    + f"{P1},competence_development,10,Webinar,{OK}\n"
    + f"{P1},job_experience,5,Kabid 5 tahun,{OK}\n"
    + f"{P1},education_level,S2,Magister,{OK}\n"
    + f"{P1},education_level,S3,Doktor (ijazah tidak terbaca),rejected,bkd.sleman,2026-10-05\n"
    + f"{P1},field_match,sesuai,,{OK}\n"
    + f"{P1},awards,provinsi,Satyalancana,{OK}\n"
    + f"{P1},awards,nasional,Penghargaan menteri,unverified,,\n"
    + f"{P1},team_assignments,ketua,Tim reformasi birokrasi,{OK}\n"
    + f"{P1},team_assignments,anggota,Tim SPBE,{OK}\n"
    + f"{valid_nip(7)},awards,instansi,Tanpa tes dan SKP,{OK}\n"
).encode()


@pytest.fixture
def inputs(db_session: Session):
    potency = service.import_potency(db_session, ANALYST, "skor.csv", potency_csv(["tinggi"] * 2))
    performance = service.import_performance(db_session, ANALYST, "skp.csv", SKP)
    profile = service.import_profile(db_session, ANALYST, "profil.csv", PROFILE)
    return potency, performance, profile


def run_with(db: Session, inputs, **options):
    potency, performance, profile = inputs
    opts = placement.RunOptions(mode="weighted", profile_import_id=profile.id, **options)
    run = placement.place(db, ANALYST, potency.id, performance.id, 2026, options=opts)
    return run, {p.nip: p for p in repository.placements(db, run.id)}


def test_weighted_reweight_verified_only(db_session: Session, inputs) -> None:
    run, placed = run_with(db_session, inputs)
    p = placed[P1]
    # potential: (20·80 + 10·100 + 10·50 + 25·70 + 10·80 + 10·100) / 85, integrity missing
    assert p.potential_score == 78.24 and p.potential_level == "menengah"
    # performance: (60·80 + 15·60 + 15·75) / 90, 360° missing; unverified award left out
    assert p.performance_score == 75.83 and p.performance_level == "sesuai"
    assert p.box == 5
    weighted = p.components["weighted"]
    assert weighted["potential"]["missing"] == ["integrity"]
    assert weighted["potential"]["components"]["education_level"]["score"] == 80  # S3 rejected
    assert weighted["performance"]["components"]["awards"]["score"] == 60
    assert run.mode == "weighted" and run.missing_policy == "reweight"
    assert run.include_unverified is False and "profile_records" in run.inputs
    assert run.only_profile == [valid_nip(7)]  # listed, not silently dropped
    # person 2 has no profile records: potency and SKP alone (re-weighted)
    assert placed[P2].potential_score == 70 and placed[P2].performance_score == 80


def test_weighted_zero_policy(db_session: Session, inputs) -> None:
    run, placed = run_with(db_session, inputs, missing_policy="zero")
    assert placed[P1].potential_score == 66.5  # 6650 / 100
    assert placed[P1].performance_score == 68.25
    assert placed[P2].potential_score == 17.5 and placed[P2].potential_level == "rendah"
    assert placed[P2].performance_score == 48  # 60·80 / 100: di bawah
    assert placed[P2].box == 1 and run.missing_policy == "zero"


def test_unverified_records_only_when_the_analyst_chooses(db_session: Session, inputs) -> None:
    run, placed = run_with(db_session, inputs, include_unverified=True)
    # awards = min(100, 60 + 100): (4800 + 1500 + 1125) / 90
    assert placed[P1].performance_score == 82.5 and placed[P1].performance_level == "di_atas"
    assert run.include_unverified is True


def test_verification_changes_the_next_run_not_the_last(db_session: Session, inputs) -> None:
    first, placed = run_with(db_session, inputs)
    award = db_session.scalar(select(ProfileRecord).where(ProfileRecord.value == "nasional"))
    assert award is not None
    assert service.set_verification(db_session, ANALYST, [award], "verified", "SK dicek") == 1
    assert (award.status, award.status_by, award.status_note) == ("verified", "analis", "SK dicek")
    second, again = run_with(db_session, inputs)
    assert again[P1].performance_score == 82.5
    assert placed[P1].performance_score == 75.83  # the first run keeps what it used
    assert first.inputs["profile_records"] != second.inputs["profile_records"]
    actions = db_session.scalars(select(AuditEntry.action)).all()
    assert "talentbox.profile_verified" in actions
    assert service.set_verification(db_session, ANALYST, [award], "verified", "SK dicek") == 0


def test_a_run_is_reproducible(db_session: Session, inputs) -> None:
    one, first = run_with(db_session, inputs)
    two, second = run_with(db_session, inputs)
    assert one.inputs == two.inputs and one.settings == two.settings
    assert {n: (p.box, p.potential_score) for n, p in first.items()} == {
        n: (p.box, p.potential_score) for n, p in second.items()
    }


def test_profile_components_only_in_weighted_mode(db_session: Session, inputs) -> None:
    potency, performance, profile = inputs
    options = placement.RunOptions(mode="simple", profile_import_id=profile.id)
    with pytest.raises(placement.PlacementRefused):
        placement.place(db_session, ANALYST, potency.id, performance.id, 2026, options=options)


def test_bad_profile_rows_are_all_reported_and_nothing_imported(db_session: Session) -> None:
    bad = (
        HEADER
        + f"{P1},hobby,10,,{OK}\n"
        + f"{P1},education_level,SMP,,{OK}\n"
        + f"{P1},competency_assessment,120,,{OK}\n"
        + f"{P1},job_experience,-2,,{OK}\n"
        + f"{P1},awards,nasional,,maybe,,\n"
        + f"{P1},awards,nasional,,verified,,\n"
        + f"123,awards,nasional,,{OK}\n"
        + f"{P1},awards,nasional,,unverified,,\n"
        + f"{P1},awards,nasional,,verified,bkd,kemarin\n"
    ).encode()
    with pytest.raises(files.FileRejected) as rejected:
        service.import_profile(db_session, ANALYST, "profil.csv", bad)
    assert [(p.row, p.column) for p in rejected.value.problems] == [
        (2, "komponen"),
        (3, "nilai"),
        (4, "nilai"),
        (5, "nilai"),
        (6, "status"),
        (7, "diverifikasi_oleh"),
        (7, "diverifikasi_pada"),
        (8, "nip"),
        (10, "diverifikasi_pada"),
    ]
    assert repository.profile_imports(db_session) == []


def test_the_demo_profile_file_imports_and_matches_the_demo_officials() -> None:
    from pathlib import Path

    from app.demo_history import simulated_participants
    from app.talentbox.settings import load_settings

    path = Path(__file__).resolve().parents[2] / "docs/examples/demo-profil-2026.csv"
    rows = files.read_profile(path.name, path.read_bytes(), load_settings())
    demo = {nip for nip, *_ in simulated_participants(0, "DEMO-0")}
    assert {r["nip"] for r in rows} == demo
    assert {r["status"] for r in rows} == {"verified", "unverified", "rejected"}


def test_movement_between_runs_page(app, scored) -> None:
    from tests.talentbox.test_routes import csrf, placed

    client, _ = placed(app, scored)
    home = client.get("/talenta").text
    ids = {
        k: re.search(rf'name="{k}"><option value="([^"]+)"', home).group(1)
        for k in ("potency_id", "performance_id")
    }
    token = csrf(client)
    data = {"csrf_token": token, **ids, "period": "2026", "mode": "weighted"}
    assert client.post("/talenta/penempatan", data=data).status_code == 303
    page = client.get("/talenta/run/2").text
    # both assessed officials: kotak 7 in run 1; weighted without profile: potency percentile
    # and SKP "Sangat Baik" (100) re-weighted
    moves = re.findall(r"<tr[^>]*><td>(\d)</td><td>(\d)</td><td><a href=\"([^\"]+)\">(\d+)<", page)
    assert sum(int(n) for *_, n in moves) == 2 and all(a == "7" for a, *_ in moves)
    movers = client.get(moves[0][2]).text
    assert "Peserta" in movers and "run 1" in movers
    assert "Belum ada run sebelumnya" in client.get("/talenta/run/1").text


def test_profile_from_xlsx_with_date_cells(db_session: Session) -> None:
    import io
    from datetime import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append([P1, "education_level", "S2", "ijazah", "verified", "bkd", datetime(2026, 10, 5)])
    sheet.append([P2, "awards", "provinsi", "", "ditolak", "bkd", "2026-10-06T09:30:00+07:00"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = service.import_profile(db_session, ANALYST, "profil.xlsx", buffer.getvalue())
    records = {r.nip: r for r in repository.profile_records(db_session, batch.id)}
    assert records[P1].status_at.isoformat() == "2026-10-05T00:00:00+00:00"
    assert records[P2].status == "rejected"
    assert records[P2].status_at.isoformat() == "2026-10-06T02:30:00+00:00"


def test_a_rerun_uses_the_stored_settings_not_todays_file(db_session: Session, inputs) -> None:
    from app.talentbox.settings import load_settings

    potency, performance, profile = inputs
    strict = load_settings().model_copy(deep=True)
    strict.weighted.bands.high = 99  # nobody is tinggi / di atas under these settings
    options = placement.RunOptions(mode="weighted", profile_import_id=profile.id)
    first = placement.place(
        db_session, ANALYST, potency.id, performance.id, 2026, settings=strict, options=options
    )
    again = placement.rerun(db_session, ANALYST, first)
    boxes = {p.nip: p.box for p in repository.placements(db_session, first.id)}
    assert boxes == {p.nip: p.box for p in repository.placements(db_session, again.id)}
    assert again.settings == first.settings and again.inputs == first.inputs
    assert again.missing_counts == first.missing_counts
    assert first.missing_counts is not None
    assert first.missing_counts["integrity"] == 2 and first.missing_counts["skp"] == 0
    today = placement.place(db_session, ANALYST, potency.id, performance.id, 2026, options=options)
    assert {p.nip: p.box for p in repository.placements(db_session, today.id)} != boxes


def test_a_rerun_replays_the_records_as_the_run_used_them(db_session: Session, inputs) -> None:
    first, placed = run_with(db_session, inputs)
    award = db_session.scalar(select(ProfileRecord).where(ProfileRecord.value == "nasional"))
    assert award is not None
    service.set_verification(db_session, ANALYST, [award], "verified")  # after the run
    education = db_session.scalar(select(ProfileRecord).where(ProfileRecord.value == "S2"))
    assert education is not None
    service.set_verification(db_session, ANALYST, [education], "rejected")
    again = placement.rerun(db_session, ANALYST, first)
    replayed = {p.nip: p for p in repository.placements(db_session, again.id)}
    assert {n: (p.box, p.potential_score, p.performance_score) for n, p in placed.items()} == {
        n: (p.box, p.potential_score, p.performance_score) for n, p in replayed.items()
    }
    assert again.inputs == first.inputs  # the same records, statuses and values
    assert again.only_profile == first.only_profile
    fresh, now = run_with(db_session, inputs)  # a new run sees today's statuses
    assert fresh.inputs["profile_records"] != first.inputs["profile_records"]
    assert now[P1].performance_score != placed[P1].performance_score
