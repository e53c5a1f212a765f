"""Potency pulled over HTTP from a running delivery server's scores export API, into another
database: the talent box needs nothing but the API address and an analyst's API token."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.accounts import api_tokens
from app.accounts.service import actor_of, create_user
from app.scoring import service as scoring
from app.talentbox import pull, repository
from tests.proctoring.factories import build_world
from tests.scoring.test_service import ANALYST, sit
from tests.talentbox.test_service import ANALYST as TALENT_ANALYST


def test_pull_from_the_export_api_of_a_live_server(
    live_server, db_session: Session, tmp_path: Path
) -> None:
    def seed(db: Session) -> tuple[str, str]:
        world = build_world(db, tmp_path)
        sit(db, world.exam, 0, best=True, cookie=world.taker_tokens["taker"])
        sit(db, world.exam, 1, best=False, cookie=world.taker_tokens["other_taker"])
        scoring.run_scoring(db, world.exam.event, ANALYST)
        analyst = create_user(db, "analis-api", "kata-sandi-analis", "analyst", "Analis API")
        return api_tokens.create_token(
            db, analyst, "talenta", actor_of(analyst)
        ), world.exam.event.code

    server, (token, event) = live_server(seed)
    batch = pull.pull_potency(db_session, TALENT_ANALYST, server.url, token, event, run=1)
    assert batch.rows == 4 and batch.file_name.startswith(f"API {server.url}/api/v1/exports/scores")
    rows = repository.potency_rows(db_session, batch.id)
    assert sum(r.potency_level is not None for r in rows) == 2  # two sat the test, two did not
    assert {r.event_code for r in rows} == {event}

    with pytest.raises(pull.PullFailed, match="401"):
        pull.pull_potency(db_session, TALENT_ANALYST, server.url, "pat_salah", event)
    with pytest.raises(pull.PullFailed, match="404: acara TIDAK-ADA tidak ditemukan"):
        pull.pull_potency(db_session, TALENT_ANALYST, server.url, token, "TIDAK-ADA")


def test_the_address_must_be_http_and_reachable(db_session: Session) -> None:
    with pytest.raises(pull.PullFailed, match="http"):
        pull.pull_potency(db_session, TALENT_ANALYST, "file:///etc/passwd", "t", "E")
    with pytest.raises(pull.PullFailed, match="tidak terjangkau"):
        pull.pull_potency(db_session, TALENT_ANALYST, "http://127.0.0.1:9", "t", "E", timeout=2)
