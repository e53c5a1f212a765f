"""Proctoring tables: who watches which room, seats (check-in), pauses, extra time, incident
notes and takers' login reset requests. The proctor's messages to a room are delivery's
(`delivery.models.Broadcast`): the taker's page reads them on its hot path."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.kit.ids import new_id


class ProctorAssignment(Base):
    __tablename__ = "proctor_assignment"
    __table_args__ = (UniqueConstraint("user_id", "exam_session_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    exam_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_session.id", ondelete="CASCADE"), index=True
    )


class Seat(Base):
    """Check-in of one registered participant: attendance, ID checked, PC number, admission."""

    __tablename__ = "proctor_seat"

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_participant.id", ondelete="CASCADE"), primary_key=True
    )
    # unknown | present | late | absent
    attendance: Mapped[str] = mapped_column(String(16), default="unknown")
    id_checked: Mapped[bool] = mapped_column(default=False)
    pc_number: Mapped[str | None] = mapped_column(String(16))
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)


class AttemptPause(Base):
    """One pause of one attempt; `credited_seconds` is what the taker got back on resume."""

    __tablename__ = "proctor_attempt_pause"
    __table_args__ = (Index("ix_proctor_attempt_pause_attempt", "attempt_id", "paused_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE")
    )
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credited_seconds: Mapped[int | None]
    room_wide: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text)


class ExtraTime(Base):
    __tablename__ = "proctor_extra_time"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE"), index=True
    )
    minutes: Mapped[int]
    section_position: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


INCIDENT_CATEGORIES = {
    "environment": ("power", "noise", "lighting", "temperature", "other"),
    "taker": ("illness", "late", "identity", "behaviour", "other"),
    "technical": ("network", "workstation", "server", "other"),
    "other": ("other",),
}


class Incident(Base):
    __tablename__ = "proctor_incident"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    exam_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_session.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("exam_participant.id", ondelete="SET NULL")
    )
    category: Mapped[str] = mapped_column(String(16))
    subcategory: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    author: Mapped[str] = mapped_column(String(64))


class LoginResetRequest(Base):
    """A taker's request, from a browser refused because their login is held by another
    (a PC whose cookie was lost), that the proctor free the login. The proctor approves
    (the login reset, audited with the request) or rejects it on the board; a request not
    answered in `expires_at` lapses. At most one is pending per participant (the index).

    `waiter_hash` is the SHA-256 of the cookie of the browser waiting for the answer: it may
    read the request's status, nothing more (it logs in with NIP and room token as before)."""

    __tablename__ = "proctor_login_reset_request"
    __table_args__ = (
        Index(
            "ux_proctor_login_reset_request_one_pending",
            "participant_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_participant.id", ondelete="CASCADE"), index=True
    )
    exam_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_session.id", ondelete="CASCADE"), index=True
    )
    # pending → approved | rejected | expired
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    waiter_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str | None] = mapped_column(String(400))
    client_address: Mapped[str | None] = mapped_column(String(64))
