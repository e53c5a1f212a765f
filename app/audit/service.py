"""Writing to the audit log: who, when, what, to whom, why."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.kit import clock


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
    **details: Any,
) -> AuditEntry:
    entry = AuditEntry(
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
    return entry


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
