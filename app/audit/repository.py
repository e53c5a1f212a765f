"""Audit log queries (read only: the table refuses changes)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    exam_session_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


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
    return list(db.scalars(query.limit(limit).offset(offset)))


def session_entries(db: Session, exam_session_id: uuid.UUID) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.exam_session_id == exam_session_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(db.scalars(query))
