"""A finished, scored world in a database of its own (the purge commits batch by batch)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from app.db import make_engine, make_sessionmaker, transaction
from app.kit.secrets_gen import hash_access_code
from app.scoring import service as scoring
from tests.delivery.factories import open_exam
from tests.scoring.test_service import ANALYST, sit

PUBLISHED_AT = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@dataclass
class Scored:
    url: str
    event_code: str
    nips: list[str]
    codes: dict[str, str]  # NIP → plaintext access code


@contextmanager
def session_of(url: str) -> Iterator[Session]:
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as db:
            yield db
    finally:
        engine.dispose()


def scored_world(url: str, tmp_path: Path, publish: bool = True) -> Scored:
    """Three registered, two sat (best, worst), scored; published when asked. Run under a
    clock at PUBLISHED_AT."""
    with session_of(url) as db:
        exam = open_exam(db, tmp_path, people=3)
        sit(db, exam, 0, best=True)
        sit(db, exam, 1, best=False)
        run = scoring.run_scoring(db, exam.event, ANALYST)
        if publish:
            scoring.publish(db, ANALYST, run)
        codes = {}
        from app.exams.repository import participants

        for n, person in enumerate(participants(db, exam.event.id)):
            codes[person.nip] = f"KODE{n}AAAAAAA"
            person.access_code_hash = hash_access_code(codes[person.nip])
        return Scored(url, exam.event.code, list(exam.nips), codes)
