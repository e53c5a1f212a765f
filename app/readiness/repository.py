"""All readiness queries."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.exams.models import ExamSession
from app.readiness.models import PcCheck


def sessions_showing(db: Session, token: str, now: datetime) -> list[ExamSession]:
    """The sessions not closed whose room token is `token` (or was, until a rotation less
    than the overlap ago): checks are run before a session opens, and on the day."""
    shows = (ExamSession.room_token == token) | (
        (ExamSession.previous_room_token == token) & (ExamSession.previous_token_valid_until > now)
    )
    query = select(ExamSession).where(shows, ExamSession.status != "closed").limit(2)
    return list(db.scalars(query))


def pc_check(db: Session, exam_session_id: uuid.UUID, pc_label: str) -> PcCheck | None:
    query = select(PcCheck).where(
        PcCheck.exam_session_id == exam_session_id, PcCheck.pc_label == pc_label
    )
    return db.scalar(query)


def pc_count(db: Session, exam_session_id: uuid.UUID) -> int:
    query = select(func.count()).where(PcCheck.exam_session_id == exam_session_id)
    return db.scalar(query) or 0


def pc_checks_of(db: Session, exam_session_id: uuid.UUID) -> list[PcCheck]:
    query = (
        select(PcCheck).where(PcCheck.exam_session_id == exam_session_id).order_by(PcCheck.pc_label)
    )
    return list(db.scalars(query))
