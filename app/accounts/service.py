"""Staff accounts: creation, password login with guessing limits, login sessions."""

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from app.accounts import repository
from app.accounts.models import ROLES, LoginAttempt, StaffLogin, StaffUser
from app.accounts.passwords import MIN_LENGTH, dummy_hash, hash_password, verify_password
from app.audit.service import Actor, record
from app.config import get_settings
from app.i18n import N_
from app.kit import clock
from app.kit.errors import Refusal
from app.kit.secrets_gen import token_digest
from app.throttle import service as throttle

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
LAST_SEEN_EVERY = timedelta(minutes=1)  # how often a used login's last-seen time is written


class AccountError(Refusal):
    status = 400
    code = "account_error"
    message_id = N_("The request could not be processed.")


class InvalidCredentials(AccountError):
    status, code = 401, "invalid_credentials"
    message_id = N_("Wrong username or password.")


class TooManyAttempts(AccountError):
    status, code = 429, "too_many_attempts"
    message_id = N_("Too many failed logins. Please wait a moment and try again.")

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


class InvalidAccount(AccountError):
    status, code = 422, "invalid_account"


@dataclass(frozen=True)
class Staff:
    """The authenticated staff member behind a request."""

    user: StaffUser
    login: StaffLogin

    @property
    def actor(self) -> Actor:
        return actor_of(self.user)


def actor_of(user: StaffUser) -> Actor:
    return Actor(user.id, user.username, user.role)


def create_user(
    db: Session,
    username: str,
    password: str,
    role: str,
    full_name: str,
    agency_id: uuid.UUID | None = None,
    by: Actor | None = None,
) -> StaffUser:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidAccount(N_("Username: 3-64 lower-case letters, digits, dots, - or _"))
    if role not in ROLES:
        raise InvalidAccount(N_("The role must be one of %(choices)s"), choices=", ".join(ROLES))
    if len(password) < MIN_LENGTH:
        raise InvalidAccount(N_("A password has at least %(least)s characters"), least=MIN_LENGTH)
    if (role == "agency_viewer") != (agency_id is not None):
        raise InvalidAccount(
            N_("An agency viewer must be bound to one agency (and only an agency viewer)")
        )
    if repository.user_by_username(db, username) is not None:
        raise InvalidAccount(N_("The username '%(username)s' is taken"), username=username)
    user = StaffUser(
        username=username,
        full_name=full_name.strip() or username,
        role=role,
        agency_id=agency_id,
        password_hash=hash_password(password),
        created_at=clock.now(),
    )
    db.add(user)
    db.flush()
    record(
        db,
        by or Actor(None, "cli", "admin"),
        "user.create",
        target_type="staff_user",
        target_id=user.id,
        target_label=username,
        role=role,
    )
    return user


def log_in(db: Session, username: str, password: str, address: str) -> tuple[Staff, str]:
    """Check the password; returns the staff login and the cookie token.

    Refuses with TooManyAttempts while the account name or the address must wait (a short,
    growing delay: app/throttle), else InvalidCredentials. An unknown name and a wrong password
    take the same path (a hash is checked either way) and get the same answer. Every attempt
    is recorded.
    """
    now = clock.now()
    username = username.strip().lower()
    keyed = throttle.keys("staff", account=username, address=address)
    try:
        tried = throttle.check(db, "staff", keyed, now, serialize="account")
    except throttle.Throttled as exc:
        raise TooManyAttempts(exc.retry_after) from None
    user = repository.user_by_username(db, username)
    valid = verify_password(user.password_hash if user else dummy_hash(), password)
    if user is None or not user.active or not valid:
        _attempt(db, username, address, False)
        if "account" in throttle.failed(db, "staff", keyed, tried) and user is not None:
            record(
                db,
                actor_of(user),
                "staff.throttled",
                target_type="staff_user",
                target_id=user.id,
                target_label=user.username,
                address=address,
            )
        raise InvalidCredentials()
    user.last_login_at = now
    throttle.succeeded(db, "staff", keyed, "account", tried)
    _attempt(db, username, address, True)
    token = secrets.token_urlsafe(32)
    login = StaffLogin(
        user_id=user.id,
        token_hash=token_digest(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=get_settings().staff_session_hours),
        client_address=address,
    )
    db.add(login)
    record(
        db,
        actor_of(user),
        "staff.login",
        target_type="staff_user",
        target_id=user.id,
        target_label=user.username,
        address=address,
    )
    db.flush()
    return Staff(user, login), token


def _attempt(db: Session, username: str, address: str, succeeded: bool) -> None:
    db.add(
        LoginAttempt(
            username=username[:64], client_address=address, at=clock.now(), succeeded=succeeded
        )
    )


def delayed_accounts(db: Session) -> dict[str, int]:
    """Account names that must wait before their next login, with the seconds left."""
    return throttle.waiting(db, "staff", "account")


def lift_delay(db: Session, admin: Actor, user: StaffUser) -> bool:
    """An admin lets an account try again at once (the owner, locked out by someone's
    guesses, phoned in); False when it was not delayed."""
    cleared = throttle.clear(db, "staff", throttle.keys("staff", account=user.username)["account"])
    if not cleared:
        return False
    record(
        db,
        admin,
        "staff.unthrottle",
        target_type="staff_user",
        target_id=user.id,
        target_label=user.username,
        failures=cleared,
    )
    return True


def authenticate(db: Session, token: str | None) -> Staff | None:
    """The staff login behind a cookie, or None when missing, revoked, idle or expired."""
    if not token:
        return None
    login = repository.login_by_token_hash(db, token_digest(token))
    if login is None:
        return None
    now = clock.now()
    user = repository.user(db, login.user_id)
    active = user is not None and user.active
    standing = login_standing(now, login.expires_at, login.last_seen_at, active)
    if standing == "ended" or user is None:  # (no user is never active: for the type checker)
        login.revoked_at = now
        return None
    if standing == "due":
        login.last_seen_at = now
    return Staff(user, login)


def login_standing(
    now: datetime, expires_at: datetime, last_seen_at: datetime, active: bool
) -> Literal["ended", "due", "fresh"]:
    """A live staff login's standing: "ended" (expired, idle too long, or the account
    disabled: revoke it), "due" (valid, its last-seen time to be written) or "fresh".

    Writing last_seen on every poll would cost a write per board refresh: once a minute is
    precise enough for an idle timeout counted in tens of minutes. The board poll's one-query
    check (proctoring.access) decides with this same function."""
    idle = timedelta(minutes=get_settings().staff_idle_minutes)
    if now >= expires_at or now - last_seen_at > idle or not active:
        return "ended"
    return "due" if now - last_seen_at > LAST_SEEN_EVERY else "fresh"


def log_out(db: Session, staff: Staff) -> None:
    staff.login.revoked_at = clock.now()
    record(
        db,
        staff.actor,
        "staff.logout",
        target_type="staff_user",
        target_id=staff.user.id,
        target_label=staff.user.username,
    )
