"""An event's blueprint sections as delivery reads them, kept per worker.

They change only with the blueprint (a re-import), which changes its hash; and a whole room's
logins, starts and pages read them in the same minute.
"""

import threading
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.delivery import core
from app.exams import repository as exams_repository
from app.exams.models import BlueprintSection


@dataclass(frozen=True)
class SectionPlan:
    """A blueprint section, and the positions its items take in every form (sections hold
    consecutive positions)."""

    position: int
    title: str
    subtest_code: str
    item_count: int
    time_limit_minutes: int | None
    instructions: str | None
    first_position: int
    last_position: int
    # Adaptive (delivery/adaptive.py): `item_count` is its maximum, its items chosen as the
    # taker answers; no going back inside it.
    adaptive: bool = False


_PLANS: dict[tuple[uuid.UUID, str], tuple[SectionPlan, ...]] = {}
_LOCK = threading.Lock()


def sections_of(db: Session, event_id: uuid.UUID, blueprint_hash: str) -> list[SectionPlan]:
    """The event's sections in order, read once per worker and blueprint hash."""
    key = (event_id, blueprint_hash)
    plans = _PLANS.get(key)
    if plans is None:
        plans = tuple(_plans(exams_repository.sections(db, event_id)))
        with _LOCK:
            if len(_PLANS) >= 1024:  # events of past days
                _PLANS.clear()
            _PLANS[key] = plans
    return list(plans)


def _plans(sections: list[BlueprintSection]) -> list[SectionPlan]:
    plans, first = [], 1
    for s in sections:
        last = first + s.item_count - 1
        plans.append(
            SectionPlan(
                s.position,
                s.title,
                s.subtest_code,
                s.item_count,
                s.time_limit_minutes,
                s.instructions,
                first,
                last,
                s.mode == "adaptive",
            )
        )
        first = last + 1
    return plans


def in_order(plans: list[SectionPlan]) -> bool:
    """Sections are taken in order: with a per-section limit, and with an adaptive section
    (its items are chosen as it is taken: it cannot be left and come back to)."""
    return core.sequential([p.time_limit_minutes for p in plans]) or any(p.adaptive for p in plans)


def introduced_at(plans: list[SectionPlan]) -> dict[int, SectionPlan]:
    """The sections with instructions (or adaptive: the page says there is no going back),
    by the position of their first item (where the page shows them)."""
    return {p.first_position: p for p in plans if p.instructions or p.adaptive}


def page_span(
    sections: list[SectionPlan],
    current_section: int,
    sequential: bool,
    position: int,
    item_count: int,
) -> tuple[int, int]:
    """The positions a test page at `position` may show: every item without timed sections,
    else the open section's; only `position` itself in an adaptive section (no going back,
    the next item is chosen by the server)."""
    if not sequential:
        return 1, item_count
    owner = next(s for s in sections if s.first_position <= position <= s.last_position)
    if owner.adaptive:
        return position, position
    current = next(s for s in sections if s.position == current_section)
    return current.first_position, current.last_position
