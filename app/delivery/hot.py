"""The calls every open test page repeats every few seconds (item, answer save, heartbeat),
and the two a whole room makes in the same minute ("Mulai tes" and its test page), in Core
SQL, for the ordinary case only.

Through the ORM (identity loads, unit of work) such a call cost many times a bare request
with the database idle, and one worker could not serve a room of a few hundred takers
(figures: bench/README.md, "Figures behind the code"). Here a call is one read (the login,
its attempt, the current section and the form item, by the cookie's token hash) plus only
the writes it needs.

Whether a request is ordinary is core's to say (`core.ordinary`), from the values read here:
anything else — no attempt yet, awaiting admission, paused, submitted, a deadline or section
cut-off passed, an unknown position or a locked section, a request without the Safe Exam
Browser its event requires (`app/kit/seb.py`) — returns None, having written
nothing, and `service` runs the ORM path, which refuses or closes as core's rules say. This
module decides nothing of its own; tests/delivery/test_hot.py and test_core.py hold both paths
to the same rules. `service` chooses between the two: callers never import this module.
"""

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from app.delivery import core, plans
from app.delivery.content import CONTENT, Content
from app.delivery.core import AnswerChange, Answering, AttemptFacts
from app.delivery.models import (
    Answer,
    AnswerJournal,
    Attempt,
    AttemptSection,
    Broadcast,
    TakerLogin,
)
from app.delivery.selectors import AdaptiveSelector, FixedFormSelector, ItemRef
from app.exams.models import Event, ExamSession, Form, FormItem, Participant
from app.kit import seb
from app.kit.ids import new_id
from app.kit.secrets_gen import token_digest
from app.kit.timezones import format_local

L = TakerLogin.__table__
A = Attempt.__table__
S = AttemptSection.__table__
F = Form.__table__
FI = FormItem.__table__
P = Participant.__table__
AN = Answer.__table__
J = AnswerJournal.__table__
E = Event.__table__
B = Broadcast.__table__
ES = ExamSession.__table__

_current_section = S.alias("current_section")
_any_section = S.alias("any_section")
_news = B.alias("news")


def _shown_to(started_at: Any, session_id: Any) -> tuple[Any, ...]:
    """Which of a room's messages a page may show: sent since the attempt began, not expired
    (`now` a parameter). Both paths ask with this."""
    return (
        B.c.exam_session_id == session_id,
        B.c.at >= started_at,
        B.c.expires_at > bindparam("now"),
    )


def _latest_notice_id() -> Any:
    """The room's latest message this attempt may show (a correlated, indexed subquery)."""
    return (
        select(B.c.id)
        .where(*_shown_to(A.c.started_at, P.c.session_id))
        .order_by(B.c.at.desc())
        .limit(1)
        .correlate(P, A)
        .scalar_subquery()
    )


