"""Exposure of an adaptive section's items: what item analysis reports for adaptive sections
in place of classical statistics (docs/scoring.md).

An item's exposure rate is the share of the section's takers who were given it (answered
it: an item chosen but left unanswered when the time ran out is not counted, as in scoring).
Every item of the section's frozen pool is listed, the never-given ones at 0, beside the
section's target maximum rate (its exposure control's `max_rate`).
"""

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.exams import repository as exams_repository
from app.exams.event_file import AdaptiveDoc
from app.exams.models import BlueprintSection, Event
from app.scoring import repository
from app.scoring.event_analysis import AnalysisFilter, submitted_people
from app.scoring.service import Person


@dataclass(frozen=True)
class ItemExposure:
    version_id: uuid.UUID
    code: str
    given: int  # takers given the item
    rate: float  # given / the section's takers (0 with no takers)


@dataclass(frozen=True)
class SectionExposure:
    position: int
    title: str
    subtest: str
    takers: int  # submitted attempts given at least one of its items
    target: float | None  # the exposure control's max_rate
    items: list[ItemExposure]  # highest rate first, then by code
    mean_items: float | None  # items given per taker

    @property
    def max_rate(self) -> float:
        return max((i.rate for i in self.items), default=0.0)

    @property
    def over_target(self) -> list[ItemExposure]:
        return [i for i in self.items if self.target is not None and i.rate > self.target]

    @property
    def never_given(self) -> int:
        return sum(i.given == 0 for i in self.items)


def exposure_rates(
    pool: Sequence[tuple[uuid.UUID, str]], given: Iterable[Iterable[uuid.UUID]]
) -> tuple[int, list[ItemExposure], float | None]:
    """Takers, each pool item's exposure (highest rate first) and the mean number of items
    given, from the pool (version id, code) and the set of items each taker was given."""
    counts: Counter[uuid.UUID] = Counter()
    takers = total = 0
    for items in given:
        chosen = set(items)
        if chosen:
            takers += 1
            total += len(chosen)
            counts.update(chosen)
    rows = [
        ItemExposure(version, code, counts[version], counts[version] / takers if takers else 0.0)
        for version, code in pool
    ]
    rows.sort(key=lambda r: (-r.rate, r.code))
    return takers, rows, (total / takers if takers else None)


def event_exposure(db: Session, event: Event, people: list[Person]) -> list[SectionExposure]:
    """Each adaptive section of the event, over these (submitted) takers."""
    result = []
    for section in repository.adaptive_sections(db, event.id):
        pool = _pool(db, event, section)
        given = (
            [v for v, at in person.adaptive.items() if at == section.position] for person in people
        )
        takers, items, mean_items = exposure_rates(pool, given)
        result.append(
            SectionExposure(
                section.position,
                section.title,
                section.subtest_code,
                takers,
                _target(section),
                items,
                mean_items,
            )
        )
    return result


def _pool(db: Session, event: Event, section: BlueprintSection) -> list[tuple[uuid.UUID, str]]:
    """The section's frozen pool (none yet: no form drawn under this blueprint)."""
    row = exams_repository.adaptive_pool(db, event.id, section.position, event.blueprint_hash)
    if row is None:
        return []
    versions = [uuid.UUID(hex=item[0]) for item in row.items]
    codes = repository.version_codes(db, versions)  # "CODE vN", as item analysis names them
    return [(v, codes.get(v, item[1])) for v, item in zip(versions, row.items, strict=True)]


def _target(section: BlueprintSection) -> float | None:
    if section.adaptive is None:
        return None
    return AdaptiveDoc.model_validate(section.adaptive).exposure.max_rate


def adaptive_exposure(
    db: Session, event: Event, only: AnalysisFilter | None = None
) -> list[SectionExposure]:
    """The item-analysis page's exposure report: the filter's submitted takers."""
    if not repository.adaptive_sections(db, event.id):
        return []
    return event_exposure(db, event, submitted_people(db, event.id, only))
