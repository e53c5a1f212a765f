"""Limits on guessing, kept apart by purpose (staff login, the self-view, taker login, PC
readiness reports) and counted per key (account or NIP, and address).

A key's first `free` failures in the window cost nothing; after that each further try must
wait for a delay that doubles with every failure, up to `cap_seconds`, counted from the last
failure. A delay, not a lock: a lock of 15 minutes after 5 guesses let anyone shut a proctor
or admin out, and one shared per-address counter let 20 wrong access codes shut every staff
login of an office behind one NAT. Refused tries are not counted, so waiting always ends.

Keys are the names typed, whether or not they exist: an unknown username is delayed exactly
like a real one, so the answer tells nothing. The counts live in the database, so every worker
and every node behind the same database sees the same limits.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from app.db import insert_for, rows_affected
from app.i18n import N_
from app.kit import clock
from app.kit.errors import Refusal
from app.throttle.models import ThrottleFailure, ThrottleKey

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Rule:
    free: int  # failures in the window before any delay
    cap_seconds: int  # the longest delay


# Per purpose: the rule for the person's key (account or NIP) and for the address. Addresses
# are shared (an office NAT, a regency CAT room behind one router), so they get more room.
RULES: dict[str, dict[str, Rule]] = {
    "staff": {"account": Rule(5, 60), "address": Rule(20, 60)},
    "selfview": {"nip": Rule(5, 120), "address": Rule(20, 60)},
    # A room mistyping its token at the start: five typos per NIP, fifty per address.
    "taker": {"nip": Rule(5, 60), "address": Rule(50, 30)},
    # A technician's readiness report (/ujian/cek) names a room by its token: ten typos.
    "readiness": {"address": Rule(10, 60)},
}


class Throttled(Refusal):
    status, code = 429, "too_many_attempts"
    message_id = N_("Too many failed attempts. Please wait a moment and try again.")

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


def keys(purpose: str, **values: str | None) -> dict[str, str]:
    """The keys of one try, e.g. keys("staff", account="budi", address="10.0.0.5")."""
    rules = RULES[purpose]
    keyed = {}
    for kind, value in values.items():
        printable = "".join(c for c in value or "" if c.isprintable())  # no NUL in a key
        if kind in rules and printable:
            keyed[kind] = f"{kind}:{printable}"[:120]
    return keyed


def delay_after(rule: Rule, failures: int) -> float:
    """Seconds to wait after the last failure when the window holds `failures`."""
    if failures < rule.free:
        return 0.0
    return float(min(rule.cap_seconds, 2 ** (failures - rule.free)))


def _in_window(purpose: str, now: datetime, *where: Any) -> Select[tuple[str, int, datetime]]:
    """Per key: the failures in the window and the time of the last one."""
    return (
        select(ThrottleFailure.key, func.count(), func.max(ThrottleFailure.at))
        .where(ThrottleFailure.purpose == purpose, ThrottleFailure.at > now - WINDOW, *where)
        .group_by(ThrottleFailure.key)
    )


def check(
    db: Session,
    purpose: str,
    keyed: dict[str, str],
    now: datetime | None = None,
    serialize: str | None = None,
) -> dict[str, int]:
    """Refuse with Throttled (and the seconds to wait) while any key of this try must wait;
    else the failures each kind of key holds in the window (for `failed` and `succeeded`).
    One query for all the keys. `serialize` names the kind whose key is locked first (the
    person: account or NIP), so that tries for it run one at a time until their commit."""
    now = now or clock.now()
    if serialize and serialize in keyed:
        _lock(db, purpose, keyed[serialize], now)
    kinds = {key: kind for kind, key in keyed.items()}
    counts, wait = {}, 0.0
    for key, failures, last in db.execute(_in_window(purpose, now, ThrottleFailure.key.in_(kinds))):
        counts[kinds[key]] = failures
        free_at = last + timedelta(seconds=delay_after(RULES[purpose][kinds[key]], failures))
        wait = max(wait, (free_at - now).total_seconds())
    if wait > 0:
        raise Throttled(math.ceil(wait))
    return counts


def _lock(db: Session, purpose: str, key: str, now: datetime) -> None:
    """Lock the key's row for this transaction, creating it if new (one upsert: PostgreSQL
    holds the row lock, SQLite the database's write lock, until the commit)."""
    db.execute(
        insert_for(db)(ThrottleKey)
        .values(purpose=purpose, key=key, touched_at=now)
        .on_conflict_do_update(
            index_elements=[ThrottleKey.purpose, ThrottleKey.key], set_={"touched_at": now}
        )
    )


def succeeded(
    db: Session, purpose: str, keyed: dict[str, str], kind: str, counts: dict[str, int]
) -> None:
    """A right answer forgets the person's failures (not the address's): one typo after a
    login no longer brings back the delay the earlier ones had earned. Nothing to forget,
    no statement: most logins are right the first time."""
    if counts.get(kind) and kind in keyed:
        clear(db, purpose, keyed[kind])


def failed(db: Session, purpose: str, keyed: dict[str, str], counts: dict[str, int]) -> list[str]:
    """Count a failed try against every key; the kinds that now start to be delayed (for the
    audit log: a first delay of an account is worth a line, every later one is not). The
    counts are `check`'s, exact for the serialised person key."""
    now = clock.now()
    db.add_all(ThrottleFailure(purpose=purpose, key=key, at=now) for key in keyed.values())
    return [kind for kind in keyed if counts.get(kind, 0) + 1 == RULES[purpose][kind].free]


def waiting(db: Session, purpose: str, kind: str) -> dict[str, int]:
    """The keys of one kind that must wait now, with the seconds left (admin pages)."""
    now = clock.now()
    rule = RULES[purpose][kind]
    result = {}
    for key, failures, last in db.execute(
        _in_window(purpose, now, ThrottleFailure.key.like(f"{kind}:%"))
    ):
        left = (last + timedelta(seconds=delay_after(rule, failures)) - now).total_seconds()
        if left > 0:
            result[key.removeprefix(f"{kind}:")] = math.ceil(left)
    return result


def clear(db: Session, purpose: str, key: str) -> int:
    """Forget a key's failures (an admin lifting an account's delay); how many there were."""
    query = delete(ThrottleFailure).where(
        ThrottleFailure.purpose == purpose, ThrottleFailure.key == key
    )
    return rows_affected(db, query)


def forget_before(db: Session, cutoff: datetime) -> int:
    """Drop failures older than any window, and the keys not tried since (the sweeper's
    housekeeping)."""
    db.execute(delete(ThrottleKey).where(ThrottleKey.touched_at < cutoff))
    return rows_affected(db, delete(ThrottleFailure).where(ThrottleFailure.at < cutoff))
