"""The participant's own result (PDP: access to one's own data), with NIP + personal access
code, from the published scoring run only. Failed attempts are rate-limited per address."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import repository as accounts_repository
from app.accounts.models import LoginAttempt
from app.config import get_settings
from app.exams.models import Agency, Event, Participant
from app.kit import clock
from app.kit.nip import InvalidNIP, normalise_nip
from app.kit.secrets_gen import verify_access_code
from app.scoring import repository
from app.scoring.models import ScoreRecord
from app.talentbox import repository as talentbox_repository


class SelfViewRefused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class OwnResult:
    participant: Participant
    agency: Agency
    event: Event
    record: ScoreRecord | None  # None: not published yet
    placement: Any = None  # the released talent-box placement (box, recommendation), if any
    placement_period: int | None = None


def own_results(db: Session, nip: str, code: str, address: str) -> list[OwnResult]:
    now = clock.now()
    limit = get_settings().login_failures_per_address
    if accounts_repository.failures_from(db, address, now - timedelta(minutes=15)) >= limit:
        raise SelfViewRefused("terlalu banyak percobaan gagal; coba lagi nanti", 429)
    try:
        digits = normalise_nip(nip)
    except InvalidNIP:
        digits = ""
    people = (
        list(db.scalars(select(Participant).where(Participant.nip == digits))) if digits else []
    )
    mine = [p for p in people if verify_access_code(p.access_code_hash, code)]
    db.add(
        LoginAttempt(
            username=f"nip:{digits or nip[:40]}",
            client_address=address,
            at=now,
            succeeded=bool(mine),
        )
    )
    if not mine:
        raise SelfViewRefused("NIP atau kode akses salah", 401)
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
