"""The audit log: append-only (a trigger refuses UPDATE and DELETE on both databases)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.kit.ids import new_id


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_session", "exam_session_id", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Copied, not referenced: the log must outlive renamed or deleted accounts.
    actor_id: Mapped[uuid.UUID | None]
    actor_username: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    target_label: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    exam_session_id: Mapped[uuid.UUID | None]


class AuditSubject(Base):
    """A person (by NIP) whose data an audited action showed or exported: "who saw my data?"
    is a look-up by NIP here, also for list pages and exports that name many people. Append-only
    like the log (the same trigger design)."""

    __tablename__ = "audit_subject"
    __table_args__ = (Index("ix_audit_subject_nip", "nip", "audit_id"),)

    audit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("audit_log.id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
