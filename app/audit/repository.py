"""Audit log queries (read only: the table refuses changes)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry, AuditSubject


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    exam_session_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    nip: str | None = None  # the person whose data the action showed, exported or changed


def entries(db: Session, f: AuditFilter, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if f.actor:
        query = query.where(AuditEntry.actor_username == f.actor)
    if f.action:
        query = query.where(AuditEntry.action == f.action)
    if f.exam_session_id:
        query = query.where(AuditEntry.exam_session_id == f.exam_session_id)
    if f.since:
        query = query.where(AuditEntry.at >= f.since)
    if f.until:
        query = query.where(AuditEntry.at < f.until)
    if f.nip:
        query = query.where(about_person(f.nip))
    return list(db.scalars(query.limit(limit).offset(offset)))


def session_entries(db: Session, exam_session_id: uuid.UUID) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.exam_session_id == exam_session_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(db.scalars(query))


def about_person(nip: str) -> ColumnElement[bool]:
    """Rows about one person: indexed by their NIP, or (rows written before the index
    existed) naming them as the target."""
    indexed = select(AuditSubject.audit_id).where(AuditSubject.nip == nip)
    named = and_(AuditEntry.target_type == "person", AuditEntry.target_id == nip)
    return or_(AuditEntry.id.in_(indexed), named)


def person_entries(db: Session, nip: str, limit: int = 10_000) -> list[AuditEntry]:
    """Everything the log holds about one person, oldest first (their own data export)."""
    query = select(AuditEntry).where(about_person(nip)).order_by(AuditEntry.at, AuditEntry.id)
    return list(db.scalars(query.limit(limit)))
