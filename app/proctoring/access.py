"""Who may see and run a room: an admin, or a proctor assigned to its session.

`routes.managed_session` loads the staff member and the session through the ORM. The board
poll (every open board, every three seconds: 16 a second in a busy centre) first asks
`may_watch`: one Core statement that answers yes only where that full path would pass
without writing anything. Any other case (no login, expired, idle, last-seen due, not
assigned, no such session) takes the full path, which refuses or writes as it always has."""

import uuid

from sqlalchemy.orm import Session

from app.accounts.service import login_standing
from app.kit import clock
from app.kit.secrets_gen import token_digest
from app.proctoring import repository


def may_manage(role: str, assigned: bool) -> bool:
    return role == "admin" or (role == "proctor" and assigned)


def may_watch(db: Session, token: str | None, exam_session_id: uuid.UUID) -> bool:
    """True when the cookie's login may see the session and nothing about it is due."""
    if not token:
        return False
    grant = repository.watch_grant(db, token_digest(token), exam_session_id)
    if grant is None or not grant.session_exists:
        return False
    standing = login_standing(clock.now(), grant.expires_at, grant.last_seen_at, grant.active)
    return standing == "fresh" and may_manage(grant.role, bool(grant.assigned))
