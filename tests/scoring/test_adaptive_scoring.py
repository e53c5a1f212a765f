"""Scoring adaptive sections (issue 21, item 3): the same EAP as fixed sections over the items
each taker was given, agreeing with the θ and SE delivery stored after each answer; potency
levels and the export (schema 3 marks adaptive subtests and counts their items); item
analysis leaving them out of classical statistics and reporting exposure rates instead."""

import csv
import io
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.service import create_user, log_in
from app.audit.models import AuditEntry
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import adaptive
from app.delivery import service as delivery
from app.delivery.models import Attempt
from app.exams.models import Participant
from app.exports.schema import SCHEMA_VERSION, columns, row, subtest_codes
from app.kit.clock import FrozenClock, use_clock
from app.main import create_app
from app.scoring import pages, repository
from app.scoring import service as scoring
from app.scoring.event_analysis import analyse_event
from app.scoring.exposure import ItemExposure, SectionExposure, adaptive_exposure, exposure_rates
from app.scoring.models import ScoreRecord, ScoringRun
from app.talentbox.files import read_potency
from tests.delivery.adaptive_factories import adaptive_exam
from tests.delivery.factories import OpenExam
from tests.scoring.test_service import ANALYST

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
PASSWORD = "kata-sandi-uji-1"
seq = iter(range(10**6, 10**9))


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(START)) as c:
        yield c


def answer(
    db: Session, taker: delivery.Taker, position: int, index: int, by_id: bool = False
) -> None:
    """Option `index` as the taker sees them (the form's shuffled order), or `by_id`: of the
    options in id order, the same on every form (fixed sections: the takers' raw scores
    must differ whatever the forms' shuffles, or no norm can be made of them)."""
    _, ref, _ = delivery.open_item(db, taker, position)
    options = sorted(ref.option_order) if by_id else ref.option_order
    option = options[index % len(options)]
    delivery.save_answer(db, taker, position, option, False, next(seq))


def sit(db: Session, exam: OpenExam, n: int, stop_after: int | None = None) -> Attempt:
    """Taker n answers verbal, the adaptive section (option n of each item: different
    patterns, so different θ) and sjt, and submits; `stop_after`: submits after that many
    adaptive answers instead, leaving the item then chosen unanswered."""
    taker, _ = delivery.login(db, exam.nips[n], exam.token, None)
    attempt = delivery.start(db, taker)
    for position in (1, 2, 3):  # keyed B: taker 1 scores 3, the others 0
        answer(db, taker, position, n, by_id=True)
    delivery.finish_section(db, taker)
    answered = 0
    while attempt.current_section == 2 and attempt.status == "in_progress":
        if stop_after is not None and answered == stop_after:
            return delivery.submit(db, taker)
        answer(db, taker, attempt.current_position, n)
        answered += 1
    for position in (10, 11):  # graded A 5 … E 1: taker n earns 5 - n per item
        answer(db, taker, position, n, by_id=True)
    return delivery.submit(db, taker)


def records_by_attempt(db: Session, run: ScoringRun) -> dict[uuid.UUID, ScoreRecord]:
    attempts = {a.participant_id: a.id for a in db.scalars(select(Attempt))}
    return {attempts[r.participant_id]: r for r in repository.records(db, run.id)}


# --- plain functions ------------------------------------------------------------------------


def test_exposure_rates_count_the_takers_given_each_pool_item() -> None:
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    pool = [(a, "N1 v1"), (b, "N2 v1"), (c, "N3 v1")]
    takers, items, mean = exposure_rates(pool, [[a, b], [a], [], [a, b, a]])
    assert takers == 3 and mean == pytest.approx(5 / 3)  # a taker given nothing: not a taker
    assert [(i.code, i.given, round(i.rate, 4)) for i in items] == [
        ("N1 v1", 3, 1.0),
        ("N2 v1", 2, 0.6667),
        ("N3 v1", 0, 0.0),
    ]
    assert exposure_rates(pool, []) == (0, [ItemExposure(v, k, 0, 0.0) for v, k in pool], None)


def test_the_worked_example_of_docs_scoring_md() -> None:
    n1, n2, n3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    pool = [(n1, "N1"), (n2, "N2"), (n3, "N3")]
    takers, items, mean = exposure_rates(pool, [[n1, n2], [n1], [n1, n2], [n1, n3]])
    assert [(i.code, i.rate) for i in items] == [("N1", 1.0), ("N2", 0.5), ("N3", 0.25)]
    section = SectionExposure(2, "Numerik adaptif", "numerik", takers, 0.25, items, mean)
    assert mean == 1.75 and [i.code for i in section.over_target] == ["N1", "N2"]


def test_a_section_reports_items_over_its_target() -> None:
    items = [ItemExposure(uuid.uuid4(), f"N{n}", g, g / 4) for n, g in ((1, 2), (2, 1), (3, 0))]
    section = SectionExposure(2, "Numerik adaptif", "numerik", 4, 0.25, items, 0.75)
    assert section.max_rate == 0.5 and section.never_given == 1
    assert [i.code for i in section.over_target] == ["N1"]


