"""The calls every open test page repeats every few seconds (item, answer save, heartbeat) in
Core SQL, for the ordinary case only.

bench/load measured ~4 ms of CPU per such call through the ORM (identity loads, unit of
work), 17 times a bare ping, with the database idle: one worker could not serve a room of a
few hundred takers. Here a call is one read (the login, its attempt, the current section and
the form item, by the cookie's token hash) plus only the writes it needs.

Anything out of the ordinary — no attempt yet, awaiting admission, paused, submitted, a
deadline or section cut-off passed, an unknown position or a locked section — returns None
and the caller runs the ORM path in `service`, which owns every rule. So this module answers
only what `service` would answer the same way; tests/delivery/test_hot.py holds it to that.
"""

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, bindparam, exists, insert, literal, select, update
from sqlalchemy.orm import Session

from app.bank.models import ItemVersion
from app.delivery import errors
from app.delivery.models import Answer, AnswerJournal, Attempt, AttemptSection, TakerLogin
from app.delivery.selectors import FixedFormSelector, ItemRef
from app.delivery.service import SEQ_SPAN, AnswerChange, answer_grace, seen_due, seq_base
from app.delivery.timing import past_cutoff
from app.delivery.views import Content
from app.exams.models import Form, FormItem, Participant
from app.kit import clock
from app.kit.ids import new_id
from app.kit.secrets_gen import token_digest
from app.proctoring.models import Broadcast

L = TakerLogin.__table__
A = Attempt.__table__
S = AttemptSection.__table__
F = Form.__table__
FI = FormItem.__table__
P = Participant.__table__
AN = Answer.__table__
J = AnswerJournal.__table__
V = ItemVersion.__table__
B = Broadcast.__table__

# A proctor's message reaches the pages that beat within this long after it was sent.
BROADCAST_WINDOW = timedelta(minutes=30)

_current_section = S.alias("current_section")
_any_section = S.alias("any_section")


def _latest_broadcast(column: Any) -> Any:
    """The room's latest proctor message of the window (a correlated, indexed subquery)."""
    return (
        select(column)
        .where(B.c.exam_session_id == P.c.session_id, B.c.at > bindparam("since"))
        .order_by(B.c.at.desc())
        .limit(1)
        .correlate(P)
        .scalar_subquery()
    )


