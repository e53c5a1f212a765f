"""The taker JSON API end to end, against the app and a database of its own."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from app.db import make_engine, make_sessionmaker, transaction
from app.kit.clock import FrozenClock, use_clock
from app.main import create_app
from tests.delivery.factories import OpenExam, committed_exam

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(START)) as c:
        yield c


@pytest.fixture
def exam(use_database: str, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return committed_exam(use_database, tmp_path, people=3, show_results=True)


@pytest.fixture
def app(use_database: str):
    with TestClient(create_app()) as client:
        yield client


def browser(app: TestClient) -> TestClient:
    """Another browser: same app, its own cookie jar."""
    return TestClient(app.app)


@pytest.fixture
def taker(app: TestClient, exam: OpenExam) -> Iterator[TestClient]:
    response = app.post("/api/v1/taker/login", json={"nip": exam.nips[0], "token": exam.token})
    assert response.status_code == 200, response.text
    yield app


def test_login_sets_a_strict_httponly_cookie_and_returns_state(
    app: TestClient, exam: OpenExam
) -> None:
    response = app.post("/api/v1/taker/login", json={"nip": exam.nips[0], "token": exam.token})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    state = response.json()
    assert state["status"] == "not_started" and state["total_items"] == 5
    assert state["name"] == "Peserta 1" and state["agency"] == "Pemerintah Kota Makassar"


def test_errors_are_json_with_code_and_indonesian_message(app: TestClient, exam: OpenExam) -> None:
    response = app.post("/api/v1/taker/login", json={"nip": exam.nips[0], "token": "SALAH1"})
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_login",
        "message": "NIP atau token ruang salah, atau sesi ujian belum dibuka.",
    }
    assert app.get("/api/v1/taker/state").json()["code"] == "not_logged_in"


def test_second_browser_is_refused(taker: TestClient, exam: OpenExam) -> None:
    other = browser(taker)
    response = other.post("/api/v1/taker/login", json={"nip": exam.nips[0], "token": exam.token})
    assert response.status_code == 409 and response.json()["code"] == "login_in_use"
    assert "pengawas" in response.json()["message"]


def test_whole_flow_start_answer_flag_resume_submit(taker: TestClient, frozen: FrozenClock) -> None:
    state = taker.post("/api/v1/taker/start").json()
    assert state["status"] == "in_progress" and state["remaining_seconds"] == 3600
    item = taker.get("/api/v1/taker/items/2").json()
    assert [o["label"] for o in item["options"]] == ["A", "B", "C", "D"][: len(item["options"])]
    choice = item["options"][1]["option_id"]
    seq = item["seq_base"] + 1
    saved = taker.put(
        "/api/v1/taker/answers/2", json={"option_id": choice, "flagged": True, "seq": seq}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["applied"] and saved.json()["flagged"]
    frozen.advance(seconds=30)
    state = taker.get("/api/v1/taker/state").json()
    assert (state["answered"], state["flagged"], state["current_position"]) == (1, 1, 2)
    assert state["remaining_seconds"] == 3570
    again = taker.get("/api/v1/taker/items/2").json()
    assert (again["option_id"], again["flagged"]) == (choice, True)
    grid = taker.get("/api/v1/taker/grid").json()
    assert [c["state"] for c in grid] == ["empty", "flagged", "empty", "empty", "empty"]
    final = taker.post("/api/v1/taker/submit").json()
    assert final["status"] == "submitted"
    assert {s["subtest"] for s in final["scores"]} == {"verbal", "sjt"}  # event shows results
    late = taker.put("/api/v1/taker/answers/1", json={"option_id": choice, "seq": seq + 5})
    assert late.status_code == 409 and late.json()["code"] == "attempt_submitted"


def test_replayed_save_is_acknowledged_but_not_applied(taker: TestClient) -> None:
    taker.post("/api/v1/taker/start")
    item = taker.get("/api/v1/taker/items/1").json()
    a, b = item["options"][0]["option_id"], item["options"][1]["option_id"]
    base = item["seq_base"]
    assert taker.put("/api/v1/taker/answers/1", json={"option_id": b, "seq": base + 2}).json()[
        "applied"
    ]
    replay = taker.put("/api/v1/taker/answers/1", json={"option_id": a, "seq": base + 1}).json()
    assert (replay["applied"], replay["option_id"]) == (False, b)


def drop_connections_at_checkout(engine: Engine, times: int) -> list[object]:
    """The database drops the next `times` connections handed out (a restart, a failover):
    each fails at its first statement, as a real dropped connection does."""
    dropped: list[object] = []

    def drop(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if len(dropped) < times:
            dbapi_connection.close()
            dropped.append(record)

    event.listen(engine, "checkout", drop)
    return dropped


def test_a_save_on_a_dropped_connection_runs_again_on_a_new_one(taker: TestClient) -> None:
    taker.post("/api/v1/taker/start")
    item = taker.get("/api/v1/taker/items/1").json()
    assert isinstance(taker.app, FastAPI)
    dropped = drop_connections_at_checkout(taker.app.state.engine, times=1)
    body = {"option_id": item["options"][0]["option_id"], "seq": item["seq_base"] + 1}
    saved = taker.put("/api/v1/taker/answers/1", json=body)
    assert len(dropped) == 1  # the first try met the dead connection
    assert saved.status_code == 200 and saved.json()["applied"]
    assert taker.get("/api/v1/taker/items/1").json()["option_id"] == body["option_id"]


def test_a_request_runs_again_only_once(taker: TestClient) -> None:
    """The second dropped connection is not tried a third time: the database is answered
    as unavailable (503, retry later), not with a bare 500."""
    assert isinstance(taker.app, FastAPI)
    dropped = drop_connections_at_checkout(taker.app.state.engine, times=2)
    response = taker.post("/api/v1/taker/start")
    assert len(dropped) == 2
    assert response.status_code == 503 and response.json()["code"] == "unavailable"
    assert response.headers["Retry-After"] == "5"


@pytest.mark.parametrize(
    ("position", "body", "status", "code"),
    [
        (1, {"option_id": "F", "seq": 1}, 422, "invalid_option"),
        (6, {"option_id": "A", "seq": 1}, 404, "item_not_found"),
    ],
)
def test_forged_saves_get_4xx(
    taker: TestClient,
    position: int,
    body: dict,
    status: int,
    code: str,
) -> None:
    taker.post("/api/v1/taker/start")
    response = taker.put(f"/api/v1/taker/answers/{position}", json=body)
    assert response.status_code == status and response.json()["code"] == code
    assert taker.get("/api/v1/taker/state").json()["answered"] == 0


def test_late_answer_is_refused_and_attempt_submitted(
    taker: TestClient, frozen: FrozenClock
) -> None:
    taker.post("/api/v1/taker/start")
    item = taker.get("/api/v1/taker/items/1").json()
    frozen.advance(minutes=60, seconds=4)
    response = taker.put(
        "/api/v1/taker/answers/1", json={"option_id": item["options"][0]["option_id"], "seq": 9}
    )
    assert response.status_code == 409 and response.json()["code"] == "deadline_passed"
    # The refusal committed the clock's verdict: the attempt is submitted by the timer.
    assert taker.get("/api/v1/taker/state").json()["status"] == "submitted"


def test_heartbeat_reports_the_server_clock(taker: TestClient, frozen: FrozenClock) -> None:
    assert taker.post("/api/v1/taker/heartbeat").json()["status"] == "not_started"
    taker.post("/api/v1/taker/start")
    frozen.advance(seconds=15)
    beat = taker.post("/api/v1/taker/heartbeat").json()
    assert beat == {
        "status": "in_progress",
        "remaining_seconds": 3585,
        "section_remaining_seconds": None,
        "current_section": 1,
        "broadcast": None,
    }


def test_a_proctor_broadcast_reaches_the_heartbeat_for_30_minutes(
    taker: TestClient, exam: OpenExam, use_database: str, frozen: FrozenClock
) -> None:
    from app.audit.service import Actor
    from app.proctoring import service as proctoring

    def beat() -> dict:
        return taker.post("/api/v1/taker/heartbeat", json={"position": None}).json()

    assert beat()["broadcast"] is None  # before the start too
    taker.post("/api/v1/taker/start")
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        proctoring.broadcast(db, Actor(None, "pengawas-a", "proctor"), exam.session, "Istirahat")
    engine.dispose()
    message = beat()["broadcast"]
    assert message["message"] == "Istirahat" and message["id"]
    position = taker.get("/api/v1/taker/items/1").json()
    save = {"option_id": position["options"][0]["option_id"], "flagged": False, "seq": 1}
    save["seq"] = position["seq_base"] + 1
    saved = taker.put("/api/v1/taker/answers/1", json=save).json()
    assert saved["applied"] and saved["broadcast"] == message  # a save carries it too
    frozen.advance(minutes=31)
    assert beat()["broadcast"] is None


def test_figures_are_served_as_svg_images_only_for_own_items(taker: TestClient) -> None:
    taker.post("/api/v1/taker/start")
    response = taker.get("/api/v1/taker/items/1/figure.svg")
    assert response.status_code == 404  # factory items have no figure
    assert taker.get("/api/v1/taker/items/77/figure.svg").status_code == 404


def test_openapi_lists_the_taker_contract(app: TestClient) -> None:
    paths = app.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/taker/login",
        "/api/v1/taker/start",
        "/api/v1/taker/state",
        "/api/v1/taker/items/{position}",
        "/api/v1/taker/answers/{position}",
        "/api/v1/taker/submit",
    ):
        assert path in paths


def test_logout_lets_another_browser_log_in(taker: TestClient, exam: OpenExam) -> None:
    assert taker.post("/api/v1/taker/logout").status_code == 204
    other = browser(taker)
    response = other.post("/api/v1/taker/login", json={"nip": exam.nips[0], "token": exam.token})
    assert response.status_code == 200


def test_malformed_requests_get_a_code_and_an_indonesian_message(taker: TestClient) -> None:
    taker.post("/api/v1/taker/start")
    response = taker.put("/api/v1/taker/answers/1", json={"option_id": "A"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request" and "seq" in response.json()["message"]
    future = taker.put("/api/v1/taker/answers/1", json={"option_id": None, "seq": 2**61})
    assert future.status_code == 422 and future.json()["code"] == "invalid_sequence"


def test_an_attempt_runs_through_the_api_with_another_selector(
    taker: TestClient, use_database: str
) -> None:
    from sqlalchemy import update

    from app.delivery.models import Attempt
    from app.delivery.selectors import register_selector
    from tests.delivery.test_service import ReverseSelector

    register_selector("reverse-test", ReverseSelector)
    taker.post("/api/v1/taker/start")
    last_of_form = taker.get("/api/v1/taker/items/5").json()
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        db.execute(update(Attempt).values(selector="reverse-test"))
    engine.dispose()
    item = taker.get("/api/v1/taker/items/1").json()
    assert item["stem"] == last_of_form["stem"]  # the selector, not the form, chose it
    batch = taker.get("/ujian/paket-soal?dari=1&sampai=2")  # the page's prefetch too
    assert batch.status_code == 200 and last_of_form["stem"] in batch.text
    option = item["options"][0]["option_id"]
    saved = taker.put(
        "/api/v1/taker/answers/1", json={"option_id": option, "seq": item["seq_base"] + 1}
    )
    assert saved.status_code == 200 and saved.json()["applied"]
    final = taker.post("/api/v1/taker/submit").json()
    assert final["status"] == "submitted" and final["answered"] == 1


def test_the_signal_stream_is_for_a_running_test_only(app: TestClient, exam: OpenExam) -> None:
    """Not logged in: 401; logged in, no test started: 204 (EventSource stops asking)."""
    assert app.get("/api/v1/taker/signals").status_code == 401
    login = app.post("/api/v1/taker/login", json={"nip": exam.nips[0], "token": exam.token})
    assert login.status_code == 200
    assert app.get("/api/v1/taker/signals").status_code == 204
