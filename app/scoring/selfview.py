"""The participant's own result (PDP: access to one's own data), with NIP + personal access
code, from the published scoring run only. Failed attempts are limited per NIP and address."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.exams.models import Agency, Event, Participant
from app.kit.nip import InvalidNIP, normalise_nip
from app.kit.secrets_gen import verify_access_code
from app.scoring import repository
from app.scoring.models import ScoreRecord
from app.talentbox import repository as talentbox_repository
from app.throttle import service as throttle


class SelfViewRefused(Exception):
    def __init__(self, message: str, status: int, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.retry_after = message, status, retry_after


@dataclass(frozen=True)
class OwnResult:
    participant: Participant
    agency: Agency
    event: Event
    record: ScoreRecord | None  # None: not published yet
    placement: Any = None  # the released talent-box placement (box, recommendation), if any
    placement_period: int | None = None


def own_results(db: Session, nip: str, code: str, address: str) -> list[OwnResult]:
    """The published results of the participant(s) with this NIP and access code. Wrong
    guesses are limited per NIP and per address, apart from staff logins (app/throttle)."""
    try:
        digits = normalise_nip(nip)
    except InvalidNIP:
        digits = ""
    keyed = throttle.keys("selfview", nip=digits or nip.strip()[:40], address=address)
    try:
        tried = throttle.check(db, "selfview", keyed, serialize="nip")
    except throttle.Throttled as exc:
        message = "terlalu banyak percobaan gagal; coba lagi sebentar lagi"
        raise SelfViewRefused(message, 429, exc.retry_after) from None
    people = (
        list(db.scalars(select(Participant).where(Participant.nip == digits))) if digits else []
    )
    mine = [p for p in people if verify_access_code(p.access_code_hash, code)]
    if not mine:
        throttle.failed(db, "selfview", keyed, tried)
        raise SelfViewRefused("NIP atau kode akses salah", 401)
    throttle.succeeded(db, "selfview", keyed, "nip", tried)
    return [_result(db, p) for p in mine]


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
    released = talentbox_repository.released_placement(db, participant.nip)
    if released is None:
        return OwnResult(participant, agency, event, record)
    return OwnResult(participant, agency, event, record, released[1], released[0].period)
