"""`proasn db backup` while an exam runs: the copy is one consistent moment of the database
(every stored answer agrees with the newest journal entry of its item)."""

import subprocess
import threading
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from app.cli import app
from app.db import make_engine, make_sessionmaker, normalise_database_url, transaction
from app.delivery import service
from app.delivery.models import Answer, AnswerJournal
from tests.conftest import BACKEND, DatabaseFactory
from tests.delivery.factories import open_exam


def _answers_agree_with_journal(url: str) -> tuple[int, int]:
    """(journal rows, answers whose seq is not their item's newest journal seq)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        journal = connection.scalar(select(func.count()).select_from(AnswerJournal)) or 0
        newest = (
            select(AnswerJournal.position, func.max(AnswerJournal.seq).label("seq"))
            .group_by(AnswerJournal.position)
            .subquery()
        )
        disagree = connection.scalar(
            select(func.count())
            .select_from(Answer)
            .join(newest, newest.c.position == Answer.position)
            .where(newest.c.seq != Answer.seq)
        )
    engine.dispose()
    return journal, disagree or 0


def test_backup_is_consistent_while_answers_are_saved(
    use_database: str, databases: DatabaseFactory, tmp_path: Path
) -> None:
    engine = make_engine(use_database)
    factory = make_sessionmaker(engine)
    with transaction(factory) as db:
        exam = open_exam(db, tmp_path, people=1)
        _, cookie = service.login(db, exam.nips[0], exam.token, None)
        taker = service.authenticate(db, cookie)
        service.start(db, taker)
        options = {p: service.open_item(db, taker, p)[1].option_order for p in range(1, 6)}
    stop, saved = threading.Event(), [0]

    def keep_answering() -> None:  # the exam goes on while the copy is made
        seq = 1
        while not stop.is_set() or saved[0] < 20:
            with transaction(factory) as db:
                taker = service.authenticate(db, cookie)
                position = seq % 5 + 1
                service.save_answer(db, taker, position, options[position][seq % 2], False, seq)
            seq += 1
            saved[0] += 1

    writer = threading.Thread(target=keep_answering)
    writer.start()
    try:
        while saved[0] < 10:
            stop.wait(0.01)
        out = tmp_path / "salinan.db"
        result = CliRunner().invoke(app, ["db", "backup", str(out)], catch_exceptions=False)
    finally:
        stop.set()
        writer.join()
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert "Salinan basis data ditulis" in result.output
    copy_url = f"sqlite:///{out}"
    if BACKEND == "postgresql":
        copy_url = databases.copy()
        target = make_url(normalise_database_url(copy_url)).set(drivername="postgresql")
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
             f"--dbname={target.render_as_string(hide_password=False)}", str(out)],
            check=True, capture_output=True,
        )  # fmt: skip
    journal, disagree = _answers_agree_with_journal(copy_url)
    total, _ = _answers_agree_with_journal(use_database)
    assert 10 <= journal <= total and disagree == 0
    # A second backup to the same file is refused rather than overwriting it.
    again = CliRunner().invoke(app, ["db", "backup", str(out)], catch_exceptions=False)
    assert again.exit_code == 1 and "sudah ada" in again.output
    if BACKEND == "postgresql":
        databases.drop(copy_url)