def test_export_rows_mark_adaptive_subtests_and_count_their_items() -> None:
    header = columns(["numerik", "verbal"])
    assert subtest_codes(header) == ["numerik", "verbal"]
    assert {"numerik_mode", "numerik_items", "numerik_adaptive_items"} <= set(header)
    subtests: dict[str, dict[str, Any]] = {
        "numerik": {"raw": 4, "max": 7, "items": 7, "adaptive_items": 7, "theta": 0.4},
        "verbal": {"raw": 2, "max": 3, "items": 3},
    }
    values = row({}, subtests, ["numerik", "verbal"], {}, {"numerik": "adaptive"})
    assert values["schema_version"] == SCHEMA_VERSION == "3"
    assert (values["numerik_mode"], values["numerik_items"], values["numerik_adaptive_items"]) == (
        "adaptive",
        7,
        7,
    )
    assert (values["verbal_mode"], values["verbal_items"], values["verbal_adaptive_items"]) == (
        "fixed",
        3,
        None,
    )


def test_item_analysis_csv_rows_carry_exposure_after_the_classical_figures() -> None:
    item = ItemExposure(uuid.uuid4(), "N0001 v1", 3, 0.75)
    section = SectionExposure(2, "Numerik adaptif", "numerik", 4, 0.25, [item], 6.0)
    (line,) = pages.items_csv_rows([], [section])
    assert len(line) == len(pages.ITEMS_CSV_HEADER)
    assert (line[0], line[1], line[2], line[-2], line[-1]) == ("numerik", "N0001 v1", 3, 2, 0.75)
    assert set(line[3:-2]) == {None}  # no facility, discrimination, α …


# --- the service, on a delivered event ------------------------------------------------------


