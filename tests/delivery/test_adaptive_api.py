"""A taker sits an adaptive section of the generated pool through the taker API and the pages
(issue 21): the next item comes with each save's reply, answered items are refused, a
resume on another PC continues the same sequence, and the audit replay reproduces it."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import adaptive
from app.delivery import service as delivery_service
from app.delivery.models import Attempt
from app.exams import repository as exams_repository
from app.exams.models import Form
from app.exams.preparation import prepare_sessions
from app.exams.service import import_event
from app.kit.clock import FrozenClock, use_clock
from app.main import create_app
from question_bank.generators.pool import write_pool
from tests.exams.factories import event_data, event_doc, participant, rows, valid_nip

THEMES = ["deret angka", "aritmetika", "perbandingan dan persentase", "soal cerita"]


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))) as c:
        yield c


ADAPTIVE = {
    "title": "Numerik adaptif",
    "subtest": "numerik",
    "mode": "adaptive",
    "adaptive": {
        "min_items": 5,
        "max_items": 12,
        "stop_se": 0.2,
        "content": dict.fromkeys(THEMES, 0.25),
        "exposure": {"method": "randomesque", "max_rate": 0.2, "top_k": 5},
    },
}


def _prepared(use_database: str, tmp_path: Path, sections: list[dict[str, Any]]) -> dict[str, Any]:
    write_pool(tmp_path / "pool", 400)
    data = event_data()
    data["blueprint"]["sections"] = sections
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        import_bank(db, load_bank(tmp_path / "pool"))
        import_event(db, event_doc(**data), rows(participant(1), participant(2)))
        event = exams_repository.event_by_code(db, data["code"])
        assert event is not None
        prepare_sessions(db, event, ["S1"])
        forms = list(db.scalars(select(Form)))
        forms[1].seed = forms[0].seed
        room = exams_repository.session_by_code(db, event.id, "S1")
        assert room is not None
        room.status = "open"
        token = room.room_token
    engine.dispose()
    return {"token": token, "nips": [valid_nip(1), valid_nip(2)], "url": use_database}


@pytest.fixture
def exam(use_database: str, tmp_path: Path, frozen: FrozenClock) -> dict[str, Any]:
    """Two participants with the same form seed: an adaptive numerik section of the
    generated pool (200 items, 2PL), then three fixed figural items."""
    figural = {"title": "Figural", "subtest": "figural", "items": 3}
    return _prepared(use_database, tmp_path, [ADAPTIVE, figural])


def logged_in(exam: dict[str, Any], n: int) -> TestClient:
    client = TestClient(create_app())
    client.__enter__()
    credentials = {"nip": exam["nips"][n], "token": exam["token"]}
    reply = client.post("/api/v1/taker/login", json=credentials)
    assert reply.status_code == 200, reply.text
    return client


def sit(client: TestClient, answers: int | None = None) -> list[tuple[int, str]]:
    """Answer the adaptive section (`answers` items, or until it closes): option
    position % 4 of each item, as shown. Returns (position, stem) in order."""
    state = client.post("/api/v1/taker/start").json()
    assert state["sections"][0]["adaptive"] is True
    given: list[tuple[int, str]] = []
    position, seq = state["current_position"], 10**15
    while answers is None or len(given) < answers:
        item = client.get(f"/api/v1/taker/items/{position}").json()
        given.append((position, item["stem"]))
        option = item["options"][position % len(item["options"])]["option_id"]
        seq += 1
        saved = client.put(
            f"/api/v1/taker/answers/{position}", json={"option_id": option, "seq": seq}
        ).json()
        assert saved["applied"] is True and saved["next_position"] is not None
        if saved["section_closed"]:
            assert saved["next_position"] == 13  # the figural section's first item
            break
        assert saved["next_position"] == position + 1
        position = saved["next_position"]
    return given


def test_an_adaptive_section_through_the_api_resumes_on_the_same_sequence(
    exam: dict[str, Any],
) -> None:
    alone = logged_in(exam, 0)
    straight = sit(alone)
    assert 5 <= len(straight) <= 12
    # The fixed section after it: its page carries the batch the ORM path sends for it.
    html = alone.get("/ujian/soal/13").text
    kept = html.split('<template id="kept-items">')[1].split("</template>")[0]
    assert kept == alone.get("/ujian/paket-soal?dari=14&sampai=15").text
    assert kept.count("<article") == 2

    swapped = logged_in(exam, 1)
    first = sit(swapped, answers=3)
    # no going back: an answered item is refused, the page leads to the current item
    refused = swapped.get("/api/v1/taker/items/1")
    assert (refused.status_code, refused.json()["code"]) == (409, "item_not_current")
    page = swapped.get("/ujian/soal/1", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/ujian/lanjut"
    assert swapped.get("/ujian/lanjut", follow_redirects=False).headers["location"] == (
        "/ujian/soal/4"
    )
    batch = swapped.get("/ujian/paket-soal?dari=1&sampai=12")
    assert batch.text.count("<article") == 1 and 'data-position="4"' in batch.text
    swapped.post("/api/v1/taker/logout")  # another PC: a new login resumes the attempt
    swapped.__exit__(None, None, None)
    resumed = logged_in(exam, 1)
    rest = sit(resumed)
    assert first + rest == straight  # the same items in the same order

    engine = make_engine(exam["url"])
    with transaction(make_sessionmaker(engine)) as db:
        attempts = list(db.scalars(select(Attempt).order_by(Attempt.started_at)))
        steps = [adaptive.steps_of(db, a.id) for a in attempts]
        assert [(s.item_version_id, s.theta, s.se) for s in steps[0]] == [
            (s.item_version_id, s.theta, s.se) for s in steps[1]
        ]
        event = exams_repository.event_by_code(db, "proasn-uji")
        assert event is not None
        plan = delivery_service.blueprint_sections(db, event)[0]
        for attempt in attempts:
            replayed = adaptive.replay(db, attempt, event, plan)
            assert replayed.matches, replayed.problem
            assert attempt.current_section == 2
    engine.dispose()
    for client in (alone, resumed):
        client.__exit__(None, None, None)


def test_the_test_page_shows_only_the_current_adaptive_item(exam: dict[str, Any]) -> None:
    client = logged_in(exam, 0)
    client.post("/api/v1/taker/start")
    page = client.get("/ujian/soal/1")
    assert page.status_code == 200
    html = page.text
    assert 'data-adaptive="1"' in html and 'data-first="1"' in html and 'data-last="1"' in html
    assert "data-adaptive-answer" in html and 'name="flag-1"' not in html
    assert "tidak dapat dibuka kembali" in html  # the section's intro says: no going back
    assert html.count("data-nav=") == 1  # the grid: the current item only, so far
    assert 'id="kept-items"' not in html  # nothing around it to keep: no batch carried
    instructions = client.get("/ujian/petunjuk").text
    assert "tanpa kembali ke butir sebelumnya" in instructions
    # The count is a maximum: an adaptive section may stop earlier.
    assert "Tes ini terdiri atas paling banyak" in instructions
    client.__exit__(None, None, None)


def test_the_save_that_ends_the_last_adaptive_section_says_the_test_is_submitted(
    use_database: str, tmp_path: Path, frozen: FrozenClock
) -> None:
    """An API client following next_position must not be sent to an item of a submitted
    test: the reply says so instead."""
    exam = _prepared(use_database, tmp_path, [ADAPTIVE])  # the test's only section
    client = logged_in(exam, 0)
    position = client.post("/api/v1/taker/start").json()["current_position"]
    for seq in range(1, 13):
        item = client.get(f"/api/v1/taker/items/{position}").json()
        option = item["options"][seq % len(item["options"])]["option_id"]
        saved = client.put(
            f"/api/v1/taker/answers/{position}", json={"option_id": option, "seq": seq}
        ).json()
        if saved["section_closed"]:
            break
        assert saved["test_submitted"] is False
        position = saved["next_position"]
    assert saved["section_closed"] and saved["test_submitted"]
    assert saved["next_position"] is None
    assert client.get("/api/v1/taker/state").json()["status"] == "submitted"
    client.__exit__(None, None, None)
