"""`proasn event replay-adaptive`: an auditor replays an event's adaptive sections."""

import re
from pathlib import Path

from sqlalchemy import select, update
from typer.testing import CliRunner

from app.audit.models import AuditEntry
from app.cli import app
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import adaptive
from app.delivery.models import AdaptiveStep
from tests.delivery.adaptive_factories import adaptive_exam
from tests.delivery.test_adaptive import sit_adaptive, started, through_verbal

runner = CliRunner()


def test_the_replay_says_each_sequence_is_the_same_and_finds_a_changed_answer(
    use_database: str, tmp_path: Path
) -> None:
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        exam = adaptive_exam(db, tmp_path)
        code, nips = exam.event.code, exam.nips
        for n in range(2):
            taker, attempt = started(db, exam, n)
            through_verbal(db, taker)
            sit_adaptive(db, taker, attempt, index=n)
    env = {"PROASN_LANG": "en"}
    shown = runner.invoke(app, ["event", "show", code], env=env)
    assert "— adaptive, at most 6 items from numerik" in shown.output  # a maximum, not a count

    result = runner.invoke(app, ["event", "replay-adaptive", code], env=env)
    assert result.exit_code == 0, result.output
    assert "2 attempts replayed; 0 sections differ." in result.output
    assert f"{nips[0]}" in result.output and "section 2:" in result.output

    with transaction(make_sessionmaker(engine)) as db:  # one stored answer changed after
        attempt_id = db.scalars(select(AdaptiveStep.attempt_id)).first()
        assert attempt_id is not None
        first = min(s.position for s in adaptive.steps_of(db, attempt_id))
        db.execute(
            update(AdaptiveStep)
            .where(AdaptiveStep.attempt_id == attempt_id, AdaptiveStep.position == first)
            .values(response=AdaptiveStep.response * -1 + 1)
        )
    adaptive.forget_progress()
    result = runner.invoke(app, ["event", "replay-adaptive", code], env=env)
    assert result.exit_code == 1
    # On stdout beside the summary (a saved report keeps it), its detail translated too.
    # (which item differs first depends on the forms drawn: the changed answer moves θ)
    assert re.search(r"DIFFERENT \(item \d+: stored \w+, the engine chooses", result.stdout)
    assert "1 sections differ." in result.stdout
    indonesian = runner.invoke(app, ["event", "replay-adaptive", code], env={"PROASN_LANG": ""})
    assert re.search(r"BERBEDA \(butir \d+: tersimpan \w+, mesin memilih", indonesian.stdout)

    one = runner.invoke(app, ["event", "replay-adaptive", code, "--nip", nips[1]], env=env)
    assert "1 attempts replayed" in one.output
    none = runner.invoke(app, ["event", "replay-adaptive", code, "--nip", "0" * 18], env=env)
    assert none.exit_code == 1 and "No attempt" in none.output
    with transaction(make_sessionmaker(engine)) as db:
        entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "adaptive.replay"))
        assert [e.details["different"] for e in entries] == [0, 1, 1, 0]
    engine.dispose()
