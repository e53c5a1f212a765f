"""The migration that gave attempts their count of items answered (7c1e5a9b3d20) counts the
answers stored before it, so the proctor board of a room running during the upgrade shows
its progress."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from app import migrate
from app.db import make_engine
from app.delivery import service
from app.kit.clock import FrozenClock, use_clock
from tests.delivery.factories import open_exam

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_the_upgrade_counts_the_answers_stored_before(
    fresh_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(fresh_database_url)
    try:
        with use_clock(FrozenClock(START)) as frozen, Session(engine) as db:
            exam = open_exam(db, tmp_path)
            taker, _ = service.login(db, exam.nips[0], exam.token, None)
            attempt = service.start(db, taker)
            for position, choose, flagged in ((1, True, False), (2, True, True), (3, False, True)):
                frozen.advance(seconds=30)
                _, ref, _ = service.open_item(db, taker, position)
                option = ref.option_order[0] if choose else None
                service.save_answer(db, taker, position, option, flagged, service.seq_base())
            attempt_id = attempt.id
            db.commit()
        command.downgrade(migrate.alembic_config(fresh_database_url), "4a8c2e7d1f36")
        migrate.upgrade(fresh_database_url)
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT answered_count, last_answer_at FROM delivery_attempt WHERE id = :id"),
                {"id": attempt_id.hex if engine.dialect.name == "sqlite" else attempt_id},
            ).one()
    finally:
        engine.dispose()
    assert row[0] == 2
    last = row[1] if isinstance(row[1], datetime) else datetime.fromisoformat(str(row[1]))
    assert last.replace(tzinfo=UTC) == START + timedelta(seconds=90)