def _snapshot_query(with_item: bool, lock: bool, news: bool, blueprint: bool = False) -> Any:
    columns = [
        L.c.id.label("login_id"),
        L.c.needs_admission,
        L.c.admitted_at,
        P.c.session_id,
        A.c.id.label("attempt_id"),
        A.c.form_id,
        A.c.selector,
        A.c.status,
        A.c.submitted_by,
        A.c.deadline_at,
        A.c.paused_at,
        A.c.current_position,
        A.c.current_section,
        A.c.last_seen_at,
        A.c.journal_head,
        A.c.journal_rows,
        A.c.answered_count,
        F.c.item_count,
        _current_section.c.deadline_at.label("section_deadline"),
        exists().where(_any_section.c.attempt_id == A.c.id).correlate(A).label("has_sections"),
    ]
    columns.append(E.c.safe_exam_browser)  # an event may require Safe Exam Browser
    joined = (
        L.join(P, P.c.id == L.c.participant_id)
        .join(E, E.c.id == P.c.event_id)
        .join(A, A.c.participant_id == L.c.participant_id)
        .join(F, F.c.id == A.c.form_id)
        .outerjoin(
            _current_section,
            (_current_section.c.attempt_id == A.c.id)
            & (_current_section.c.section_position == A.c.current_section),
        )
    )
    if with_item:
        columns += [FI.c.section_position.label("item_section"), FI.c.item_version_id]
        columns += [FI.c.option_order]
        joined = joined.outerjoin(
            FI, (FI.c.form_id == A.c.form_id) & (FI.c.position == bindparam("position"))
        )
    else:
        columns += [literal(None).label("item_section"), literal(None).label("item_version_id")]
        columns += [literal(None).label("option_order")]
    if blueprint:  # sections: the batch's introductions, the test page's grid
        columns += [E.c.id.label("event_id"), E.c.blueprint_hash, P.c.name, P.c.nip]
        columns += [P.c.large_print]
        # None answered yet (a room's first pages): the answers' reads are left out.
        columns.append(exists().where(AN.c.attempt_id == A.c.id).correlate(A).label("answered"))
    else:  # the others read the answer they need without asking
        columns.append(literal(True).label("answered"))
    if news:  # the replies that the page reads the proctor's messages from
        columns += [
            _news.c.id.label("broadcast_id"),
            _news.c.message.label("broadcast_message"),
            _news.c.at.label("broadcast_at"),
            _news.c.expires_at.label("broadcast_expires_at"),
            ES.c.time_zone.label("room_zone"),
        ]
        joined = joined.join(ES, ES.c.id == P.c.session_id).outerjoin(
            _news, _news.c.id == _latest_notice_id()
        )
    query = (
        select(*columns)
        .select_from(joined)
        .where(L.c.token_hash == bindparam("token_hash"), L.c.revoked_at.is_(None))
    )
    # The attempt's row lock serialises a save against the sweeper's (or a proctor's) submit
    # on PostgreSQL, as service.save_answer's does; SQLite serialises all writers anyway. A
    # row held by another transaction is skipped: the ORM path then decides whether to wait
    # (another save of the taker) or to refuse at once (the sweeper closing it).
    return query.with_for_update(of=A, skip_locked=True) if lock else query


_READ_ITEM = _snapshot_query(with_item=True, lock=False, news=False)
_READ_PAGE = _snapshot_query(with_item=True, lock=False, news=False, blueprint=True)
_READ_FOR_SAVE = _snapshot_query(with_item=True, lock=True, news=True)
_READ_FOR_BEAT = _snapshot_query(with_item=True, lock=False, news=True)
_READ_FOR_BEAT_NO_ITEM = _snapshot_query(with_item=False, lock=False, news=True)
_READ_FOR_BATCH = _snapshot_query(with_item=False, lock=False, news=False, blueprint=True)
# Built once, executed with parameters: building a statement per call (and its cache key)
# was a measurable share of a save's CPU.
# (Not named after the columns: an UPDATE's parameters named so would be SET.)
_THIS_ANSWER = (AN.c.attempt_id == bindparam("the_attempt")) & (
    AN.c.position == bindparam("the_position")
)
_ANSWER = select(AN.c.option_id, AN.c.flagged, AN.c.seq).where(_THIS_ANSWER)
_ITEMS_BETWEEN = (
    select(FI.c.position, FI.c.section_position, FI.c.item_version_id, FI.c.option_order)
    .where(FI.c.form_id == bindparam("form_id"))
    .where(FI.c.position.between(bindparam("first"), bindparam("last")))
    .order_by(FI.c.position)
)
_ANSWERS_BETWEEN = select(AN.c.position, AN.c.option_id, AN.c.flagged, AN.c.seq).where(
    AN.c.attempt_id == bindparam("the_attempt"),
    AN.c.position.between(bindparam("first"), bindparam("last")),
)
_ADD_JOURNAL = insert(J)
_ADD_ANSWER = insert(AN)
_SET_ANSWER = (
    update(AN)
    .where(_THIS_ANSWER)
    .values(
        option_id=bindparam("new_option_id"),
        flagged=bindparam("new_flagged"),
        seq=bindparam("new_seq"),
        answered_at=bindparam("at"),
    )
)


def _typed(name: str, column: Any) -> Any:
    return bindparam(name, type_=column.type)


