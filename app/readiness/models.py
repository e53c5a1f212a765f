"""Readiness checks of exam-room PCs, reported from `/ujian/cek` before the test."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.kit.ids import new_id


class PcCheck(Base):
    """The last check of one PC of a room, under the label the technician typed ("PC-07"):
    a new check of the same PC replaces it. `results` holds, per check, what the page
    measured and the verdict of `readiness.rules` (pass / fail / info)."""

    __tablename__ = "readiness_pc_check"
    __table_args__ = (UniqueConstraint("exam_session_id", "pc_label"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    exam_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_session.id", ondelete="CASCADE")
    )
    pc_label: Mapped[str] = mapped_column(String(32))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    passed: Mapped[bool]
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    user_agent: Mapped[str | None] = mapped_column(String(400))
    client_address: Mapped[str | None] = mapped_column(String(64))
