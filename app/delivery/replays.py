"""An audit of an event's adaptive sections: every attempt's sequence chosen again from its
frozen pool, seed and stored answers (adaptive.replay), so an auditor can show that each
taker was given exactly the items the engine gives for those answers, with the θ and SE
stored after each."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.delivery import adaptive
from app.delivery.models import Attempt
from app.delivery.plans import sections_of
from app.exams.models import Event, Participant


@dataclass(frozen=True)
class AttemptReplay:
    nip: str
    name: str
    sections: list[adaptive.Replayed]

    @property
    def matches(self) -> bool:
        return all(s.matches for s in self.sections)


def replay_event(
    db: Session,
    event: Event,
    attempts: list[Attempt],
    progress: Callable[[int], None] | None = None,
) -> Iterator[AttemptReplay]:
    """Each attempt's adaptive sections replayed, in the order given."""
    plans = [p for p in sections_of(db, event.id, event.blueprint_hash) if p.adaptive]
    for attempt in attempts:
        participant = db.get(Participant, attempt.participant_id)
        assert participant is not None
        given = {s.section_position for s in adaptive.steps_of(db, attempt.id)}
        replays = [adaptive.replay(db, attempt, event, p) for p in plans if p.position in given]
        yield AttemptReplay(participant.nip, participant.name, replays)
        if progress:
            progress(1)