def _save_on_postgresql(touch: tuple[str, ...]) -> Any:
    """The save after the locked read, as one statement (PostgreSQL's writable CTEs): read
    the stored answer, and when this save is newer, add the journal row, write the answer;
    and set the attempt's columns in `touch` (last-seen, the item to resume on). Returns the
    answer stored before, if any.

    Four statements were four round trips and four executions through the driver: a
    save's largest share of CPU after the HTTP stack (bench/load closed loop). The CTE
    runs after the attempt's row lock is held, so it reads the save before it, as the
    separate read did."""
    prev = select(AN.c.option_id, AN.c.flagged, AN.c.seq).where(_THIS_ANSWER).cte("prev")
    newer = ~exists().where(prev.c.seq >= bindparam("new_seq"))
    attempt, position = (
        _typed("the_attempt", AN.c.attempt_id),
        _typed("the_position", AN.c.position),
    )
    new_option, new_flagged = (
        _typed("new_option_id", AN.c.option_id),
        _typed("new_flagged", AN.c.flagged),
    )
    new_seq, at = _typed("new_seq", AN.c.seq), _typed("at", AN.c.answered_at)
    head, count = _typed("link_head", A.c.journal_head), _typed("link_rows", A.c.journal_rows)
    journal = insert(J).from_select(
        [J.c.id, J.c.attempt_id, J.c.position, J.c.old_option_id, J.c.new_option_id]
        + [J.c.old_flagged, J.c.new_flagged, J.c.seq, J.c.recorded_at, J.c.login_id]
        + [J.c.chain_index, J.c.chain_hash],
        select(_typed("journal_id", J.c.id), attempt, position)
        .add_columns(select(prev.c.option_id).scalar_subquery(), new_option)
        .add_columns(select(prev.c.flagged).scalar_subquery(), new_flagged, new_seq, at)
        .add_columns(_typed("login_id", J.c.login_id))
        .add_columns(_typed("link_index", J.c.chain_index), _typed("link_hash", J.c.chain_hash))
        .where(newer),
    )
    # The attempt's row lock serialises its saves, so nothing can insert this answer between
    # the read and the write. (No ON CONFLICT: PostgreSQL's dialect insert is not cached.)
    add = insert(AN).from_select(
        [AN.c.attempt_id, AN.c.position, AN.c.option_id, AN.c.flagged, AN.c.seq, AN.c.answered_at],
        select(attempt, position, new_option, new_flagged, new_seq, at).where(~exists(prev)),
    )
    change = (
        update(AN)
        .where(_THIS_ANSWER, AN.c.seq < new_seq)
        .values(option_id=new_option, flagged=new_flagged, seq=new_seq, answered_at=at)
    )
    writes = [journal.cte("journal"), add.cte("add"), change.cte("change")]
    # The chain's new head and count go with the journal row (one UPDATE of the attempt per
    # statement: PostgreSQL does not say which of two updates of one row would win).
    # The board's progress (core.answered_change) goes with them.
    chosen_before = select(case((prev.c.option_id.is_not(None), 1), else_=0)).scalar_subquery()
    change_in_answered = case((new_option.is_not(None), 1), else_=0) - func.coalesce(
        chosen_before, 0
    )
    counted = {
        "journal_head": head,
        "journal_rows": count,
        "answered_count": A.c.answered_count + change_in_answered,
        "last_answer_at": at,
    }
    if touch:
        values: dict[str, Any] = {c: _typed(f"new_{c}", A.c[c]) for c in touch}
        values |= {c: case((newer, v), else_=A.c[c]) for c, v in counted.items()}
        seen = update(A).where(A.c.id == attempt).values(values)
    else:
        seen = update(A).where(A.c.id == attempt, newer).values(counted)
    writes.append(seen.cte("seen"))
    return select(prev.c.option_id, prev.c.flagged, prev.c.seq).add_cte(*writes)


