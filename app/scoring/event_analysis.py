"""Item analysis of an event, per subtest, from the stored answers (neutralised items left out)."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from app.bank import repository as bank_repository
from app.bank.models import ItemVersion
from app.bank.points import item_maximum, item_points
from app.scoring import repository
from app.scoring.dif import Dif, RegionDif, by_region, mantel_haenszel, province_of, sex_of
from app.scoring.item_analysis import ItemStats, SummaryStats, analyse
from app.scoring.service import (
    Person,
    ScoringItem,
    collect_responses,
    graded_categories,
    scoring_items,
)


@dataclass(frozen=True)
class OptionStat:
    """One response of an item (Moodle's per-response table): how many chose it, what share
    of the takers who saw the item, and the option's discrimination — the correlation of
    choosing it with the rest of the test (positive for the key, negative for a working
    distractor); None with fewer than 3 takers or no spread."""

    option: str  # "-" = unanswered
    count: int
    percent: float
    discrimination: float | None


@dataclass(frozen=True)
class AnalysisFilter:
    """Which takers the analysis covers (all submitted attempts of the event by default)."""

    session: str | None = None
    agency: str | None = None
    eselon: str | None = None
    run: int | None = None


@dataclass(frozen=True)
class ItemRow:
    version_id: uuid.UUID
    code: str
    stats: ItemStats
    option_stats: list[OptionStat]  # per response, "-" = unanswered
    key: str | None
    neutralised: bool
    option_ids: list[str]
    dif_sex: Dif | None = None  # focal: women (NIP sex digit 2), reference: men
    dif_region: RegionDif | None = None  # the province whose takers differ most

    @property
    def options(self) -> dict[str, int]:
        """Option → how many chose it ("-" = unanswered)."""
        return {o.option: o.count for o in self.option_stats if o.count}

    @property
    def dif_flag(self) -> str | None:
        """The more severe ETS class of the two, when it is B or C (for review)."""
        classes = [d.ets for d in (self.dif_sex, self.dif_region and self.dif_region.dif) if d]
        worst = max((c for c in classes if c), key="ABC".index, default=None)
        return worst if worst in ("B", "C") else None


@dataclass(frozen=True)
class SubtestAnalysis:
    subtest: str
    items: list[ItemRow]
    summary: SummaryStats


@dataclass(frozen=True)
class _Responses:
    """What every analysis of an event reads: the submitted attempts (narrowed by a
    filter), the item versions they saw by subtest (ordered by code), their codes and their
    keys as corrected for the event, and which are neutralised."""

    people: list[Person]
    by_subtest: dict[str, list[ItemVersion]]
    codes: dict[uuid.UUID, str]
    corrected: dict[uuid.UUID, ScoringItem]
    neutralised: set[uuid.UUID]

    def points(self, items: list[ItemVersion]) -> np.ndarray:
        """Takers × items: the points scored, NaN where the item was not on the form."""
        matrix = np.full((len(self.people), len(items)), np.nan)
        for row, person in enumerate(self.people):
            for col, v in enumerate(items):
                if v.id in person.answers:
                    matrix[row, col] = item_points(self.corrected[v.id], person.answers[v.id])
        return matrix

    def presented(self, items: list[ItemVersion]) -> np.ndarray:
        """How many takers had each item on their form."""
        return np.array([sum(v.id in p.answers for p in self.people) for v in items])


def submitted_people(db: Session, event_id: uuid.UUID, only: AnalysisFilter | None) -> list[Person]:
    """The submitted attempts the filter covers, with every item given (adaptive included)."""
    people = [p for p in collect_responses(db, event_id).values() if p.status == "submitted"]
    if only is not None and any(vars(only).values()):
        chosen = repository.participants_matching(
            db, event_id, only.session, only.agency, only.eselon, only.run
        )
        people = [p for p in people if p.participant_id in chosen]
    return people


def _responses(db: Session, event_id: uuid.UUID, only: AnalysisFilter | None) -> _Responses:
    """Fixed sections only: an adaptive section gives each taker items chosen for their θ,
    so its p-values, correlations with the total and α would describe the selection, not
    the items (docs/scoring.md); exposure.py reports its items instead."""
    neutralised = {n.item_version_id for n in repository.neutralised(db, event_id)}
    people = [p.fixed_only() for p in submitted_people(db, event_id, only)]
    people = [p for p in people if p.answers]
    version_ids = sorted({v for p in people for v in p.answers}, key=str)
    versions = bank_repository.versions_by_id(db, version_ids)
    codes = repository.version_codes(db, version_ids)
    by_subtest: dict[str, list[ItemVersion]] = defaultdict(list)
    for version in sorted(versions.values(), key=lambda v: codes[v.id]):
        by_subtest[version.subtest_code].append(version)
    corrected = scoring_items(db, event_id, versions)
    return _Responses(people, dict(sorted(by_subtest.items())), codes, corrected, neutralised)


def analyse_event(
    db: Session, event_id: uuid.UUID, only: AnalysisFilter | None = None
) -> list[SubtestAnalysis]:
    seen = _responses(db, event_id, only)
    people, codes, neutralised = seen.people, seen.codes, seen.neutralised
    groups = repository.groups_of(db, event_id)
    sexes = np.array([sex_of(groups[p.participant_id][0]) or 0 for p in people])
    provinces = [province_of(groups[p.participant_id][1]) for p in people]
    result = []
    for subtest, items in seen.by_subtest.items():
        scored = [v for v in items if v.id not in neutralised]
        matrix = seen.points(items)
        maxima = np.array([item_maximum(v) for v in items], dtype=float)
        keep = [i for i, v in enumerate(items) if v.id not in neutralised]
        stats, summary = analyse(matrix[:, keep], maxima[keep], [codes[v.id] for v in scored])
        by_code = {s.key: s for s in stats}
        totals = np.nansum(matrix[:, keep], axis=1)  # the subtest total of each taker
        rows = []
        for col, v in enumerate(items):
            item_stats = (
                by_code.get(codes[v.id])
                or analyse(matrix[:, [col]], maxima[[col]], [codes[v.id]])[0][0]
            )
            dif_sex, dif_region = _dif(matrix[:, col], totals, v, sexes, provinces)
            own = matrix[:, col] if col in keep else np.zeros(len(people))
            rows.append(
                ItemRow(
                    v.id,
                    codes[v.id],
                    item_stats,
                    _options(matrix[:, col], totals - own, v, people),
                    seen.corrected[v.id].key,
                    v.id in neutralised,
                    [o["id"] for o in v.options] if v.scoring == "keyed" else [],
                    dif_sex,
                    dif_region,
                )
            )
        result.append(SubtestAnalysis(subtest, rows, summary))
    return result


def _dif(
    scores: np.ndarray,
    totals: np.ndarray,
    version: ItemVersion,
    sexes: np.ndarray,
    provinces: list[str | None],
) -> tuple[Dif | None, RegionDif | None]:
    """Mantel–Haenszel DIF of a keyed item by sex and by province, matching on the subtest
    total (the scored items, this one included)."""
    if version.scoring != "keyed":
        return None, None
    seen = ~np.isnan(scores)
    known = seen & (sexes > 0)
    sex = mantel_haenszel(scores[known], sexes[known] == 2, totals[known])
    where = [p for p, s in zip(provinces, seen, strict=True) if s]
    return sex, by_region(scores[seen], where, totals[seen])


def _options(
    scores: np.ndarray, rest: np.ndarray, version: ItemVersion, people: list[Person]
) -> list[OptionStat]:
    """Per response: count, % of the takers who saw the item, discrimination against the
    rest of the test (the scored items without this one)."""
    seen = np.flatnonzero(~np.isnan(scores))
    if seen.size == 0:
        return []
    rest = rest[seen]
    chosen = [people[row].answers.get(version.id) or "-" for row in seen]
    result = []
    for option in [o["id"] for o in version.options] + ["-"]:
        picked = np.array([c == option for c in chosen], dtype=float)
        discrimination = None
        if seen.size > 2 and picked.std() > 0 and rest.std() > 0:
            discrimination = round(100 * float(np.corrcoef(picked, rest)[0, 1]), 2)
        count = int(picked.sum())
        if count or option != "-":
            result.append(OptionStat(option, count, 100 * count / seen.size, discrimination))
    return result


@dataclass(frozen=True)
class CalibrationItem:
    version_id: uuid.UUID
    code: str  # item code and version, as item analysis names it
    bank: dict[str, Any] | None  # the bank's parameters (an anchor when set)


@dataclass(frozen=True)
class CalibrationData:
    """One subtest's responses as calibration reads them (submitted attempts; neutralised
    items left out): keyed items 1 / 0 (a presented, unanswered item is wrong, as in
    scoring), graded items by their number of categories as the 0-based category chosen
    (unanswered: no information, as in scoring); NaN where the item was not on the form."""

    keyed: tuple[np.ndarray, list[CalibrationItem]] | None
    graded: dict[int, tuple[np.ndarray, list[CalibrationItem], np.ndarray]]


def calibration_data(db: Session, event_id: uuid.UUID) -> dict[str, CalibrationData]:
    seen = _responses(db, event_id, None)
    result = {}
    for subtest, versions in seen.by_subtest.items():
        kept = [v for v in versions if v.id not in seen.neutralised]

        def described(items: list[ItemVersion]) -> list[CalibrationItem]:
            return [CalibrationItem(v.id, seen.codes[v.id], v.irt) for v in items]

        keyed = [v for v in kept if v.scoring == "keyed"]
        by_count: dict[int, list[ItemVersion]] = defaultdict(list)
        for v in kept:
            if v.scoring == "graded":
                by_count[len(set((v.points or {}).values()))].append(v)
        graded = {
            count: (
                graded_categories(seen.people, items),
                described(items),
                seen.presented(items),  # answered or not
            )
            for count, items in sorted(by_count.items())
            if count >= 2
        }
        if keyed or graded:
            result[subtest] = CalibrationData(
                (seen.points(keyed), described(keyed)) if keyed else None, graded
            )
    return result
