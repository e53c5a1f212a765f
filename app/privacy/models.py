"""Personal-data duties (UU 27/2022): pseudonymised registrations, identity corrections.

The audit log's per-person index (`audit_subject`) lives in app/audit/models.py beside the log
it indexes; the attempts whose answers were purged (`PurgedAttempt`) in app/delivery/models.py
beside the answers (scoring reads it, and scoring may not import this package)."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.kit.ids import new_id


class PseudonymisedParticipant(Base):
    """A registration whose name, NIP, position and access code were replaced at the end of
    the identity retention period; its scores stay for norms and item statistics."""

    __tablename__ = "privacy_pseudonymised_participant"

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_participant.id", ondelete="CASCADE"), primary_key=True
    )
    pseudonymised_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IdentityCorrection(Base):
    """One corrected identity field of a registration, with the reason (a correction request
    under UU 27/2022); shown in the person's own export."""

    __tablename__ = "privacy_identity_correction"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_participant.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str] = mapped_column(String(300))
    new_value: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    corrected_by: Mapped[str] = mapped_column(String(64))
