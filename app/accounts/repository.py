"""All account queries."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import StaffLogin, StaffUser


def user_by_username(db: Session, username: str) -> StaffUser | None:
    return db.scalar(select(StaffUser).where(StaffUser.username == username))


def users(db: Session) -> list[StaffUser]:
    return list(db.scalars(select(StaffUser).order_by(StaffUser.role, StaffUser.username)))


def login_by_token_hash(db: Session, token_hash: str) -> StaffLogin | None:
    query = select(StaffLogin).where(
        StaffLogin.token_hash == token_hash, StaffLogin.revoked_at.is_(None)
    )
    return db.scalar(query)


def user(db: Session, user_id: uuid.UUID) -> StaffUser | None:
    return db.get(StaffUser, user_id)


def agency_code_of(db: Session, user: StaffUser) -> str | None:
    """The code of the agency an agency viewer is bound to."""
    from app.exams.models import Agency  # accounts owns the binding; the agency table is shared

    agency = db.get(Agency, user.agency_id) if user.agency_id else None
    return agency.code if agency else None
