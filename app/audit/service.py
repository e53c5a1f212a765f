"""Writing to the audit log: who, when, what, to whom, why."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, insert, literal, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry, AuditSubject
from app.kit import clock
from app.kit.ids import new_id


@dataclass(frozen=True)
class Actor:
    id: uuid.UUID | None
    username: str
    role: str


def record(
    db: Session,
    actor: Actor,
    action: str,
    *,
    target_type: str | None = None,
    target_id: object = None,
    target_label: str | None = None,
    reason: str | None = None,
    exam_session_id: uuid.UUID | None = None,
    subjects: Iterable[str] = (),
    **details: Any,
) -> AuditEntry:
    """One audit row. `subjects`: the NIPs of the people whose data the action showed or
    exported, so the log can answer "who saw my data?" (see `record_subjects_from` for
    exports too large to hold in memory)."""
    entry = AuditEntry(
        id=new_id(),
        at=clock.now(),
        actor_id=actor.id,
        actor_username=actor.username,
        actor_role=actor.role,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        target_label=target_label,
        reason=reason,
        details={k: _plain(v) for k, v in details.items()},
        exam_session_id=exam_session_id,
    )
    db.add(entry)
    nips = sorted({n for n in subjects if n})
    if nips:
        db.flush([entry])
        db.add_all(AuditSubject(audit_id=entry.id, nip=n) for n in nips)
    return entry


def record_subjects_from(db: Session, entry: AuditEntry, nips: Select[tuple[str]]) -> None:
    """Index an audit row by every NIP a query yields (an export of a whole run), in one
    INSERT … SELECT: the NIPs never pass through Python."""
    db.flush()
    chosen = nips.distinct().subquery()
    rows = select(literal(entry.id, AuditSubject.audit_id.type), chosen.c[0])
    db.execute(insert(AuditSubject).from_select(["audit_id", "nip"], rows))


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
