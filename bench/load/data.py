"""The benchmark's own data, made with the project's service functions: a generated bank, one
event per cohort of takers (rooms of `seats` seats, every form drawn before the session, every
session open), and one proctor per room of the steady-state cohort."""

import os
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

# Access codes and staff passwords are hashed once per person while preparing; the takers log
# in with NIP + room token and proctors log in once, so a cheap hash changes no measured path.
os.environ.setdefault("PROASN_ACCESS_CODE_HASH_TIME_COST", "1")
os.environ.setdefault("PROASN_ACCESS_CODE_HASH_MEMORY_KIB", "8")
os.environ.setdefault("PROASN_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("PROASN_PASSWORD_HASH_MEMORY_KIB", "64")

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import migrate  # noqa: E402
from app.accounts.service import create_user  # noqa: E402
from app.bank.loader import load_bank  # noqa: E402
from app.bank.service import import_bank  # noqa: E402
from app.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from app.exams import repository as exams_repository  # noqa: E402
from app.exams.event_file import EventDoc  # noqa: E402
from app.exams.participant_file import Row  # noqa: E402
from app.exams.preparation import prepare_sessions  # noqa: E402
from app.exams.service import import_event  # noqa: E402
from app.kit import clock  # noqa: E402
from app.kit.nip import normalise_nip  # noqa: E402
from app.kit.timezones import to_local  # noqa: E402
from app.proctoring.assignments import assign_proctor  # noqa: E402
from question_bank.generators.pool import write_pool  # noqa: E402

ZONE = "Asia/Makassar"
PROCTOR_PASSWORD = "bench-pengawas-1"  # noqa: S105 (a throwaway database)
AGENCY = "7371"


@dataclass(frozen=True)
class Cohort:
    name: str
    takers: int
    form_items: int
    total_minutes: int = 240


@dataclass
class Room:
    session_id: str
    code: str
    token: str
    nips: list[str]
    proctor: str | None = None


@dataclass
class PreparedCohort:
    cohort: Cohort
    event_code: str
    rooms: list[Room]

    @property
    def seats(self) -> list[tuple[str, str, Room]]:
        """(NIP, room token, room) for every taker, room by room."""
        return [(nip, room.token, room) for room in self.rooms for nip in room.nips]


@dataclass
class Prepared:
    cohorts: dict[str, PreparedCohort] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def bench_nip(n: int) -> str:
    """A distinct valid NIP for each n < 9000 × 999 (birth day, then the sequence number)."""
    birth = date(1965, 1, 1) + timedelta(days=n % 9000)
    nip = f"{birth:%Y%m%d}{birth.year + 25}01{1 + n % 2}{n // 9000 + 1:03d}"
    return normalise_nip(nip)


def event_doc(cohort: Cohort, rooms: int, seats: int) -> EventDoc:
    start = to_local(clock.now(), ZONE).replace(second=0, microsecond=0)
    half = cohort.form_items // 2
    return EventDoc.model_validate(
        {
            "code": f"bench-{cohort.name}",
            "name": f"Uji beban ({cohort.name})",
            "organiser": "bench",
            "time_zone": ZONE,
            "agencies": [{"code": AGENCY, "name": "Pemerintah Kota Makassar", "seats": 100_000}],
            "blueprint": {
                "total_time_minutes": cohort.total_minutes,
                "sections": [
                    {"title": "Penalaran Numerik", "subtest": "numerik", "items": half},
                    {
                        "title": "Penalaran Figural",
                        "subtest": "figural",
                        "items": cohort.form_items - half,
                    },
                ],
            },
            "sessions": [
                {
                    "code": f"R{r:03d}",
                    "venue": "Kantor Regional (uji beban)",
                    "room": f"Ruang {r}",
                    "date": start.date(),
                    "start": start.time(),
                    "capacity": seats,
                }
                for r in range(1, rooms + 1)
            ],
        }
    )


def _cohort(db: Session, cohort: Cohort, first_nip: int, seats: int) -> PreparedCohort:
    rooms = -(-cohort.takers // seats)
    doc = event_doc(cohort, rooms, seats)
    rows = [
        Row(
            number + 2,
            {
                "nip": bench_nip(first_nip + number),
                "name": f"Peserta {first_nip + number}",
                "agency": AGENCY,
                "position": "Kepala Seksi",
                "eselon": "IV.a",
                "session": f"R{number // seats + 1:03d}",
            },
        )
        for number in range(cohort.takers)
    ]
    import_event(db, doc, rows)
    event = exams_repository.event_by_code(db, doc.code)
    assert event is not None
    codes = [s.code for s in doc.sessions]
    prepare_sessions(db, event, codes)
    prepared = PreparedCohort(cohort, doc.code, [])
    by_session: dict[str, list[str]] = {}
    for row in rows:
        by_session.setdefault(row.values["session"], []).append(row.values["nip"])
    for code in codes:
        exam_session = exams_repository.session_by_code(db, event.id, code)
        assert exam_session is not None
        exam_session.status = "open"
        exam_session.opened_at = clock.now()
        prepared.rooms.append(
            Room(str(exam_session.id), code, exam_session.room_token, by_session[code])
        )
    db.flush()
    return prepared


def _proctors(db: Session, prepared: PreparedCohort) -> None:
    for number, room in enumerate(prepared.rooms, 1):
        username = f"pengawas-{prepared.cohort.name}-{number}"
        create_user(db, username, PROCTOR_PASSWORD, "proctor", f"Pengawas {number}")
        assign_proctor(db, username, prepared.event_code, room.code)
        room.proctor = username


def prepare(
    database_url: str, workdir: Path, cohorts: list[Cohort], seats: int, boards_for: set[str]
) -> Prepared:
    """Migrate an empty database and fill it; returns who sits where."""
    result = Prepared()
    began = time.monotonic()
    migrate.upgrade(database_url)
    result.seconds["migrate"] = time.monotonic() - began
    pool_items = max(c.form_items for c in cohorts) + 100
    bank_dir = write_pool_once(workdir / "bank", pool_items)
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    began = time.monotonic()
    with transaction(factory) as db:
        import_bank(db, load_bank(bank_dir))
    result.seconds["bank import"] = time.monotonic() - began
    first_nip = 1
    for cohort in cohorts:
        began = time.monotonic()
        with transaction(factory) as db:
            prepared = _cohort(db, cohort, first_nip, seats)
            if cohort.name in boards_for:
                _proctors(db, prepared)
        result.cohorts[cohort.name] = prepared
        result.seconds[f"event {cohort.name}"] = time.monotonic() - began
        first_nip += cohort.takers
    if engine.dialect.name == "postgresql":
        # The forms are drawn days before a session: autovacuum has long been through the
        # freshly written millions of form items then, not in the middle of the bench.
        began = time.monotonic()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
        result.seconds["vacuum"] = time.monotonic() - began
    engine.dispose()
    return result


def write_pool_once(folder: Path, items: int) -> Path:
    if not (folder / "subtests.yaml").exists():
        write_pool(folder, items, 20261201)
    return folder
