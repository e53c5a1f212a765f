"""A site's files at national size (issue 17, item 7):

    python -m bench.sync [--quick] [--json FILE] [--workdir DIR]

One central and one site database (SQLite files in the work directory), each with its keys.
The centre holds an event of 470 participants × 700-item forms (bench/load/data.py's
generated pool and event file, rooms of 40), every session prepared; all of them are packaged
for the site. Measured: the package's size and the time to make it (centre) and to load it
(site). Then every participant sits at the site: their attempt with an answer to every item
and a second answer to every tenth, through the journal's hash chain (app/delivery/chain.py)
as the save path writes it, submitted and scored by the delivery service; the sessions
close. Measured: the results file's size and the time to make it (site) and to load it at
the centre (signature, journal chains, the merge, raw scores recomputed).

Figures land in bench/README.md and docs/sites.md. `--quick`: 20 participants × 30 items.
"""

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app import migrate
from app.audit.service import Actor
from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import chain
from app.delivery import service as delivery
from app.delivery.core import AnswerChange
from app.delivery.models import Answer, AnswerJournal, Attempt
from app.exams import repository as exams_repository
from app.exams.models import ExamSession, FormItem, Participant
from app.exams.participant_file import Row
from app.exams.preparation import prepare_sessions
from app.exams.service import import_event
from app.kit import clock
from app.kit.ids import new_id
from app.proctoring import service as proctoring
from app.sync import service
from app.sync.keys import create_keys
from bench.load.data import AGENCY, Cohort, bench_nip, event_doc, write_pool_once

ACTOR = Actor(None, "cli:bench", "admin")
SEATS = 40


@dataclass(frozen=True)
class Size:
    participants: int
    items: int


FULL = Size(470, 700)
QUICK = Size(20, 30)


def _database(workdir: Path, name: str) -> Any:
    url = f"sqlite:///{workdir / name}.db"
    migrate.upgrade(url)
    return make_engine(url), url


def _central(factory: Any, workdir: Path, size: Size) -> str:
    """The bank, the event and its forms drawn; returns the event's code."""
    with transaction(factory) as db:
        import_bank(db, load_bank(write_pool_once(workdir / "bank", size.items + 100)))
    cohort = Cohort("sync", size.participants, size.items)
    rooms = -(-size.participants // SEATS)
    doc = event_doc(cohort, rooms, SEATS)
    rows = [
        Row(
            n + 2,
            {
                "nip": bench_nip(n + 1),
                "name": f"Peserta {n + 1}",
                "agency": AGENCY,
                "position": "Kepala Seksi",
                "eselon": "IV.a",
                "session": f"R{n // SEATS + 1:03d}",
            },
        )
        for n in range(size.participants)
    ]
    with transaction(factory) as db:
        import_event(db, doc, rows)
        event = exams_repository.event_by_code(db, doc.code)
        assert event is not None
        prepare_sessions(db, event, [s.code for s in doc.sessions])
    return doc.code


def _sit_everyone(db: Session) -> int:
    """Every participant's attempt, answered through the journal's chain, submitted; returns
    the journal rows written."""
    for room in db.scalars(select(ExamSession)):
        proctoring.open_session(db, ACTOR, room)
    db.flush()
    written = 0
    people = list(db.scalars(select(Participant).order_by(Participant.nip)))
    for person in people:
        seat_room = db.get_one(ExamSession, person.session_id)
        taker, _ = delivery.login(db, person.nip, seat_room.room_token, None)
        attempt = delivery.start(db, taker)
        written += _answer_all(db, attempt, taker.login.id)
        delivery.force_submit(db, attempt, "taker")
        db.flush()
    for room in db.scalars(select(ExamSession)):
        proctoring.close_session(db, ACTOR, room, "selesai")
    return written


def _answer_all(db: Session, attempt: Attempt, login_id: Any) -> int:
    """An answer to every item, a changed one to every tenth: the rows the save path writes."""
    items = db.execute(
        select(FormItem.position, FormItem.option_order)
        .where(FormItem.form_id == attempt.form_id)
        .order_by(FormItem.position)
    ).all()
    now, head, count = clock.now(), chain.EMPTY, 0
    seq, journal = delivery.seq_base(), []
    answers: dict[int, dict[str, Any]] = {}
    saves = [(p, order[0]) for p, order in items] + [
        (p, order[1]) for p, order in items if p % 10 == 0
    ]
    for position, option in saves:
        seq += 1
        before = answers.get(position)
        change = AnswerChange(attempt.id, position, option, False, seq, now, login_id)
        journal_id = new_id()
        linked = change.chained(journal_id, head, count)
        stored = None if before is None else _Stored(before["option_id"], False, before["seq"])
        journal.append(
            {
                "id": journal_id,
                **change.journal(stored),
                "chain_index": linked["chain_index"],
                "chain_hash": linked["chain_hash"],
            }
        )
        head, count = linked["journal_head"], linked["journal_rows"]
        answers[position] = {
            "attempt_id": attempt.id,
            "position": position,
            "option_id": option,
            "flagged": False,
            "seq": seq,
            "answered_at": now,
        }
    db.execute(insert(AnswerJournal), journal)
    db.execute(insert(Answer), list(answers.values()))
    db.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(journal_head=head, journal_rows=count)
    )
    db.refresh(attempt)
    return len(journal)


