"""Staff accounts: argon2 passwords, guessing delays per account and address, session expiry."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service
from app.accounts.models import StaffUser
from app.kit.clock import FrozenClock, use_clock

PASSWORD = "rahasia-sekali-1"


@pytest.fixture
def frozen():
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
    assert service.authenticate(db_session, token).user.id == user.id
    assert service.authenticate(db_session, "lain") is None
    service.log_out(db_session, staff)
    assert service.authenticate(db_session, token) is None


def test_wrong_passwords_delay_the_account_and_never_lock_it(
    db_session: Session, user: StaffUser, frozen: FrozenClock
) -> None:
    """Five free tries, then each must wait for a delay that doubles per failure (capped):
    a guesser slows down, the owner is never shut out for long. Before: a 15-minute lock
    after 5 guesses (anyone could lock a proctor or admin out)."""
    for _ in range(5):
        with pytest.raises(service.InvalidCredentials):
            service.log_in(db_session, user.username, "salah-salah-1", "10.0.0.5")
    with pytest.raises(service.TooManyAttempts) as waiting:
        service.log_in(db_session, user.username, PASSWORD, "10.0.0.6")  # any address
    assert waiting.value.retry_after == 1
    frozen.advance(seconds=1)
    waits = []
    for _ in range(10):  # the guesser keeps going, waiting each time as told
        with pytest.raises(service.InvalidCredentials):
            service.log_in(db_session, user.username, "salah-salah-1", "10.0.0.5")
        with pytest.raises(service.TooManyAttempts) as waiting:
            service.log_in(db_session, user.username, "salah-salah-1", "10.0.0.5")
        waits.append(waiting.value.retry_after)
        frozen.advance(seconds=waiting.value.retry_after)
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60, 60, 60]
    service.log_in(db_session, user.username, PASSWORD, "10.0.0.6")  # the owner, after ≤ 60 s


def test_the_first_delay_of_an_account_is_audited_and_an_admin_can_lift_it(
    db_session: Session, user: StaffUser
) -> None:
    from app.audit.models import AuditEntry
    from app.audit.service import Actor

    for _ in range(7):
        with pytest.raises((service.InvalidCredentials, service.TooManyAttempts)):
            service.log_in(db_session, user.username, "salah-salah-1", "10.0.0.5")
    assert service.delayed_accounts(db_session) == {user.username: 1}
    admin = Actor(None, "admin", "admin")
    assert service.lift_delay(db_session, admin, user)
    service.log_in(db_session, user.username, PASSWORD, "10.0.0.5")  # at once
    assert not service.lift_delay(db_session, admin, user)  # nothing left to lift
    actions = list(
        db_session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_label == user.username)
        )
    )
    assert actions.count("staff.throttled") == 1 and actions.count("staff.unthrottle") == 1


def test_unknown_user_and_wrong_password_look_the_same(
    db_session: Session, user: StaffUser, frozen: FrozenClock
) -> None:
    """Same answers, in the same order, with the same waits: the 423 of a locked real account
    (5 ms, against ~150 ms for an unknown one) told which usernames exist."""

    def answers(username: str, address: str) -> list[tuple[str, int | None]]:
        seen = []
        for _ in range(8):
            try:
                service.log_in(db_session, username, "salah-salah-1", address)
            except service.AccountError as exc:
                seen.append((exc.code, getattr(exc, "retry_after", None)))
        return seen

    unknown = answers("tidak-ada", "10.0.0.6")
    wrong = answers(user.username, "10.0.0.7")
    assert unknown == wrong
    assert unknown[:5] == [("invalid_credentials", None)] * 5
    assert set(unknown[5:]) == {("too_many_attempts", 1)}


def test_many_failures_from_one_address_are_delayed(
    db_session: Session, user: StaffUser, frozen: FrozenClock
) -> None:
    for n in range(20):
        with pytest.raises(service.InvalidCredentials):
            service.log_in(db_session, f"tebak{n}", "x" * 12, "10.9.9.9")
    with pytest.raises(service.TooManyAttempts):
        service.log_in(db_session, user.username, PASSWORD, "10.9.9.9")
    service.log_in(db_session, user.username, PASSWORD, "10.0.0.7")  # another address
    frozen.advance(seconds=1)
    service.log_in(db_session, user.username, PASSWORD, "10.9.9.9")  # a delay, not a lock


def test_wrong_access_codes_in_the_self_view_do_not_touch_staff_logins(
    db_session: Session, user: StaffUser, frozen: FrozenClock
) -> None:
    """Before: one failure counter per address, shared with the self-view: 20 wrong access
    codes locked every staff login of the address (an office behind one NAT) for 15 min."""
    from app.scoring.selfview import SelfViewRefused, own_results

    for _ in range(40):
        with pytest.raises(SelfViewRefused):
            own_results(db_session, "198001012006041001", "SALAHKODE123", "10.9.9.9")
    service.log_in(db_session, user.username, PASSWORD, "10.9.9.9")


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


def test_parallel_wrong_passwords_are_checked_one_at_a_time(
    fresh_database_url: str, frozen: FrozenClock
) -> None:
    """Before: 40 wrong passwords sent at once for one name were nearly all verified (the
    limit read a count first and wrote the failure after the hash): now the free five are
    verified and the rest wait."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from app.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as db:
        service.create_user(db, "korban", PASSWORD, "proctor", "Korban")
    barrier = threading.Barrier(16)

    def guess(n: int) -> str:
        barrier.wait()
        with transaction(factory) as db:  # committed on a refusal, as a web request is
            try:
                service.log_in(db, "korban", f"tebakan-{n:04}", f"10.8.{n}.1")
            except service.InvalidCredentials:
                return "checked"
            except service.AccountError as exc:
                return exc.code
        return "in"

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(guess, range(16)))
    engine.dispose()
    assert outcomes.count("checked") == 5, outcomes
    assert outcomes.count("too_many_attempts") == 11


def test_a_successful_login_forgets_the_accounts_failures(
    db_session: Session, user: StaffUser, frozen: FrozenClock
) -> None:
    """Before: one typo after logging in brought back the delay the earlier ones had earned."""
    for _ in range(4):
        with pytest.raises(service.InvalidCredentials):
            service.log_in(db_session, user.username, "salah-salah-1", "10.0.0.5")
    service.log_in(db_session, user.username, PASSWORD, "10.0.0.5")
    with pytest.raises(service.InvalidCredentials):  # a typo: a failure, not a wait
        service.log_in(db_session, user.username, "salah-salah-1", "10.0.0.5")
    service.log_in(db_session, user.username, PASSWORD, "10.0.0.5")
