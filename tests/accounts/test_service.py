"""Staff accounts: argon2 passwords, lockout, per-address rate limit, session expiry."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from app.accounts import service
from app.accounts.models import StaffUser
from app.kit.clock import FrozenClock, use_clock

PASSWORD = "rahasia-sekali-1"


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    with use_clock(FrozenClock(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))) as c:
        yield c


@pytest.fixture
def user(db_session: Session, frozen: FrozenClock) -> StaffUser:
    return service.create_user(db_session, "Pengawas.Satu", PASSWORD, "proctor", "Pengawas Satu")


def test_password_is_stored_as_argon2id(user: StaffUser) -> None:
    assert user.username == "pengawas.satu"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("ab", PASSWORD, "proctor", "nama pengguna"),
        ("budi", "pendek", "proctor", "minimal 10"),
        ("budi", PASSWORD, "raja", "peran"),
        ("budi", PASSWORD, "agency_viewer", "instansi"),
    ],
)
def test_bad_accounts_are_refused(
    db_session: Session, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(service.InvalidAccount, match=message):
        service.create_user(db_session, username, password, role, "x")


def test_login_and_authenticate(db_session: Session, user: StaffUser) -> None:
    staff, token = service.log_in(db_session, "PENGAWAS.SATU", PASSWORD, "10.0.0.5")
    assert service.authenticate(db_session, token).user.id == user.id  # type: ignore[union-attr]
    assert service.authenticate(db_session, "lain") is None
    service.log_out(db_session, staff)
    assert service.authenticate(db_session, token) is None


def test_five_wrong_passwords_lock_the_account(
    db_session: Session, user: StaffUser, frozen: FrozenClock
) -> None:
    for _ in range(5):
        with pytest.raises(service.InvalidCredentials):
            service.log_in(db_session, user.username, "salah-salah-1", "10.0.0.5")
    with pytest.raises(service.AccountLocked):
        service.log_in(db_session, user.username, PASSWORD, "10.0.0.5")
    frozen.advance(minutes=16)
    service.log_in(db_session, user.username, PASSWORD, "10.0.0.5")


def test_unknown_user_and_wrong_password_look_the_same(
    db_session: Session, user: StaffUser
) -> None:
    with pytest.raises(service.InvalidCredentials) as unknown:
        service.log_in(db_session, "tidak-ada", PASSWORD, "10.0.0.6")
    with pytest.raises(service.InvalidCredentials) as wrong:
        service.log_in(db_session, user.username, "salah-salah-1", "10.0.0.6")
    assert unknown.value.message == wrong.value.message


def test_many_failures_from_one_address_are_rate_limited(
    db_session: Session, user: StaffUser
) -> None:
    for n in range(20):
        with pytest.raises(service.InvalidCredentials):
            service.log_in(db_session, f"tebak{n}", "x" * 12, "10.9.9.9")
    with pytest.raises(service.TooManyAttempts):
        service.log_in(db_session, user.username, PASSWORD, "10.9.9.9")
    service.log_in(db_session, user.username, PASSWORD, "10.0.0.7")  # another address


def test_session_expires_when_idle_and_after_twelve_hours(
    db_session: Session, user: StaffUser, frozen: FrozenClock
) -> None:
    _, token = service.log_in(db_session, user.username, PASSWORD, "10.0.0.5")
    frozen.advance(minutes=59)
    assert service.authenticate(db_session, token) is not None
    frozen.advance(minutes=61)
    assert service.authenticate(db_session, token) is None
    _, token = service.log_in(db_session, user.username, PASSWORD, "10.0.0.5")
    for _ in range(14):  # 12 h 50 min of activity, never idle for an hour
        frozen.advance(minutes=55)
        service.authenticate(db_session, token)
    assert service.authenticate(db_session, token) is None


def test_deactivated_account_cannot_log_in(db_session: Session, user: StaffUser) -> None:
    _, token = service.log_in(db_session, user.username, PASSWORD, "10.0.0.5")
    user.active = False
    assert service.authenticate(db_session, token) is None
    with pytest.raises(service.InvalidCredentials):
        service.log_in(db_session, user.username, PASSWORD, "10.0.0.5")
