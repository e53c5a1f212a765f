"""The participant's own result (PDP: access to one's own data), with NIP + personal access
code, from the published scoring run only. Failed attempts are limited per NIP and address.

A successful look-up opens a self-view login (a cookie whose SHA-256 is stored), so the
result stays on a reload or a language switch; it ends on "Keluar", after IDLE without a
request, or LONGEST after it began, and is never renewed past that."""

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.exams.models import Agency, Event, Participant
from app.i18n import N_
from app.kit import clock
from app.kit.errors import Refusal
from app.kit.nip import InvalidNIP, normalise_nip
from app.kit.secrets_gen import token_digest, verify_access_code
from app.scoring import repository
from app.scoring.models import ScoreRecord, SelfViewLogin
from app.throttle import service as throttle

OFFICIAL = Actor(None, "pegawai-sendiri", "official")
IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=2)


class SelfViewRefused(Refusal):
    code = "selfview_refused"

    def __init__(self, message_id: str, status: int, retry_after: int | None = None) -> None:
        super().__init__(message_id)
        self.status, self.retry_after = status, retry_after


@dataclass(frozen=True)
class OwnResult:
    participant: Participant
    agency: Agency
    event: Event
    record: ScoreRecord | None  # None: not published yet

    @property
    def subtest_scores(self) -> list[tuple[str, float | None, float | None]]:
        """(subtest code, T, percentile) of the published record; None where not scored."""
        subtests = self.record.subtests if self.record else {}
        return [(code, s.get("t"), s.get("percentile")) for code, s in subtests.items()]


# What the optional talent box adds to the page: the official's released box, from their NIP
# (its `talentbox/selfview.py`). Scoring may not import the talent box; the app registers the
# look-up where it is assembled (app/extensions.py).
BoxLookup = Callable[[Session, str], object | None]
box_lookups: list[BoxLookup] = []


def register_box_lookup(lookup: BoxLookup) -> None:
    if lookup not in box_lookups:
        box_lookups.append(lookup)


def own_results(db: Session, nip: str, code: str, address: str) -> list[OwnResult]:
    """The published results of the participant(s) with this NIP and access code. Wrong
    guesses are limited per NIP and per address, apart from staff logins (app/throttle)."""
    return [_result(db, p) for p in _matching(db, nip, code, address)]


def log_in(db: Session, nip: str, code: str, address: str) -> str:
    """Check NIP and access code as `own_results` does; returns the new login's cookie token."""
    people = _matching(db, nip, code, address)
    now = clock.now()
    token = secrets.token_urlsafe(32)
    db.add(
        SelfViewLogin(
            token_hash=token_digest(token),
            participant_ids=[str(p.id) for p in people],
            created_at=now,
            last_seen_at=now,
            expires_at=now + LONGEST,
        )
    )
    db.flush()
    return token


def results_of_login(db: Session, token: str | None) -> list[OwnResult] | None:
    """The results behind a self-view cookie, or None when it is missing, ended, idle or
    expired (an idle or expired login is ended here)."""
    login = repository.selfview_login(db, token_digest(token)) if token else None
    if login is None:
        return None
    now = clock.now()
    if now >= login.expires_at or now - login.last_seen_at > IDLE:
        login.ended_at = now
        return None
    login.last_seen_at = now
    people = [db.get(Participant, uuid.UUID(i)) for i in login.participant_ids]
    return [_result(db, p) for p in people if p is not None]


def log_out(db: Session, token: str | None) -> None:
    login = repository.selfview_login(db, token_digest(token)) if token else None
    if login is not None:
        login.ended_at = clock.now()


def released_box(db: Session, results: list[OwnResult]) -> object | None:
    """The released box, once: every result shares the NIP, so they share the placement."""
    if not results:
        return None
    nip = results[0].participant.nip
    return next((box for lookup in box_lookups if (box := lookup(db, nip)) is not None), None)


def _matching(db: Session, nip: str, code: str, address: str) -> list[Participant]:
    try:
        digits = normalise_nip(nip)
    except InvalidNIP:
        digits = ""
    keyed = throttle.keys("selfview", nip=digits or nip.strip()[:40], address=address)
    try:
        tried = throttle.check(db, "selfview", keyed, serialize="nip")
    except throttle.Throttled as exc:
        too_many = N_("Too many failed tries; try again in a moment")
        raise SelfViewRefused(too_many, 429, exc.retry_after) from None
    people = (
        list(db.scalars(select(Participant).where(Participant.nip == digits))) if digits else []
    )
    mine = [p for p in people if verify_access_code(p.access_code_hash, code)]
    if not mine:
        throttle.failed(db, "selfview", keyed, tried)
        raise SelfViewRefused(N_("Wrong NIP or access code"), 401)
    throttle.succeeded(db, "selfview", keyed, "nip", tried)
    # The official's own look-up is part of "who saw my data?" too.
    record(db, OFFICIAL, "selfview.view", target_type="person", target_id=digits, subjects=[digits])
    return mine


def _result(db: Session, participant: Participant) -> OwnResult:
    event = db.get(Event, participant.event_id)
    agency = db.get(Agency, participant.agency_id)
    assert event is not None and agency is not None
    run = repository.published_run(db, event.id)
    record = None
    if run is not None:
        record = db.scalar(
            select(ScoreRecord).where(
                ScoreRecord.run_id == run.id, ScoreRecord.participant_id == participant.id
            )
        )
    return OwnResult(participant, agency, event, record)
