"""All exam set-up queries."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app.exams.models import (
    AdaptivePool,
    Agency,
    AgencyQuota,
    BlueprintSection,
    Event,
    ExamSession,
    Form,
    FormItem,
    Participant,
)

_CHUNK = 500


def event_by_code(db: Session, code: str) -> Event | None:
    return db.scalar(select(Event).where(Event.code == code))


def event(db: Session, event_id: uuid.UUID) -> Event | None:
    return db.get(Event, event_id)


def events(db: Session) -> list[Event]:
    return list(db.scalars(select(Event).order_by(Event.code)))


def agencies(db: Session) -> list[Agency]:
    return list(db.scalars(select(Agency).order_by(Agency.name)))


def agencies_by_code(db: Session, codes: Sequence[str]) -> dict[str, Agency]:
    query = select(Agency).where(Agency.code.in_(list(codes)))
    return {a.code: a for a in db.scalars(query)}


def agency_codes_by_id(db: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    query = select(Agency.id, Agency.code).where(Agency.id.in_(list(ids)))
    return {agency_id: code for agency_id, code in db.execute(query).tuples()}


def agency_codes_of_event(db: Session, event_id: uuid.UUID) -> set[str]:
    """The codes of the agencies that have seats in the event."""
    query = (
        select(Agency.code)
        .join(AgencyQuota, AgencyQuota.agency_id == Agency.id)
        .where(AgencyQuota.event_id == event_id)
    )
    return set(db.scalars(query))


def quotas(db: Session, event_id: uuid.UUID) -> dict[uuid.UUID, AgencyQuota]:
    query = select(AgencyQuota).where(AgencyQuota.event_id == event_id)
    return {q.agency_id: q for q in db.scalars(query)}


def adaptive_pool(
    db: Session, event_id: uuid.UUID, section_position: int, blueprint_hash: str
) -> AdaptivePool | None:
    """The frozen pool of an adaptive section under this blueprint (exams/adaptive_pools.py)."""
    query = select(AdaptivePool).where(
        AdaptivePool.event_id == event_id,
        AdaptivePool.section_position == section_position,
        AdaptivePool.blueprint_hash == blueprint_hash,
    )
    return db.scalar(query)


def sections(db: Session, event_id: uuid.UUID) -> list[BlueprintSection]:
    query = (
        select(BlueprintSection)
        .where(BlueprintSection.event_id == event_id)
        .order_by(BlueprintSection.position)
    )
    return list(db.scalars(query))


def delete_sections(db: Session, event_id: uuid.UUID) -> None:
    db.execute(delete(BlueprintSection).where(BlueprintSection.event_id == event_id))


def sessions(db: Session, event_id: uuid.UUID) -> list[ExamSession]:
    query = select(ExamSession).where(ExamSession.event_id == event_id).order_by(ExamSession.code)
    return list(db.scalars(query))


def participants(db: Session, event_id: uuid.UUID) -> list[Participant]:
    query = select(Participant).where(Participant.event_id == event_id).order_by(Participant.nip)
    return list(db.scalars(query))


def participants_without_form(db: Session, session_id: uuid.UUID) -> list[Participant]:
    has_form = select(Form.id).where(Form.participant_id == Participant.id).exists()
    query = (
        select(Participant)
        .where(Participant.session_id == session_id, ~has_form)
        .order_by(Participant.nip)
    )
    return list(db.scalars(query))


def forms_by_session(db: Session, event_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Number of drawn forms per exam session of an event."""
    query = (
        select(Participant.session_id, func.count(Form.id))
        .join(Form, Form.participant_id == Participant.id)
        .where(Participant.event_id == event_id)
        .group_by(Participant.session_id)
    )
    return {session_id: count for session_id, count in db.execute(query).tuples()}


def delete_forms_of_sessions(db: Session, session_ids: Sequence[uuid.UUID]) -> None:
    participant_ids = select(Participant.id).where(Participant.session_id.in_(list(session_ids)))
    form_ids = select(Form.id).where(Form.participant_id.in_(participant_ids))
    db.execute(delete(FormItem).where(FormItem.form_id.in_(form_ids)))
    db.execute(delete(Form).where(Form.participant_id.in_(participant_ids)))


def add_form_items(db: Session, rows: list[dict[str, Any]]) -> None:
    # Core executemany: hundreds of thousands of rows for a large event.
    for start in range(0, len(rows), 5000):
        db.execute(insert(FormItem), rows[start : start + 5000])


def form_of(db: Session, participant_id: uuid.UUID) -> Form | None:
    return db.scalar(select(Form).where(Form.participant_id == participant_id))


def form_items(db: Session, form_id: uuid.UUID) -> list[FormItem]:
    query = select(FormItem).where(FormItem.form_id == form_id).order_by(FormItem.position)
    return list(db.scalars(query))


def participant_by_nip(db: Session, event_id: uuid.UUID, nip: str) -> Participant | None:
    query = select(Participant).where(Participant.event_id == event_id, Participant.nip == nip)
    return db.scalar(query)


def session_by_code(db: Session, event_id: uuid.UUID, code: str) -> ExamSession | None:
    query = select(ExamSession).where(ExamSession.event_id == event_id, ExamSession.code == code)
    return db.scalar(query)


def participants_in_session(db: Session, session_id: uuid.UUID) -> list[Participant]:
    query = (
        select(Participant)
        .where(Participant.session_id == session_id)
        .order_by(Participant.name, Participant.nip)
    )
    return list(db.scalars(query))