# The attempt's columns a call may change, in every combination (sorted by name): last-seen
# and the item to resume on, and with a journal row (a save on SQLite) the chain's head.
_SEEN_OR_MOVED = (("last_seen_at",), ("current_position",), ("current_position", "last_seen_at"))
_CHAIN = ("answered_count", "journal_head", "journal_rows", "last_answer_at")
_ATTEMPT_CHANGES: tuple[tuple[str, ...], ...] = _SEEN_OR_MOVED + tuple(
    tuple(sorted(cols + _CHAIN)) for cols in ((), *_SEEN_OR_MOVED)
)
_SAVE_ON_POSTGRESQL: dict[tuple[str, ...], Any] = {
    cols: _save_on_postgresql(cols) for cols in ((), *_SEEN_OR_MOVED)
}

_TOUCH = {  # the attempt's columns a call changes -> its UPDATE
    cols: update(A)
    .where(A.c.id == bindparam("the_attempt"))
    .values({c: bindparam(f"new_{c}") for c in cols})
    for cols in _ATTEMPT_CHANGES
}


@dataclass(frozen=True)
class Notice:
    """A proctor's message as the page shows it: when it was sent, in the room's zone, and
    how long it still stands (the page counts that down; the PC's clock is never read)."""

    id: str
    message: str
    sent_at: str  # "10:42 WITA"
    expires_in: int  # seconds

    @classmethod
    def of(
        cls,
        id: uuid.UUID,
        message: str,
        at: datetime,
        expires_at: datetime,
        zone: str,
        now: datetime,
    ) -> "Notice":
        left = math.ceil((expires_at - now).total_seconds())
        return cls(str(id), message, format_local(at, zone, "%H:%M"), max(0, left))


@dataclass(frozen=True)
class Snapshot:
    """What one read tells about a taker's request, when it is an ordinary one."""

    row: Row[Any]
    now: datetime

    @property
    def attempt_id(self) -> uuid.UUID:
        attempt_id: uuid.UUID = self.row.attempt_id
        return attempt_id

    @property
    def facts(self) -> AttemptFacts:
        return facts_of(self.row)

    def broadcast(self) -> "Notice | None":
        """The room's latest proctor message this page may show (save and heartbeat reads)."""
        row = self.row
        if row.broadcast_id is None:
            return None
        return Notice.of(
            row.broadcast_id,
            row.broadcast_message,
            row.broadcast_at,
            row.broadcast_expires_at,
            row.room_zone,
            self.now,
        )

    def clock(self) -> tuple[int, int | None]:
        """(test, section) seconds left (core.remaining)."""
        return core.remaining(self.facts, self.now)


def facts_of(row: Row[Any]) -> AttemptFacts:
    return AttemptFacts(
        status=row.status,
        submitted_by=row.submitted_by,
        deadline_at=row.deadline_at,
        paused_at=row.paused_at,
        current_section=row.current_section,
        section_deadline_at=row.section_deadline,
        sequential=bool(row.has_sections),
        awaiting_admission=row.needs_admission and row.admitted_at is None,
    )


def _read(
    conn: Connection,
    query: Any,
    token: str | None,
    position: int | None,
    now: datetime,
    grace: timedelta,
    purpose: core.Purpose,
    adaptive_ok: bool = True,
) -> Snapshot | None:
    """The snapshot when core calls the request ordinary (with a reachable item at
    `position`, unless that is None), else None. `adaptive_ok`: the call may serve an
    adaptive attempt (not a batch)."""
    if not token:
        return None
    params = {
        "token_hash": token_digest(token),
        "position": position,
        "now": now,
    }
    row = conn.execute(query, params).first()
    if row is None:  # no login or no attempt: the ORM path says which
        return None
    # Another selector than the form's: the ORM path asks it. An adaptive attempt's drawn
    # items (fixed sections) come here; its adaptive sections' items are not in the form's
    # table (no row: not ordinary) and its batches may hold them, so those go by the ORM
    # path (delivery/adaptive.py chooses there).
    adaptive = adaptive_ok and row.selector == AdaptiveSelector.name
    if row.selector != FixedFormSelector.name and not adaptive:
        return None
    if not seb.allows(row.safe_exam_browser):  # the ORM path refuses it
        return None
    item_section = row.item_section if position is not None else False
    if not core.ordinary(facts_of(row), now, grace, purpose, item_section):
        return None
    return Snapshot(row, now)


