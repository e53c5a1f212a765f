"""Analysts' API tokens: machine credentials for the export API, stored hashed."""

import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import ApiToken, StaffUser
from app.audit.service import Actor, record
from app.kit import clock
from app.kit.secrets_gen import token_digest

PREFIX = "pat_"  # recognisable in logs and secret scanners


def create_token(db: Session, user: StaffUser, name: str, by: Actor) -> str:
    """A new token for `user`; the raw value is returned once and never stored."""
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "token",
        token_hash=token_digest(raw),
        created_at=clock.now(),
    )
    db.add(token)
    db.flush()
    record(
        db,
        by,
        "api_token.create",
        target_type="api_token",
        target_id=token.id,
        target_label=f"{user.username}: {token.name}",
    )
    return raw


def revoke_token(db: Session, token: ApiToken, by: Actor) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = clock.now()
    record(
        db,
        by,
        "api_token.revoke",
        target_type="api_token",
        target_id=token.id,
        target_label=token.name,
    )
    return True


def user_for_token(db: Session, raw: str) -> StaffUser | None:
    token = db.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_digest(raw), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None:
        return None
    user = db.get(StaffUser, token.user_id)
    if user is None or not user.active:
        return None
    token.last_used_at = clock.now()
    return user


def tokens_of(db: Session, user_id: uuid.UUID) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at)
    return list(db.scalars(query))
