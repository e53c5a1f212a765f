"""The talent box's part of the official's own page (`/hasil`): the box of their released
placement, in words. The app registers `released_box` with scoring's self-view where it is
assembled (app/extensions.py): scoring, a core module, does not import the talent box."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.talentbox import repository
from app.web.labels import label


@dataclass(frozen=True)
class BoxMeaning:
    """What the official's released box says, in words (the page translates the msgids)."""

    number: int
    period: int
    potential: str  # msgid of the potential level
    performance: str  # msgid of the performance level
    weighted: bool  # weighted mode: each axis is a 0-100 score of several components
    potential_score: float | None
    performance_score: float | None
    predicate: str  # the SKP predicate behind the performance axis
    recommendation: str


def released_box(db: Session, nip: str) -> BoxMeaning | None:
    """The box of the official's placement in the released run of the latest period."""
    released = repository.released_placement(db, nip)
    if released is None:
        return None
    run, placed = released
    return BoxMeaning(
        number=placed.box,
        period=run.period,
        potential=label("level", placed.potential_level),  # msgids; the page translates them
        performance=label("level", placed.performance_level),
        weighted=placed.potential_score is not None,
        potential_score=placed.potential_score,
        performance_score=placed.performance_score,
        predicate=placed.predicate,
        recommendation=placed.recommendation,
    )