@dataclass
class _Stored:  # (core.StoredAnswer's attributes are plain, not read-only)
    option_id: str | None
    flagged: bool
    seq: int


def run(size: Size, workdir: Path) -> dict[str, Any]:
    central_engine, _ = _database(workdir, "pusat")
    site_engine, _ = _database(workdir, "lokasi")
    central, site = make_sessionmaker(central_engine), make_sessionmaker(site_engine)
    central_keys = create_keys(workdir / "pusat.key")
    site_keys = create_keys(workdir / "lokasi.key")
    event_code = _central(central, workdir, size)
    with transaction(central) as db:
        service.add_site(db, ACTOR, "lokasi", site_keys.public.text)
        codes = [s.code for s in db.scalars(select(ExamSession).order_by(ExamSession.code))]
    with transaction(site) as db:
        service.trust_central(db, ACTOR, central_keys.public.text)
    figures: dict[str, Any] = {
        "participants": size.participants,
        "form_items": size.items,
        "sessions": len(codes),
    }

    began = time.perf_counter()
    with transaction(central) as db:
        package, _ = service.make_package(db, ACTOR, central_keys, event_code, "lokasi", codes)
    figures["package_seconds"] = round(time.perf_counter() - began, 2)
    figures["package_bytes"] = len(package)
    began = time.perf_counter()
    with transaction(site) as db:
        service.load_package_file(db, ACTOR, site_keys, package)
    figures["load_package_seconds"] = round(time.perf_counter() - began, 2)

    began = time.perf_counter()
    with transaction(site) as db:
        figures["journal_rows"] = _sit_everyone(db)
    figures["sitting_seconds"] = round(time.perf_counter() - began, 2)

    began = time.perf_counter()
    with transaction(site) as db:
        results, header = service.make_results(db, ACTOR, site_keys, event_code)
    figures["results_seconds"] = round(time.perf_counter() - began, 2)
    figures["results_bytes"] = len(results)
    figures["results_complete"] = header["about"]["complete"]
    began = time.perf_counter()
    with transaction(central) as db:
        report = service.load_results_file(db, ACTOR, central_keys, results)
    figures["load_results_seconds"] = round(time.perf_counter() - began, 2)
    figures["loaded_attempts"] = report.added["attempts"]
    figures["loaded_answers"] = report.added["answers"]
    central_engine.dispose()
    site_engine.dispose()
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20 participants × 30 items")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--workdir", type=Path, help="keep the databases and files here")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        figures = run(size, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="proasn-bench-sync-") as folder:
            figures = run(size, Path(folder))
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
