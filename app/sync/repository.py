"""All sync queries: the centre's sites and the trusted central key, what a package holds,
and what a site already holds of it."""

import uuid
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.accounts.models import StaffUser
from app.bank.models import Subtest
from app.db import Base
from app.delivery.models import Attempt
from app.exams.models import (
    AdaptivePool,
    BlueprintSection,
    Event,
    ExamSession,
    Form,
    FormItem,
    Participant,
)
from app.proctoring.models import ProctorAssignment
from app.sync.models import SyncCentralKey, SyncFileLog, SyncSite, SyncSiteToken

_CHUNK = 500
Row = TypeVar("Row", bound=Base)


def _chunks(values: Sequence[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def rows_by_id(db: Session, model: type[Row], ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Row]:
    found: dict[uuid.UUID, Row] = {}
    primary = model.__table__.c.id
    for chunk in _chunks(ids):
        rows = db.scalars(select(model).where(primary.in_(chunk)))
        found.update((r.id, r) for r in rows)  # type: ignore[attr-defined]  # Base has no id; these models do
    return found


# --- keys and sites -----------------------------------------------------------------------


def site_by_name(db: Session, name: str) -> SyncSite | None:
    return db.scalar(select(SyncSite).where(SyncSite.name == name))


def site_by_fingerprint(db: Session, fingerprint: str) -> SyncSite | None:
    return db.scalar(select(SyncSite).where(SyncSite.fingerprint == fingerprint))


def sites(db: Session) -> list[SyncSite]:
    return list(db.scalars(select(SyncSite).order_by(SyncSite.name)))


def central_key(db: Session) -> SyncCentralKey | None:
    query = (
        select(SyncCentralKey)
        .where(SyncCentralKey.replaced_at.is_(None))
        .order_by(SyncCentralKey.trusted_at.desc())
        .limit(1)
    )
    return db.scalar(query)


def file_log(db: Session, event_code: str) -> list[SyncFileLog]:
    query = (
        select(SyncFileLog)
        .where(SyncFileLog.event_code == event_code)
        .order_by(SyncFileLog.recorded_at)
    )
    return list(db.scalars(query))


# --- what a package holds (central) ---------------------------------------------------------


def participants_in_sessions(db: Session, session_ids: Sequence[uuid.UUID]) -> list[Participant]:
    query = (
        select(Participant)
        .where(Participant.session_id.in_(list(session_ids)))
        .order_by(Participant.session_id, Participant.nip)
    )
    return list(db.scalars(query))


def forms_of(db: Session, participant_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Form]:
    """Participant id → their drawn form."""
    found: dict[uuid.UUID, Form] = {}
    for chunk in _chunks(participant_ids):
        query = select(Form).where(Form.participant_id.in_(chunk))
        found.update((f.participant_id, f) for f in db.scalars(query))
    return found


def form_item_rows(db: Session, form_ids: Sequence[uuid.UUID]) -> Iterator[tuple[Any, ...]]:
    """(form id, position, section position, item version id, option order), form by form."""
    for chunk in _chunks(form_ids):
        query = (
            select(
                FormItem.form_id,
                FormItem.position,
                FormItem.section_position,
                FormItem.item_version_id,
                FormItem.option_order,
            )
            .where(FormItem.form_id.in_(chunk))
            .order_by(FormItem.form_id, FormItem.position)
        )
        yield from db.execute(query).tuples()


def subtests_by_code(db: Session, codes: Sequence[str]) -> dict[str, Subtest]:
    query = select(Subtest).where(Subtest.code.in_(list(codes)))
    return {s.code: s for s in db.scalars(query)}


def assignments_of_sessions(
    db: Session, session_ids: Sequence[uuid.UUID]
) -> list[ProctorAssignment]:
    query = (
        select(ProctorAssignment)
        .where(ProctorAssignment.exam_session_id.in_(list(session_ids)))
        .order_by(ProctorAssignment.exam_session_id, ProctorAssignment.id)
    )
    return list(db.scalars(query))


# --- what a site holds already --------------------------------------------------------------


def codes_held_by_others(
    db: Session, model: type[Base], by_code: dict[str, uuid.UUID]
) -> list[str]:
    """Codes (or usernames) this server holds under another id than the package's."""
    columns = model.__table__.c
    column = columns.username if model is StaffUser else columns.code
    clashes = []
    for chunk in _chunks(list(by_code)):
        query = select(column, columns.id).where(column.in_(chunk))
        clashes += [code for code, row_id in db.execute(query) if by_code[code] != row_id]
    return sorted(clashes)


def sessions_of_event(db: Session, event_id: uuid.UUID) -> dict[str, ExamSession]:
    query = select(ExamSession).where(ExamSession.event_id == event_id)
    return {s.code: s for s in db.scalars(query)}


def session_sites(db: Session, event_code: str) -> dict[str, str]:
    """Session code → the site it was packaged for, of the event's sessions that have one."""
    query = (
        select(ExamSession.code, ExamSession.packaged_for)
        .join(Event, Event.id == ExamSession.event_id)
        .where(Event.code == event_code, ExamSession.packaged_for.is_not(None))
    )
    return {code: site for code, site in db.execute(query).tuples() if site is not None}


def participant_ids_by_nip(db: Session, event_id: uuid.UUID) -> dict[str, uuid.UUID]:
    query = select(Participant.nip, Participant.id).where(Participant.event_id == event_id)
    return {nip: row_id for nip, row_id in db.execute(query).tuples()}


def started_participants(db: Session, participant_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Those of these participants who have an attempt here."""
    found: set[uuid.UUID] = set()
    for chunk in _chunks(participant_ids):
        query = select(Attempt.participant_id).where(Attempt.participant_id.in_(chunk))
        found.update(db.scalars(query))
    return found


def event_has_attempts(db: Session, event_id: uuid.UUID) -> bool:
    query = (
        select(Attempt.id)
        .join(Participant, Participant.id == Attempt.participant_id)
        .where(Participant.event_id == event_id)
        .limit(1)
    )
    return db.scalar(query) is not None


def adaptive_pools(
    db: Session, event_id: uuid.UUID, blueprint_hash: str | None = None
) -> list[AdaptivePool]:
    """The frozen pools of the event's adaptive sections: under one blueprint, or all."""
    query = select(AdaptivePool).where(AdaptivePool.event_id == event_id)
    if blueprint_hash is not None:
        query = query.where(AdaptivePool.blueprint_hash == blueprint_hash)
    return list(db.scalars(query.order_by(AdaptivePool.section_position)))


def sections_of_event(db: Session, event_id: uuid.UUID) -> list[BlueprintSection]:
    query = select(BlueprintSection).where(BlueprintSection.event_id == event_id)
    return list(db.scalars(query))


def replace_sections(db: Session, event_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    db.execute(delete(BlueprintSection).where(BlueprintSection.event_id == event_id))
    db.add_all(BlueprintSection(**row) for row in rows)


def delete_forms(db: Session, form_ids: Sequence[uuid.UUID]) -> None:
    for chunk in _chunks(form_ids):
        db.execute(delete(FormItem).where(FormItem.form_id.in_(chunk)))
        db.execute(delete(Form).where(Form.id.in_(chunk)))


def delete_participants(db: Session, participant_ids: Sequence[uuid.UUID]) -> None:
    """Participants who never started here, with their forms (seats and logins cascade)."""
    for chunk in _chunks(participant_ids):
        form_ids = list(db.scalars(select(Form.id).where(Form.participant_id.in_(chunk))))
        delete_forms(db, form_ids)
        db.execute(delete(Participant).where(Participant.id.in_(chunk)))


def delete_assignments(db: Session, ids: Sequence[uuid.UUID]) -> None:
    for chunk in _chunks(ids):
        db.execute(delete(ProctorAssignment).where(ProctorAssignment.id.in_(chunk)))


# --- site tokens (central) ------------------------------------------------------------------


def live_tokens_of(db: Session, site_id: uuid.UUID) -> list[SyncSiteToken]:
    query = select(SyncSiteToken).where(
        SyncSiteToken.site_id == site_id, SyncSiteToken.revoked_at.is_(None)
    )
    return list(db.scalars(query))


def live_token(db: Session, token_hash: str) -> SyncSiteToken | None:
    query = select(SyncSiteToken).where(
        SyncSiteToken.token_hash == token_hash, SyncSiteToken.revoked_at.is_(None)
    )
    return db.scalar(query)


# --- what the centre has received (the central views) ---------------------------------------


def all_file_logs(db: Session) -> list[SyncFileLog]:
    return list(db.scalars(select(SyncFileLog).order_by(SyncFileLog.recorded_at)))


def session_counts(db: Session, event_codes: Sequence[str]) -> dict[tuple[str, str], Any]:
    """(event code, session code) → the session, its participants and the attempts the
    centre holds for them (submitted or not), in one grouped query."""
    attempts = (
        select(Participant.session_id, func.count(Attempt.id).label("attempts"))
        .join(Attempt, Attempt.participant_id == Participant.id)
        .group_by(Participant.session_id)
        .subquery()
    )
    people = (
        select(Participant.session_id, func.count(Participant.id).label("participants"))
        .group_by(Participant.session_id)
        .subquery()
    )
    query = (
        select(
            Event.code.label("event_code"),
            Event.name.label("event_name"),
            ExamSession.code,
            ExamSession.status,
            ExamSession.time_zone,
            ExamSession.packaged_for,
            func.coalesce(people.c.participants, 0).label("participants"),
            func.coalesce(attempts.c.attempts, 0).label("attempts"),
        )
        .join(Event, Event.id == ExamSession.event_id)
        .outerjoin(people, people.c.session_id == ExamSession.id)
        .outerjoin(attempts, attempts.c.session_id == ExamSession.id)
        .where(Event.code.in_(list(event_codes)))
    )
    return {(row.event_code, row.code): row for row in db.execute(query)}