# --- the calls -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRead:
    snapshot: Snapshot
    ref: ItemRef
    content: Content
    answer: Row[Any] | None  # option_id, flagged, seq


def open_item(
    db: Session,
    token: str | None,
    position: int,
    now: datetime,
    grace: timedelta,
    page: bool = False,
) -> ItemRead | None:
    """service.open_item + the stored answer, or None for the ORM path. `page`: the test
    page's read, with the participant and the event's blueprint."""
    conn = db.connection()
    snap = _read(conn, _READ_PAGE if page else _READ_ITEM, token, position, now, grace, "read")
    if snap is None:
        return None
    row = snap.row
    where = {"the_attempt": row.attempt_id, "the_position": position}
    stored = conn.execute(_ANSWER, where).first() if row.answered else None
    changes = _seen(snap)
    if row.current_position != position:  # the item to resume on
        changes["current_position"] = position
    _update_attempt(conn, snap, changes)
    ref = ItemRef(position, row.item_section, row.item_version_id, tuple(row.option_order))
    return ItemRead(snap, ref, CONTENT.get(conn, row.item_version_id), stored)


@dataclass(frozen=True)
class ItemsRead:
    snapshot: Snapshot
    items: list[tuple[ItemRef, Content, Row[Any] | None]]


def open_items(
    db: Session, token: str | None, first: int, last: int, now: datetime, grace: timedelta
) -> ItemsRead | None:
    """service.open_items: the reachable items at `first`..`last` with their stored
    answers (three statements whatever the form's length), or None for the ORM path."""
    conn = db.connection()
    snap = _read(conn, _READ_FOR_BATCH, token, None, now, grace, "read", adaptive_ok=False)
    if snap is None:
        return None
    items = _items_between(conn, snap, first, last)
    _update_attempt(conn, snap, _seen(snap))
    return ItemsRead(snap, items)


def page_items(
    db: Session, page: ItemRead, first: int, last: int
) -> list[tuple[ItemRef, Content, Row[Any] | None]]:
    """The batch the test page carries (prefetch.page_batch), read with the page's snapshot
    (`open_item(page=True)`): two statements more, no second login read. The page shows a
    fixed section's items only (an adaptive one's page carries none), which the form's
    table holds for an adaptive attempt too."""
    return _items_between(db.connection(), page.snapshot, first, last)


def _items_between(
    conn: Connection, snap: Snapshot, first: int, last: int
) -> list[tuple[ItemRef, Content, Row[Any] | None]]:
    row, facts = snap.row, snap.facts
    span = {"first": first, "last": last}
    refs = [
        ItemRef(r.position, r.section_position, r.item_version_id, tuple(r.option_order))
        for r in conn.execute(_ITEMS_BETWEEN, {"form_id": row.form_id, **span})
        if core.item_refusal(facts, r.section_position) is None
    ]
    answers = (
        {
            a.position: a
            for a in conn.execute(_ANSWERS_BETWEEN, {"the_attempt": row.attempt_id, **span})
        }
        if row.answered
        else {}
    )
    contents = CONTENT.get_many(conn, [ref.version_id for ref in refs])
    return [(ref, contents[ref.version_id], answers.get(ref.position)) for ref in refs]


@dataclass(frozen=True)
class Saved:
    snapshot: Snapshot
    option_id: str | None
    flagged: bool
    seq: int
    applied: bool


