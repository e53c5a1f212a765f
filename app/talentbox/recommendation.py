"""What an agency receives of a released run: every one of its officials, each in one agency
group (config `agency_groups`), with the group's follow-up — no boxes, no scores, and nothing
that narrows an official to one box (each group spans two boxes or more; docs/talentbox.md)."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.talentbox import repository
from app.talentbox.settings import load_settings


@dataclass(frozen=True)
class AgencyGroupView:
    key: str
    label: str
    follow_up: str
    people: list[Any]  # placements: name, NIP, eselon are shown


@dataclass(frozen=True)
class AgencyRecommendation:
    run: Any
    agency: str | None
    agency_name: str
    groups: list[AgencyGroupView]

    @property
    def rows(self) -> int:
        return sum(len(g.people) for g in self.groups)


def for_agency(db: Session, run: Any, code: str | None) -> AgencyRecommendation:
    settings = load_settings()
    people = repository.placements(db, run.id, agency=code) if code else []
    by_group: dict[str, list[Any]] = {key: [] for key in settings.agency_groups}
    for person in people:
        by_group[settings.agency_group_of(person.box)].append(person)
    groups = [
        AgencyGroupView(key, group.label, group.follow_up, by_group[key])
        for key, group in settings.agency_groups.items()
    ]
    name = people[0].agency_name if people else ""
    return AgencyRecommendation(run, code, name, groups)