def _snapshot_query(with_item: bool, lock: bool, news: bool) -> Any:
    columns = [
        L.c.id.label("login_id"),
        L.c.needs_admission,
        L.c.admitted_at,
        P.c.session_id,
        A.c.id.label("attempt_id"),
        A.c.selector,
        A.c.status,
        A.c.deadline_at,
        A.c.paused_at,
        A.c.current_position,
        A.c.current_section,
        A.c.last_seen_at,
        F.c.item_count,
        _current_section.c.deadline_at.label("section_deadline"),
        exists().where(_any_section.c.attempt_id == A.c.id).correlate(A).label("has_sections"),
    ]
    joined = (
        L.join(P, P.c.id == L.c.participant_id)
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
    if news:  # the replies that the page reads the proctor's messages from
        columns += [
            _latest_broadcast(B.c.id).label("broadcast_id"),
            _latest_broadcast(B.c.message).label("broadcast_message"),
        ]
    query = (
        select(*columns)
        .select_from(joined)
        .where(L.c.token_hash == bindparam("token_hash"), L.c.revoked_at.is_(None))
    )
    # The attempt's row lock serialises a save against the sweeper's (or a proctor's) submit
    # on PostgreSQL, as service.save_answer's does; SQLite serialises all writers anyway.
    return query.with_for_update(of=A) if lock else query


_READ_ITEM = _snapshot_query(with_item=True, lock=False, news=False)
_READ_FOR_SAVE = _snapshot_query(with_item=True, lock=True, news=True)
_READ_FOR_BEAT = _snapshot_query(with_item=True, lock=False, news=True)
_READ_FOR_BEAT_NO_ITEM = _snapshot_query(with_item=False, lock=False, news=True)
# Built once, executed with parameters: building a statement per call (and its cache key)
# was a measurable share of a save's CPU.
# (Not named after the columns: an UPDATE's parameters named so would be SET.)
_THIS_ANSWER = (AN.c.attempt_id == bindparam("the_attempt")) & (
    AN.c.position == bindparam("the_position")
)
_ANSWER = select(AN.c.option_id, AN.c.flagged, AN.c.seq).where(_THIS_ANSWER)
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


def _save_on_postgresql(touch: bool) -> Any:
    """The save after the locked read, as one statement (PostgreSQL's writable CTEs): read
    the stored answer, and when this save is newer, add the journal row, write the answer
    and (`touch`) the attempt's last-seen. Returns the answer stored before, if any.

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
    journal = insert(J).from_select(
        [J.c.id, J.c.attempt_id, J.c.position, J.c.old_option_id, J.c.new_option_id]
        + [J.c.old_flagged, J.c.new_flagged, J.c.seq, J.c.recorded_at, J.c.login_id],
        select(_typed("journal_id", J.c.id), attempt, position)
        .add_columns(select(prev.c.option_id).scalar_subquery(), new_option)
        .add_columns(select(prev.c.flagged).scalar_subquery(), new_flagged, new_seq, at)
        .add_columns(_typed("login_id", J.c.login_id))
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
    if touch:
        seen = update(A).where(A.c.id == attempt).values(last_seen_at=at)
        writes.append(seen.cte("seen"))
    return select(prev.c.option_id, prev.c.flagged, prev.c.seq).add_cte(*writes)


_SAVE_ON_POSTGRESQL = {touch: _save_on_postgresql(touch) for touch in (False, True)}

_TOUCH = {  # the attempt's columns a call changes -> its UPDATE
    cols: update(A)
    .where(A.c.id == bindparam("the_attempt"))
    .values({c: bindparam(f"new_{c}") for c in cols})
    for cols in (("last_seen_at",), ("current_position",), ("current_position", "last_seen_at"))
}


@dataclass(frozen=True)
class Snapshot:
    """What one read tells about a taker's request, when it is an ordinary one."""

    row: Row[Any]
    now: datetime

    @property
    def attempt_id(self) -> uuid.UUID:
        return self.row.attempt_id

    def broadcast(self) -> tuple[str, str] | None:
        """(id, message) of the room's latest proctor message (save and heartbeat reads)."""
        if self.row.broadcast_id is None:
            return None
        return str(self.row.broadcast_id), self.row.broadcast_message

    def clock(self) -> tuple[int | None, int | None]:
        """(test, section) seconds left, as api._clock computes them."""
        deadline, section = self.row.deadline_at, self.row.section_deadline
        remaining = max(0, int((deadline - self.now).total_seconds()))
        if section is None:
            return remaining, None
        return remaining, max(0, int((min(section, deadline) - self.now).total_seconds()))


def _ordinary(row: Row[Any] | None, now: datetime, grace: timedelta, item: bool) -> bool:
    if row is None:  # not logged in, or no attempt: the ORM path says which
        return False
    if row.needs_admission and row.admitted_at is None:
        return False
    if row.selector != FixedFormSelector.name or row.status != "in_progress":
        return False
    if row.paused_at is not None or past_cutoff(row.deadline_at, now, grace):
        return False
    if past_cutoff(row.section_deadline, now, grace):
        return False
    if not item:
        return True
    if row.item_version_id is None:  # no such position: item_not_found
        return False
    return not row.has_sections or row.item_section == row.current_section


def _read(conn: Connection, query: Any, token: str | None, position: int | None) -> Snapshot | None:
    """The snapshot when the request is an ordinary one (with a reachable item at
    `position`, unless that is None), else None."""
    if not token:
        return None
    now = clock.now()
    params = {
        "token_hash": token_digest(token),
        "position": position,
        "since": now - BROADCAST_WINDOW,
    }
    row = conn.execute(query, params).first()
    ordinary = _ordinary(row, now, answer_grace(), item=position is not None)
    return Snapshot(row, now) if ordinary else None


# --- item content, read once per worker ---------------------------------------------------


class _ContentCache:
    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[uuid.UUID, Content] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conn: Connection, version_id: uuid.UUID) -> Content:
        with self._lock:
            found = self._items.get(version_id)
            if found is not None:
                self._items.move_to_end(version_id)
                return found
        query = select(V.c.stem, V.c.figure_svg, V.c.options).where(V.c.id == version_id)
        content = Content.of(*conn.execute(query).one())
        with self._lock:
            self._items[version_id] = content
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return content


CONTENT = _ContentCache()


# --- the three calls ------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRead:
    snapshot: Snapshot
    ref: ItemRef
    content: Content
    answer: Row[Any] | None  # option_id, flagged, seq


def open_item(db: Session, token: str | None, position: int) -> ItemRead | None:
    """service.open_item + the stored answer, or None for the ORM path."""
    conn = db.connection()
    snap = _read(conn, _READ_ITEM, token, position)
    if snap is None:
        return None
    row = snap.row
    where = {"the_attempt": row.attempt_id, "the_position": position}
    stored = conn.execute(_ANSWER, where).first()
    changes = _seen(snap)
    if row.current_position != position:  # the item to resume on
        changes["current_position"] = position
    _update_attempt(conn, snap, changes)
    ref = ItemRef(position, row.item_section, row.item_version_id, tuple(row.option_order))
    return ItemRead(snap, ref, CONTENT.get(conn, row.item_version_id), stored)


