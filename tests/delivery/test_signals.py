"""The open pages' signal stream: what wakes a page (a proctor's action on its attempt, a
message to its room), read once per tick for the whole worker, each change told once."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from app.audit.service import Actor
from app.db import make_sessionmaker
from app.delivery import repository, signals
from app.delivery import service as delivery
from app.kit.clock import FrozenClock, use_clock
from app.proctoring import service as proctoring
from tests.delivery.factories import OpenExam, open_exam
from tests.statements import recorded

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
ALICE = Actor(None, "pengawas-a", "proctor")


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(START)) as c:
        yield c


@pytest.fixture
def exam(db_session: Session, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return open_exam(db_session, tmp_path, people=2)


def _started(db: Session, exam: OpenExam, n: int):
    taker, token = delivery.login(db, exam.nips[n], exam.token, None)
    return taker, delivery.start(db, taker), token


def test_a_pause_and_a_message_are_what_the_pages_hear_of(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt, token = _started(db_session, exam, 0)
    since = START
    frozen.advance(seconds=1)
    assert repository.page_signals_since(db_session, since) == []
    proctoring.pause_seat(db_session, ALICE, exam.session, taker.participant, "sakit")
    proctoring.broadcast(db_session, ALICE, exam.session, "Harap tenang")
    db_session.flush()
    found = {(kind, key) for kind, key, _ in repository.page_signals_since(db_session, since)}
    assert found == {("attempt", attempt.id), ("room", exam.session.id)}
    from app.kit.secrets_gen import token_digest

    page = repository.page_of(db_session, token_digest(token))
    assert page == (exam.session.id, attempt.id, None, START + timedelta(seconds=1))
    # None: no Safe Exam Browser; the last change: the pause and the message, both at +1 s


def test_a_stream_opened_after_a_change_the_page_missed_tells_it_at_once(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    """The page read its state at `read`; a proctor paused the seat later, before the page's
    stream opened: the stream's first event is a `change`. Changes older than the page (by
    more than the commit overlap) are not told again."""
    taker, attempt, token = _started(db_session, exam, 0)
    from app.kit.secrets_gen import token_digest

    read = frozen.now().timestamp()
    assert repository.page_of(db_session, token_digest(token)).changed_at is None
    assert not signals.missed(None, read)
    frozen.advance(seconds=3)
    proctoring.pause_seat(db_session, ALICE, exam.session, taker.participant, "sakit")
    db_session.flush()
    changed = repository.page_of(db_session, token_digest(token)).changed_at
    assert signals.missed(changed, read)
    assert not signals.missed(changed, read + 60)  # a page loaded a minute after the pause
    assert not signals.missed(changed, None)  # a page of before the stamp: as before

    async def first_events(wake_first: bool) -> list[bytes]:
        hub = signals.Signals(lambda: nullcontext(db_session), period=60)
        events = signals.stream(
            hub, exam.session.id, attempt.id, seconds=0.05, wake_first=wake_first
        )
        return [event async for event in events]

    with ThreadPoolExecutor(1) as other:
        told = other.submit(asyncio.run, first_events(True)).result()
        quiet = other.submit(asyncio.run, first_events(False)).result()
    assert told[1] == b"event: change\ndata:\n\n"
    assert b"event: change\ndata:\n\n" not in quiet


def test_the_watcher_wakes_only_the_pages_concerned_and_each_once(
    db_session: Session, exam: OpenExam, frozen: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, a, _ = _started(db_session, exam, 0)
    _, b, _ = _started(db_session, exam, 1)
    db_session.flush()
    # In this thread, on the test's transaction (the worker runs it in a thread of its own).
    monkeypatch.setattr(signals, "run_in_threadpool", lambda read: asyncio.sleep(0, read()))
    # The watcher commits its read; here that would end the test's own transaction.
    monkeypatch.setattr(db_session, "commit", db_session.flush)
    hub = signals.Signals(lambda: nullcontext(db_session), period=0.001)

    async def run() -> list[tuple[bool, bool]]:
        woken = []
        async with hub.listen(exam.session.id, a.id) as qa, hub.listen(exam.session.id, b.id) as qb:

            async def tick() -> tuple[bool, bool]:
                # two full reads after the change, however slow the machine (not a fixed time)
                done = hub.rounds + 2
                for _ in range(5000):
                    if hub.rounds >= done:
                        break
                    await asyncio.sleep(0.001)
                got = (not qa.empty(), not qb.empty())
                for q in (qa, qb):
                    while not q.empty():
                        q.get_nowait()
                return got

            woken.append(await tick())  # nothing happened
            frozen.advance(seconds=1)
            proctoring.pause_seat(db_session, ALICE, exam.session, first.participant, "cek")
            db_session.flush()
            woken.append(await tick())  # a's seat paused: a only
            woken.append(await tick())  # the same change is not told twice
            frozen.advance(seconds=1)
            proctoring.broadcast(db_session, ALICE, exam.session, "Istirahat")
            db_session.flush()
            woken.append(await tick())  # the room's message: both
        await asyncio.sleep(0.01)
        return woken

    # In a thread of its own: in the whole suite the browser tests' Playwright keeps an event
    # loop running in this thread, and asyncio.run refuses to start another one here.
    with ThreadPoolExecutor(1) as other:
        woken = other.submit(asyncio.run, run()).result()
    assert woken == [(False, False), (True, False), (False, False), (True, True)]
    assert hub.pages == 0


def test_the_watcher_reads_two_statements_whatever_the_number_of_takers(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    for n in range(2):
        _started(db_session, exam, n)
    db_session.flush()
    with recorded(db_session.connection()) as statements:
        repository.page_signals_since(db_session, START)
    assert len(statements) == 2


def test_a_rooms_streams_opened_together_do_not_end_together(
    db_session: Session, exam: OpenExam, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one fixed lifetime a room's streams, opened in the same seconds, all reconnected
    in the same seconds every ten minutes (a stall of the worker in the load bench)."""
    _, attempt, _ = _started(db_session, exam, 0)
    drawn = [signals.lifetime() for _ in range(200)]
    assert min(drawn) >= 0.75 * signals.STREAM_SECONDS
    assert max(drawn) <= 1.25 * signals.STREAM_SECONDS
    assert max(drawn) - min(drawn) > 0.3 * signals.STREAM_SECONDS  # spread over minutes
    monkeypatch.setattr(signals, "STREAM_SECONDS", 0.4)
    hub = signals.Signals(lambda: nullcontext(db_session), period=60)

    async def one() -> float:
        began = asyncio.get_running_loop().time()
        async for _ in signals.stream(hub, exam.session.id, attempt.id):
            pass
        return asyncio.get_running_loop().time() - began

    async def room() -> list[float]:
        return list(await asyncio.gather(*(one() for _ in range(20))))

    # In a thread of its own (the browser tests' event loop may be running in this one).
    with ThreadPoolExecutor(1) as other:
        ended = other.submit(asyncio.run, room()).result()
    assert all(0.3 - 0.01 <= t <= 0.5 + 0.1 for t in ended)
    assert max(ended) - min(ended) > 0.05


def test_the_watchers_read_ends_in_a_commit_not_a_rollback(engine: Engine) -> None:
    """psycopg drops every statement a connection has prepared when it rolls back (DEALLOCATE
    ALL). The watcher's read, twice a second, closed its session with the transaction open:
    each time a pooled connection rolled back, and the requests it served next were parsed
    and planned again (PostgreSQL's CPU rose from 24 % to 40 % of a core in the load bench)."""
    ended: list[str] = []

    def rolled_back(_connection: object) -> None:
        ended.append("rollback")

    def committed(_connection: object) -> None:
        ended.append("commit")

    event.listen(engine, "rollback", rolled_back)
    event.listen(engine, "commit", committed)
    try:
        hub = signals.Signals(make_sessionmaker(engine))
        hub._read()
        hub._read()
    finally:
        event.remove(engine, "rollback", rolled_back)
        event.remove(engine, "commit", committed)
    assert ended == ["commit", "commit"]