@pytest.fixture
def delivered(db_session: Session, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    exam = adaptive_exam(db_session, tmp_path, people=4)
    for n in range(3):
        sit(db_session, exam, n)
    sit(db_session, exam, 3, stop_after=2)
    return exam


def test_theta_and_se_agree_with_those_stored_after_each_answer(
    db_session: Session, delivered: OpenExam
) -> None:
    run = scoring.run_scoring(db_session, delivered.event, ANALYST)
    records = records_by_attempt(db_session, run)
    assert len(records) == 4
    for attempt_id, record in records.items():
        steps = adaptive.steps_of(db_session, attempt_id)
        answered = [s for s in steps if s.response is not None]
        numerik = record.subtests["numerik"]
        assert numerik["items"] == numerik["adaptive_items"] == len(answered)
        assert numerik["theta"] == pytest.approx(answered[-1].theta, abs=2e-6)
        assert numerik["se"] == pytest.approx(answered[-1].se, abs=2e-6)
        assert record.level in ("rendah", "menengah", "tinggi")  # a potency level as for fixed
    assert run.settings["modes"] == {"numerik": "adaptive"}
    assert "adaptive_items" not in next(iter(records.values())).subtests["verbal"]


def test_an_item_left_unanswered_when_the_taker_stopped_is_not_scored(
    db_session: Session, delivered: OpenExam
) -> None:
    run = scoring.run_scoring(db_session, delivered.event, ANALYST)
    nip = delivered.nips[3]
    participant = db_session.scalar(select(Participant).where(Participant.nip == nip))
    assert participant is not None
    attempt = db_session.scalar(select(Attempt).where(Attempt.participant_id == participant.id))
    assert attempt is not None
    steps = adaptive.steps_of(db_session, attempt.id)
    assert len(steps) == 3 and steps[-1].response is None  # chosen, then the taker submitted
    record = next(
        r for r in repository.records(db_session, run.id) if r.participant_id == participant.id
    )
    assert record.subtests["numerik"]["adaptive_items"] == 2
    assert record.subtests["numerik"]["theta"] == pytest.approx(steps[1].theta, abs=2e-6)


def test_item_analysis_leaves_adaptive_items_out_and_reports_their_exposure(
    db_session: Session, delivered: OpenExam
) -> None:
    analysis = analyse_event(db_session, delivered.event.id)
    assert [a.subtest for a in analysis] == ["sjt", "verbal"]  # numerik: adaptive only
    assert all(a.summary.n == 4 for a in analysis)
    (section,) = adaptive_exposure(db_session, delivered.event)
    assert (section.position, section.subtest, section.takers) == (2, "numerik", 4)
    assert len(section.items) == 48 and section.target == 0.25
    given = sum(i.given for i in section.items)
    steps = [
        s
        for a in db_session.scalars(select(Attempt))
        for s in adaptive.steps_of(db_session, a.id)
        if s.response is not None
    ]
    assert given == len(steps) and section.mean_items == pytest.approx(len(steps) / 4)
    assert section.items[0].rate == section.max_rate > 0


def test_the_research_export_carries_the_adaptive_answers(
    db_session: Session, delivered: OpenExam
) -> None:
    """A published run makes the research export possible: it lists the items each taker
    answered in the adaptive section too, not only the form's drawn ones."""
    import json

    from app.privacy.research import research_lines

    run = scoring.run_scoring(db_session, delivered.event, ANALYST)
    scoring.publish(db_session, ANALYST, run)
    secret = "rahasia-riset-yang-panjang-sekali-0123456789"
    _, *lines = research_lines(db_session, delivered.event.code, secret, min_cell=1)
    for line in lines:
        person = json.loads(line)
        numerik = [name for name in person["responses"] if name.startswith("N")]
        assert len(numerik) == person["subtests"]["numerik"]["answered"] >= 2


# --- the pages, the export and the talent box, on a committed database ---------------------


@pytest.fixture
def committed(use_database: str, tmp_path: Path):
    """Four takers delivered through the adaptive section and scored; staff logged in."""
    engine = make_engine(use_database)
    tokens = {}
    with transaction(make_sessionmaker(engine)) as db:
        with use_clock(FrozenClock(START)):
            exam = adaptive_exam(db, tmp_path, people=4)
            for n in range(4):
                sit(db, exam, n)
        for name, role in (("analis", "analyst"), ("pengawas", "proctor")):  # logged in now
            create_user(db, name, PASSWORD, role, name)
            tokens[role] = log_in(db, name, PASSWORD, "127.0.0.1")[1]
        code = exam.event.code
    engine.dispose()
    return code, tokens


@pytest.fixture
def app(use_database: str):
    application = create_app()
    with TestClient(application):
        yield application


def client_of(app, token: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    client.cookies.set("proasn_staff", token)
    return client


def test_an_analyst_scores_reads_and_exports_an_adaptive_event(
    app, committed, use_database: str
) -> None:
    """Delivery → a scoring run from the analyst's page (audited) → the run page and the
    item analysis marking the adaptive section → the export, read by the talent box."""
    code, tokens = committed
    analyst = client_of(app, tokens["analyst"])
    page = analyst.get(f"/analis/acara/{code}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    analyst.cookies.set("proasn_csrf", csrf)
    scored = analyst.post(f"/analis/acara/{code}/nilai", data={"csrf_token": csrf})
    assert scored.status_code == 303 and scored.headers["location"].endswith("/run/1")
    run_page = analyst.get(f"/analis/acara/{code}/run/1").text
    assert "adaptif: " in run_page and "butir dijawab" in run_page
    items = analyst.get(f"/analis/acara/{code}/butir").text
    assert "Numerik adaptif" in items and "Laju paparan" in items and "<svg" in items
    assert "N0001" not in items.split("Numerik adaptif")[0]  # not among the classical rows
    items_csv = analyst.get(f"/analis/acara/{code}/butir.csv").text
    exposure = [r for r in csv.DictReader(io.StringIO(items_csv)) if r["adaptive_section"]]
    assert len(exposure) == 48 and {r["subtest"] for r in exposure} == {"numerik"}

    export = analyst.get("/api/v1/exports/scores", params={"event": code})
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 4 and list(rows[0]) == columns(["numerik", "sjt", "verbal"])
    for r in rows:
        assert r["schema_version"] == "3" and r["potency_level"] in ("rendah", "menengah", "tinggi")
        assert r["numerik_mode"] == "adaptive" and r["verbal_mode"] == "fixed"
        assert 3 <= int(r["numerik_adaptive_items"]) == int(r["numerik_items"]) <= 6
        assert r["numerik_theta"] and r["verbal_adaptive_items"] == ""
    xlsx = analyst.get("/api/v1/exports/scores", params={"event": code, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    header, *values = list(sheet.iter_rows(values_only=True))
    first = dict(zip(header, values[0], strict=False))
    assert first["numerik_mode"] == "adaptive" and isinstance(first["numerik_items"], int)
    potency = read_potency("skor.csv", export.content)
    assert sorted(p["potency_level"] for p in potency) == sorted(r["potency_level"] for r in rows)

    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        actions = set(db.scalars(select(AuditEntry.action)))
    engine.dispose()
    assert {"scoring.run", "export.scores"} <= actions


def test_only_analysts_see_the_adaptive_scoring_pages(app, committed) -> None:
    code, tokens = committed
    proctor = client_of(app, tokens["proctor"])
    for path in (f"/analis/acara/{code}/butir", f"/analis/acara/{code}/butir.csv"):
        assert proctor.get(path).status_code == 403
        assert TestClient(app, follow_redirects=False).get(path).status_code == 303  # log in
    assert proctor.get("/api/v1/exports/scores", params={"event": code}).status_code == 403
    assert proctor.post(f"/analis/acara/{code}/nilai").status_code in (403, 400)