def save_answer(
    db: Session, token: str | None, save: Answering, now: datetime, grace: timedelta
) -> Saved | None:
    """service.save_answer: a journal row and the answer, unless an equal or newer save
    (by `seq`) is stored; or None for the ORM path."""
    conn = db.connection()
    snap = _read(conn, _READ_FOR_SAVE, token, save.position, now, grace, "answer")
    if snap is None:
        return None
    row = snap.row
    changes = _seen(snap)
    refused = core.answer_refusal(save.option_id, row.option_order, save.seq, now)
    if refused is not None:
        _update_attempt(conn, snap, changes)  # a refused call of the page counts as seen
        raise refused()
    if save.shown and row.current_position != save.position:
        changes["current_position"] = save.position
    if conn.dialect.name == "postgresql":
        return _save_in_one_statement(conn, snap, save, changes)
    position, option_id, flagged, seq = save.position, save.option_id, save.flagged, save.seq
    # Read after the lock is held, so a save that waited for it sees the one before it.
    where = {"the_attempt": row.attempt_id, "the_position": position}
    stored = conn.execute(_ANSWER, where).first()
    if not core.newer(stored, seq):
        assert stored is not None  # newer() holds when nothing is stored
        _update_attempt(conn, snap, changes)
        return Saved(snap, stored.option_id, stored.flagged, stored.seq, applied=False)
    change = AnswerChange(row.attempt_id, position, option_id, flagged, seq, snap.now, row.login_id)
    journal_id = new_id()
    linked = change.chained(journal_id, row.journal_head, row.journal_rows)
    conn.execute(
        _ADD_JOURNAL,
        {
            "id": journal_id,
            **change.journal(stored),
            "chain_index": linked["chain_index"],
            "chain_hash": linked["chain_hash"],
        },
    )
    changes |= {"journal_head": linked["journal_head"], "journal_rows": linked["journal_rows"]}
    before = stored.option_id if stored is not None else None
    changes["answered_count"] = row.answered_count + core.answered_change(before, option_id)
    changes["last_answer_at"] = snap.now
    values = {"option_id": option_id, "flagged": flagged, "seq": seq, "answered_at": snap.now}
    if stored is None:
        conn.execute(_ADD_ANSWER, {"attempt_id": row.attempt_id, "position": position, **values})
    else:
        new = {"new_option_id": option_id, "new_flagged": flagged, "new_seq": seq}
        conn.execute(_SET_ANSWER, {**where, **new, "at": snap.now})
    _update_attempt(conn, snap, changes)
    return Saved(snap, option_id, flagged, seq, applied=True)


def _save_in_one_statement(
    conn: Connection, snap: Snapshot, save: Answering, changes: dict[str, Any]
) -> Saved:
    row = snap.row
    journal_id = new_id()
    change = AnswerChange(
        row.attempt_id,
        save.position,
        save.option_id,
        save.flagged,
        save.seq,
        snap.now,
        row.login_id,
    )
    linked = change.chained(journal_id, row.journal_head, row.journal_rows)
    params = {
        "link_index": linked["chain_index"],
        "link_hash": linked["chain_hash"],
        "link_head": linked["journal_head"],
        "link_rows": linked["journal_rows"],
        "the_attempt": snap.attempt_id,
        "the_position": save.position,
        "new_option_id": save.option_id,
        "new_flagged": save.flagged,
        "new_seq": save.seq,
        "at": snap.now,
        "journal_id": journal_id,
        "login_id": row.login_id,
        **{f"new_{c}": v for c, v in changes.items()},
    }
    stored = conn.execute(_SAVE_ON_POSTGRESQL[tuple(sorted(changes))], params).first()
    if not core.newer(stored, save.seq):
        assert stored is not None  # newer() holds when nothing is stored
        return Saved(snap, stored.option_id, stored.flagged, stored.seq, applied=False)
    return Saved(snap, save.option_id, save.flagged, save.seq, applied=True)


def heartbeat(
    db: Session, token: str | None, position: int | None, now: datetime, grace: timedelta
) -> Snapshot | None:
    """service.heartbeat for a running attempt, or None for the ORM path."""
    query = _READ_FOR_BEAT if position is not None else _READ_FOR_BEAT_NO_ITEM
    conn = db.connection()
    snap = _read(conn, query, token, position, now, grace, "read")
    if snap is None:
        return None
    changes = _seen(snap)
    # With a position, _read has checked that it is reachable (else: the ORM path).
    if position is not None and snap.row.current_position != position:
        changes["current_position"] = position
    _update_attempt(conn, snap, changes)
    return snap


