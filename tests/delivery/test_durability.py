"""Acknowledged answers survive `kill -9` of the server, on the file database and PostgreSQL,
and the remaining time is still measured against the unchanged deadline."""

from pathlib import Path

import httpx2 as httpx
from sqlalchemy.orm import Session

from tests.delivery.factories import open_exam


def test_acknowledged_answers_survive_kill_9(live_server, tmp_path: Path) -> None:
    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=1, total_minutes=60)
        return exam.nips[0], exam.token

    server, (nip, token) = live_server(seed)
    client = httpx.Client(base_url=server.url, timeout=10)
    assert client.post("/api/v1/taker/login", json={"nip": nip, "token": token}).status_code == 200
    started = client.post("/api/v1/taker/start").json()
    acknowledged = {}
    for position in range(1, 6):
        item = client.get(f"/api/v1/taker/items/{position}").json()
        option = item["options"][position % len(item["options"])]["option_id"]
        response = client.put(
            f"/api/v1/taker/answers/{position}",
            json={"option_id": option, "flagged": position == 3, "seq": item["seq_base"] + 1},
        )
        assert response.status_code == 200 and response.json()["applied"]
        acknowledged[position] = option
    server.kill_hard()  # right after the last acknowledgement
    server.shift_clock(120)  # two minutes pass before the server is back
    server.start()
    # The same browser (cookie) logs back in and finds every acknowledged answer.
    assert client.post("/api/v1/taker/login", json={"nip": nip, "token": token}).status_code == 200
    state = client.get("/api/v1/taker/state").json()
    assert (state["status"], state["answered"], state["flagged"]) == ("in_progress", 5, 1)
    for position, option in acknowledged.items():
        assert client.get(f"/api/v1/taker/items/{position}").json()["option_id"] == option
    # The outage was not credited: the deadline did not move.
    elapsed = started["remaining_seconds"] - state["remaining_seconds"]
    assert 120 <= elapsed <= 135
