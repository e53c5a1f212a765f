"""Item analysis of an event, per subtest, from the stored answers (neutralised items left out)."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from app.bank import repository as bank_repository
from app.bank.models import Item, ItemVersion
from app.scoring import repository
from app.scoring.dif import Dif, RegionDif, by_region, mantel_haenszel, province_of, sex_of
from app.scoring.item_analysis import ItemStats, SummaryStats, analyse
from app.scoring.service import collect_responses, item_points, scoring_items


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
    options: dict[str, int]  # option → how many chose it ("-" = unanswered)
    key: str | None
    neutralised: bool
    option_ids: list[str]
    dif_sex: Dif | None = None  # focal: women (NIP sex digit 2), reference: men
    dif_region: RegionDif | None = None  # the province whose takers differ most
    option_stats: list[OptionStat] = field(default_factory=list)

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


def analyse_event(
    db: Session, event_id: uuid.UUID, only: AnalysisFilter | None = None
) -> list[SubtestAnalysis]:
    neutralised = {n.item_version_id for n in repository.neutralised(db, event_id)}
    people = [p for p in collect_responses(db, event_id).values() if p.status == "submitted"]
    if only is not None and any(vars(only).values()):
        chosen = repository.participants_matching(
            db, event_id, only.session, only.agency, only.eselon, only.run
        )
        people = [p for p in people if p.participant_id in chosen]
    version_ids = sorted({v for p in people for v in p.answers}, key=str)
    versions = bank_repository.versions_by_id(db, version_ids)
    codes = {v.id: _code(db, v) for v in versions.values()}
    corrected = scoring_items(db, event_id, versions)
    groups = repository.groups_of(db, event_id)
    sexes = np.array([sex_of(groups[p.participant_id][0]) or 0 for p in people])
    provinces = [province_of(groups[p.participant_id][1]) for p in people]
    by_subtest: dict[str, list[ItemVersion]] = defaultdict(list)
    for version in sorted(versions.values(), key=lambda v: codes[v.id]):
        by_subtest[version.subtest_code].append(version)
    result = []
    for subtest, items in sorted(by_subtest.items()):
        scored = [v for v in items if v.id not in neutralised]
        matrix = np.full((len(people), len(items)), np.nan)
        for row, person in enumerate(people):
            for col, v in enumerate(items):
                if v.id in person.answers:
                    matrix[row, col] = item_points(corrected[v.id], person.answers[v.id])
        maxima = np.array(
            [max((v.points or {"x": 1}).values()) if v.scoring == "graded" else 1 for v in items],
            dtype=float,
        )
        keep = [i for i, v in enumerate(items) if v.id not in neutralised]
        stats, summary = analyse(matrix[:, keep], maxima[keep], [codes[v.id] for v in scored])
        by_code = {s.key: s for s in stats}
        rows = []
        for col, v in enumerate(items):
            counts: dict[str, int] = defaultdict(int)
            for person in people:
                if v.id in person.answers:
                    counts[person.answers[v.id] or "-"] += 1
            item_stats = (
                by_code.get(codes[v.id])
                or analyse(matrix[:, [col]], maxima[[col]], [codes[v.id]])[0][0]
            )
            dif_sex, dif_region = _dif(matrix, keep, col, v, sexes, provinces)
            option_stats = _options(matrix, keep, col, v, people)
            rows.append(
                ItemRow(
                    v.id,
                    codes[v.id],
                    item_stats,
                    dict(sorted(counts.items())),
                    corrected[v.id].key,
                    v.id in neutralised,
                    [o["id"] for o in v.options] if v.scoring == "keyed" else [],
                    dif_sex,
                    dif_region,
                    option_stats,
                )
            )
        result.append(SubtestAnalysis(subtest, rows, summary))
    return result


def _dif(
    matrix: np.ndarray,
    keep: list[int],
    col: int,
    version: ItemVersion,
    sexes: np.ndarray,
    provinces: list[str | None],
) -> tuple[Dif | None, RegionDif | None]:
    """Mantel–Haenszel DIF of a keyed item by sex and by province, matching on the subtest
    total (the scored items, this one included)."""
    if version.scoring != "keyed":
        return None, None
    seen = ~np.isnan(matrix[:, col])
    totals = np.nansum(matrix[:, keep], axis=1)
    right, strata = matrix[seen, col], totals[seen]
    known = seen & (sexes > 0)
    sex = mantel_haenszel(matrix[known, col], sexes[known] == 2, totals[known])
    region = by_region(right, [p for p, s in zip(provinces, seen, strict=True) if s], strata)
    return sex, region


def _options(
    matrix: np.ndarray, keep: list[int], col: int, version: ItemVersion, people: list
) -> list[OptionStat]:
    """Per response: count, % of the takers who saw the item, discrimination against the
    rest of the test (the scored items without this one)."""
    seen = np.flatnonzero(~np.isnan(matrix[:, col]))
    if seen.size == 0:
        return []
    totals = np.nansum(matrix[:, keep], axis=1)
    own = matrix[seen, col] if col in keep else np.zeros(seen.size)
    rest = totals[seen] - own
    chosen = [people[row].answers.get(version.id) or "-" for row in seen]
    options = [o["id"] for o in version.options] + ["-"]
    result = []
    for option in options:
        picked = np.array([c == option for c in chosen], dtype=float)
        discrimination = None
        if seen.size > 2 and picked.std() > 0 and rest.std() > 0:
            discrimination = round(100 * float(np.corrcoef(picked, rest)[0, 1]), 2)
        count = int(picked.sum())
        if count or option != "-":
            result.append(OptionStat(option, count, 100 * count / seen.size, discrimination))
    return result


def _code(db: Session, version: ItemVersion) -> str:
    item = db.get(Item, version.item_id)
    return f"{item.code} v{version.version}" if item else str(version.id)


def keyed_matrices(
    db: Session, event_id: uuid.UUID
) -> dict[str, tuple[np.ndarray, list[tuple[str, dict | None]]]]:  # type: ignore[type-arg]
    """Per subtest, the 0/1 responses (submitted attempts × keyed, not neutralised items;
    NaN where an item was not on the taker's form) and each item's code and bank
    parameters: what calibration reads."""
    neutralised = {n.item_version_id for n in repository.neutralised(db, event_id)}
    people = [p for p in collect_responses(db, event_id).values() if p.status == "submitted"]
    version_ids = sorted({v for p in people for v in p.answers}, key=str)
    versions = bank_repository.versions_by_id(db, version_ids)
    corrected = scoring_items(db, event_id, versions)
    by_subtest: dict[str, list[ItemVersion]] = defaultdict(list)
    codes = {v.id: _code(db, v) for v in versions.values()}
    for version in sorted(versions.values(), key=lambda v: codes[v.id]):
        if version.scoring == "keyed" and version.id not in neutralised:
            by_subtest[version.subtest_code].append(version)
    result = {}
    for subtest, items in sorted(by_subtest.items()):
        matrix = np.full((len(people), len(items)), np.nan)
        for row, person in enumerate(people):
            for col, v in enumerate(items):
                if v.id in person.answers:
                    matrix[row, col] = float(person.answers[v.id] == corrected[v.id].key)
        result[subtest] = (matrix, [(codes[v.id], v.irt) for v in items])
    return result