@dataclass(frozen=True)
class Saved:
    snapshot: Snapshot
    option_id: str | None
    flagged: bool
    seq: int
    applied: bool


def save_answer(
    db: Session, token: str | None, position: int, option_id: str | None, flagged: bool, seq: int
) -> Saved | None:
    """service.save_answer: a journal row and the answer, unless an equal or newer save
    (by `seq`) is stored; or None for the ORM path."""
    conn = db.connection()
    snap = _read(conn, _READ_FOR_SAVE, token, position)
    if snap is None:
        return None
    row = snap.row
    if option_id is not None and option_id not in row.option_order:
        raise errors.InvalidOption()
    if seq > seq_base() + SEQ_SPAN:
        raise errors.InvalidSequence()
    if conn.dialect.name == "postgresql":
        return _save_in_one_statement(conn, snap, position, option_id, flagged, seq)
    # Read after the lock is held, so a save that waited for it sees the one before it.
    where = {"the_attempt": row.attempt_id, "the_position": position}
    stored = conn.execute(_ANSWER, where).first()
    if stored is not None and stored.seq >= seq:
        return Saved(snap, stored.option_id, stored.flagged, stored.seq, applied=False)
    change = AnswerChange(row.attempt_id, position, option_id, flagged, seq, snap.now, row.login_id)
    conn.execute(_ADD_JOURNAL, {"id": new_id(), **change.journal(stored)})
    values = {"option_id": option_id, "flagged": flagged, "seq": seq, "answered_at": snap.now}
    if stored is None:
        conn.execute(_ADD_ANSWER, {"attempt_id": row.attempt_id, "position": position, **values})
    else:
        new = {"new_option_id": option_id, "new_flagged": flagged, "new_seq": seq}
        conn.execute(_SET_ANSWER, {**where, **new, "at": snap.now})
    _update_attempt(conn, snap, _seen(snap))
    return Saved(snap, option_id, flagged, seq, applied=True)


def _save_in_one_statement(
    conn: Connection, snap: Snapshot, position: int, option_id: str | None, flagged: bool, seq: int
) -> Saved:
    touch = bool(_seen(snap))
    params = {
        "the_attempt": snap.attempt_id,
        "the_position": position,
        "new_option_id": option_id,
        "new_flagged": flagged,
        "new_seq": seq,
        "at": snap.now,
        "journal_id": new_id(),
        "login_id": snap.row.login_id,
    }
    stored = conn.execute(_SAVE_ON_POSTGRESQL[touch], params).first()
    if stored is not None and stored.seq >= seq:
        return Saved(snap, stored.option_id, stored.flagged, stored.seq, applied=False)
    return Saved(snap, option_id, flagged, seq, applied=True)


def heartbeat(db: Session, token: str | None, position: int | None) -> Snapshot | None:
    """service.heartbeat for a running attempt, or None for the ORM path."""
    query = _READ_FOR_BEAT if position is not None else _READ_FOR_BEAT_NO_ITEM
    conn = db.connection()
    snap = _read(conn, query, token, position)
    if snap is None:
        return None
    changes = _seen(snap)
    # With a position, _read has checked that it is reachable (else: the ORM path).
    if position is not None and snap.row.current_position != position:
        changes["current_position"] = position
    _update_attempt(conn, snap, changes)
    return snap


def _seen(snap: Snapshot) -> dict[str, Any]:
    """Last-seen for the board (service.seen_due): any call the page makes counts (an
    answering page sends no heartbeats)."""
    return {"last_seen_at": snap.now} if seen_due(snap.row.last_seen_at, snap.now) else {}


def _update_attempt(conn: Connection, snap: Snapshot, changes: dict[str, Any]) -> None:
    if changes:
        params = {f"new_{c}": v for c, v in changes.items()}
        conn.execute(_TOUCH[tuple(sorted(changes))], {"the_attempt": snap.attempt_id, **params})


_BROADCAST = (
    select(B.c.id, B.c.message)
    .where(B.c.exam_session_id == bindparam("session_id"), B.c.at > bindparam("since"))
    .order_by(B.c.at.desc())
    .limit(1)
)


def latest_broadcast(db: Session, session_id: uuid.UUID) -> tuple[str, str] | None:
    """(id, message) of the room's latest proctor message of the last 30 minutes."""
    since = clock.now() - BROADCAST_WINDOW
    row = db.connection().execute(_BROADCAST, {"session_id": session_id, "since": since}).first()
    return (str(row.id), row.message) if row else None