_READ_FOR_START = (
    select(
        L.c.needs_admission,
        L.c.admitted_at,
        P.c.id.label("participant_id"),
        P.c.extra_time_percent,
        ES.c.status.label("session_status"),
        E.c.id.label("event_id"),
        E.c.blueprint_hash,
        E.c.total_time_minutes,
        E.c.safe_exam_browser,
        F.c.id.label("form_id"),
        A.c.id.label("attempt_id"),
    )
    .select_from(
        L.join(P, P.c.id == L.c.participant_id)
        .join(ES, ES.c.id == P.c.session_id)
        .join(E, E.c.id == P.c.event_id)
        .outerjoin(F, F.c.participant_id == P.c.id)
        .outerjoin(A, A.c.participant_id == P.c.id)
    )
    .where(L.c.token_hash == bindparam("token_hash"), L.c.revoked_at.is_(None))
)
_ADD_ATTEMPT = insert(A)
_ADD_SECTION = insert(S)


def start(db: Session, token: str | None, now: datetime) -> int | None:
    """service.start for a login with no attempt yet that core lets start, in a fixed-form
    event: one read and the attempt's rows (and its first section's, when sections are
    taken in order). Returns the position the test opens at, or None for the ORM path
    (an attempt already started, a refusal, Safe Exam Browser, an adaptive section)."""
    if not token:
        return None
    conn = db.connection()
    row = conn.execute(_READ_FOR_START, {"token_hash": token_digest(token)}).first()
    if row is None or row.attempt_id is not None or not seb.allows(row.safe_exam_browser):
        return None
    facts = core.StartFacts(
        awaiting_admission=row.needs_admission and row.admitted_at is None,
        session_open=row.session_status == "open",
        has_form=row.form_id is not None,
    )
    if core.start_refusal(facts) is not None:
        return None
    sections = plans.sections_of(db, row.event_id, row.blueprint_hash)
    if any(s.adaptive for s in sections):  # its first item is chosen on opening
        return None
    deadline = core.test_deadline(row.total_time_minutes, row.extra_time_percent, now)
    first = sections[0]
    attempt_id = new_id()
    conn.execute(
        _ADD_ATTEMPT,
        {
            "id": attempt_id,
            "participant_id": row.participant_id,
            "form_id": row.form_id,
            "selector": FixedFormSelector.name,
            "status": "in_progress",
            "started_at": now,
            "deadline_at": deadline,
            "current_position": 1,
            "current_section": first.position,
            "last_seen_at": now,
        },
    )
    if plans.in_order(sections):
        limit, extra = first.time_limit_minutes, row.extra_time_percent
        conn.execute(
            _ADD_SECTION,
            {
                "attempt_id": attempt_id,
                "section_position": first.position,
                "started_at": now,
                "deadline_at": core.opened_section_deadline(limit, extra, now, deadline),
            },
        )
    return 1


def _seen(snap: Snapshot) -> dict[str, Any]:
    """Last-seen for the board (core.seen_due)."""
    due = core.seen_due(snap.row.last_seen_at, snap.now)
    return {"last_seen_at": snap.now} if due else {}


def _update_attempt(conn: Connection, snap: Snapshot, changes: dict[str, Any]) -> None:
    if changes:
        params = {f"new_{c}": v for c, v in changes.items()}
        conn.execute(_TOUCH[tuple(sorted(changes))], {"the_attempt": snap.attempt_id, **params})


_NOTICE = (
    select(B.c.id, B.c.message, B.c.at, B.c.expires_at, ES.c.time_zone)
    .join(ES, ES.c.id == B.c.exam_session_id)
    .where(*_shown_to(bindparam("started_at"), bindparam("session_id")))
    .order_by(B.c.at.desc())
    .limit(1)
)


def latest_notice(
    db: Session, session_id: uuid.UUID, started_at: datetime | None, now: datetime
) -> Notice | None:
    """The room's latest message for an attempt begun at `started_at` (None: not begun, so
    none), as the hot reads find it."""
    if started_at is None:
        return None
    params = {"session_id": session_id, "started_at": started_at, "now": now}
    row = db.connection().execute(_NOTICE, params).first()
    if row is None:
        return None
    return Notice.of(row.id, row.message, row.at, row.expires_at, row.time_zone, now)
