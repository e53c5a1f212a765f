"""Queries of the research export (read only)."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.bank.models import Item, ItemVersion
from app.exams.models import Agency, Event, Form, FormItem, Participant
from app.scoring import repository as scoring_repository
from app.scoring.models import ScoreRecord

published_run = scoring_repository.published_run
answers_purged = scoring_repository.answers_purged


@dataclass(frozen=True)
class ItemKey:
    name: str  # "CODE vN"
    scoring: str
    key: str | None
    points: dict[str, int] | None


def event_by_code(db: Session, code: str) -> Event | None:
    return db.scalar(select(Event).where(Event.code == code))


def people(db: Session, event_id: uuid.UUID) -> list[tuple[uuid.UUID, str, str, str]]:
    query = (
        select(Participant.id, Participant.nip, Agency.code, Participant.eselon)
        .join(Agency, Agency.id == Participant.agency_id)
        .where(Participant.event_id == event_id)
    )
    return [(i, nip, agency, eselon) for i, nip, agency, eselon in db.execute(query).tuples()]


def nips_of_event(event_id: uuid.UUID) -> Select[tuple[str]]:
    return select(Participant.nip).where(Participant.event_id == event_id)


def scores(db: Session, run_id: uuid.UUID) -> dict[uuid.UUID, dict[str, Any]]:
    out = {}
    for r in db.scalars(select(ScoreRecord).where(ScoreRecord.run_id == run_id)):
        out[r.participant_id] = {
            "attempt_status": r.attempt_status,
            "level": r.level,
            "composite": r.composite,
            "composite_t": r.composite_t,
            "stanine": r.stanine,
            "subtests": {
                code: {k: v.get(k) for k in ("raw", "max", "answered", "theta", "se", "t")}
                for code, v in sorted(r.subtests.items())
            },
        }
    return out


def items_of_event(db: Session, event_id: uuid.UUID) -> dict[uuid.UUID, ItemKey]:
    drawn = (
        select(FormItem.item_version_id)
        .join(Form, Form.id == FormItem.form_id)
        .join(Participant, Participant.id == Form.participant_id)
        .where(Participant.event_id == event_id)
        .distinct()
    )
    given = list({row[3] for row in scoring_repository.adaptive_responses(db, event_id)})
    query = (
        select(ItemVersion.id, Item.code, ItemVersion.version, ItemVersion.scoring)
        .add_columns(ItemVersion.key, ItemVersion.points)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(ItemVersion.id.in_(drawn) | ItemVersion.id.in_(given))
    )
    return {
        vid: ItemKey(f"{code} v{version}", scoring, key, points)
        for vid, code, version, scoring, key, points in db.execute(query).tuples()
    }


def responses_by_participant(
    db: Session, event_id: uuid.UUID
) -> dict[uuid.UUID, list[tuple[uuid.UUID, str | None]]]:
    """Every drawn item with the answer given (None: not answered), and the items answered
    in adaptive sections, per participant (as scoring reads them)."""
    out: dict[uuid.UUID, list[tuple[uuid.UUID, str | None]]] = defaultdict(list)
    for participant_id, _attempt, _status, version_id, option in scoring_repository.responses(
        db, event_id
    ):
        out[participant_id].append((version_id, option))
    for participant_id, _, _, version_id, option, _ in scoring_repository.adaptive_responses(
        db, event_id
    ):
        out[participant_id].append((version_id, option))
    return out
