"""A whole attempt against a server with two worker processes: logins, the clock, saves, the
proctor board and the sweeper live in the database, so any worker may answer any request."""

import time
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import make_engine
from app.delivery.models import Attempt, AttemptScore
from tests.proctoring.factories import build_world


def test_a_whole_attempt_on_two_workers(live_server, tmp_path: Path) -> None:
    def seed(db: Session):
        world = build_world(db, tmp_path)
        return world.taker_tokens, world.staff_tokens, str(world.exam.session.id)

    server, (takers, staff, session_id) = live_server(seed, workers=2)
    assert len(server.worker_pids()) == 2
    # No keep-alive: every request is a new connection, accepted by whichever worker is free.
    fresh = httpx.Limits(max_keepalive_connections=0)
    taker = httpx.Client(base_url=server.url, timeout=10, limits=fresh)
    taker.cookies.set("proasn_taker", takers["taker"])
    other = httpx.Client(base_url=server.url, timeout=10, limits=fresh)
    other.cookies.set("proasn_taker", takers["other_taker"])
    proctor = httpx.Client(base_url=server.url, timeout=10, limits=fresh)
    proctor.cookies.set("proasn_staff", staff["proctor"])

    state = taker.post("/api/v1/taker/start").json()
    assert other.post("/api/v1/taker/start").status_code == 200
    total = state["total_items"]
    for position in range(1, total + 1):
        item = taker.get(f"/api/v1/taker/items/{position}").json()
        body = {"option_id": item["options"][0]["option_id"], "flagged": False}
        saved = taker.put(
            f"/api/v1/taker/answers/{position}", json={**body, "seq": item["seq_base"] + 1}
        )
        assert saved.status_code == 200 and saved.json()["applied"], saved.text
        assert taker.post("/api/v1/taker/heartbeat", json={"position": position}).status_code == 200
    board = proctor.get(f"/pengawas/sesi/{session_id}/papan", headers={"HX-Request": "true"})
    assert board.status_code == 200 and f"{total}/{total}" in board.text.replace(" ", "")
    state = taker.get("/api/v1/taker/state").json()
    assert (state["answered"], state["status"]) == (total, "in_progress")
    assert taker.post("/api/v1/taker/submit").json()["status"] == "submitted"

    # The other taker's time runs out: both workers' sweepers race, one submits, once.
    server.shift_clock(61 * 60)
    engine = make_engine(server.database_url)
    deadline = time.monotonic() + 15
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            submitted = connection.scalar(select(func.count()).where(Attempt.status == "submitted"))
            if submitted == 2:
                break
            time.sleep(0.2)
        scored = connection.scalar(select(func.count(func.distinct(AttemptScore.attempt_id))))
        rows = connection.scalar(select(func.count()).select_from(AttemptScore))
    engine.dispose()
    assert (submitted, scored, rows) == (2, 2, 4)  # one row per subtest, never twice
    assert other.get("/api/v1/taker/state").json()["status"] == "submitted"
    assert "Traceback" not in server.log()
