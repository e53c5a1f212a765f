"""All talent-box queries (its own tables only)."""

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, Select, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.db import rows_affected
from app.talentbox.models import (
    PerformanceImport,
    PerformanceRow,
    Placement,
    PlacementRun,
    PotencyImport,
    PotencyRow,
    ProfileImport,
    ProfileRecord,
)

STREAM_BATCH = 5000


def potency_rows(db: Session, import_id: uuid.UUID) -> list[PotencyRow]:
    return list(db.scalars(select(PotencyRow).where(PotencyRow.import_id == import_id)))


def performance_rows(db: Session, import_id: uuid.UUID, period: int) -> list[PerformanceRow]:
    query = select(PerformanceRow).where(
        PerformanceRow.import_id == import_id, PerformanceRow.period == period
    )
    return list(db.scalars(query))


def has_performance(db: Session, import_id: uuid.UUID, period: int) -> bool:
    query = select(PerformanceRow.id).where(
        PerformanceRow.import_id == import_id, PerformanceRow.period == period
    )
    return bool(db.scalar(select(exists(query))))


# Streams sorted by NIP (read in batches, server-side cursor on PostgreSQL) for the placement
# merge: memory stays flat however many officials are placed.


def potency_stream(db: Session, import_id: uuid.UUID) -> Iterator[Row[Any]]:
    query = (
        select(
            PotencyRow.nip,
            PotencyRow.name,
            PotencyRow.agency_code,
            PotencyRow.agency_name,
            PotencyRow.eselon,
            PotencyRow.event_code,
            PotencyRow.scoring_run_id,
            PotencyRow.potency_level,
            PotencyRow.composite_percentile,
        )
        .where(PotencyRow.import_id == import_id)
        .order_by(PotencyRow.nip)
    )
    return iter(db.execute(query.execution_options(yield_per=STREAM_BATCH)))


def performance_stream(db: Session, import_id: uuid.UUID, period: int) -> Iterator[Row[Any]]:
    query = (
        select(
            PerformanceRow.nip,
            PerformanceRow.period,
            PerformanceRow.predicate,
            PerformanceRow.rating_results,
            PerformanceRow.rating_behaviour,
        )
        .where(PerformanceRow.import_id == import_id, PerformanceRow.period == period)
        .order_by(PerformanceRow.nip)
    )
    return iter(db.execute(query.execution_options(yield_per=STREAM_BATCH)))


def profile_stream(
    db: Session, import_id: uuid.UUID, statuses: Sequence[str]
) -> Iterator[Row[Any]]:
    query = (
        select(
            ProfileRecord.nip,
            ProfileRecord.id,
            ProfileRecord.component,
            ProfileRecord.value,
            ProfileRecord.status,
        )
        .where(ProfileRecord.import_id == import_id, ProfileRecord.status.in_(statuses))
        .order_by(ProfileRecord.nip, ProfileRecord.component, ProfileRecord.row_number)
    )
    return iter(db.execute(query.execution_options(yield_per=STREAM_BATCH)))


class UsedRecord(NamedTuple):
    nip: str
    id: str
    component: str
    value: str
    status: str


def used_records_stream(db: Session, run_id: uuid.UUID) -> Iterator[UsedRecord]:
    """The profile records a weighted run used, as it used them (from its placements), sorted
    by NIP like profile_stream."""
    query = (
        select(Placement.nip, Placement.components)
        .where(Placement.run_id == run_id)
        .order_by(Placement.nip)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for nip, components in db.execute(query):
        weighted = components.get("weighted", {})
        for axis in ("potential", "performance"):
            for key, detail in weighted.get(axis, {}).get("components", {}).items():
                for record_id, value, status in detail["records"]:
                    yield UsedRecord(nip, record_id, key, value, status)


def count_potency(db: Session, import_id: uuid.UUID) -> int:
    query = select(func.count()).where(PotencyRow.import_id == import_id)
    return db.scalar(query) or 0


def profile_imports(db: Session) -> list[ProfileImport]:
    return list(db.scalars(select(ProfileImport).order_by(ProfileImport.imported_at.desc())))


def profile_records(
    db: Session,
    import_id: uuid.UUID,
    status: str | None = None,
    component: str | None = None,
    nip: str | None = None,
    limit: int = 200,
) -> list[ProfileRecord]:
    query = select(ProfileRecord).where(ProfileRecord.import_id == import_id)
    if status:
        query = query.where(ProfileRecord.status == status)
    if component:
        query = query.where(ProfileRecord.component == component)
    if nip:
        query = query.where(ProfileRecord.nip == nip)
    query = query.order_by(ProfileRecord.nip, ProfileRecord.component, ProfileRecord.row_number)
    return list(db.scalars(query.limit(limit)))


def profile_status_counts(db: Session, import_id: uuid.UUID) -> dict[str, int]:
    query = (
        select(ProfileRecord.status, func.count())
        .where(ProfileRecord.import_id == import_id)
        .group_by(ProfileRecord.status)
    )
    return dict(db.execute(query).tuples().all())


def set_profile_status(db: Session, record_ids: Sequence[uuid.UUID], **values: object) -> None:
    db.execute(update(ProfileRecord).where(ProfileRecord.id.in_(record_ids)).values(**values))


def potency_imports(db: Session) -> list[PotencyImport]:
    return list(db.scalars(select(PotencyImport).order_by(PotencyImport.imported_at.desc())))


def performance_imports(db: Session) -> list[PerformanceImport]:
    query = select(PerformanceImport).order_by(PerformanceImport.imported_at.desc())
    return list(db.scalars(query))


def runs(db: Session) -> list[PlacementRun]:
    return list(db.scalars(select(PlacementRun).order_by(PlacementRun.number.desc())))


def run_by_number(db: Session, number: int) -> PlacementRun | None:
    return db.scalar(select(PlacementRun).where(PlacementRun.number == number))


def next_run_number(db: Session) -> int:
    return (db.scalar(select(func.max(PlacementRun.number))) or 0) + 1


def placements(
    db: Session,
    run_id: uuid.UUID,
    agency: str | None = None,
    eselon: str | None = None,
    boxes: Sequence[int] | None = None,
    limit: int | None = None,
) -> list[Placement]:
    return list(db.scalars(_placements_query(run_id, agency, eselon, boxes).limit(limit)))


def placements_stream(db: Session, run_id: uuid.UUID) -> Iterator[Placement]:
    """Every placement of a run, read in batches (exports: memory stays flat)."""
    query = _placements_query(run_id).execution_options(yield_per=STREAM_BATCH)
    return iter(db.scalars(query))


def _placements_query(
    run_id: uuid.UUID,
    agency: str | None = None,
    eselon: str | None = None,
    boxes: Sequence[int] | None = None,
) -> Select[tuple[Placement]]:
    query = select(Placement).where(Placement.run_id == run_id).order_by(Placement.name)
    if agency:
        query = query.where(Placement.agency_code == agency)
    if eselon:
        query = query.where(Placement.eselon.startswith(eselon))
    if boxes is not None:
        query = query.where(Placement.box.in_(boxes))
    return query


def box_counts(
    db: Session, run_id: uuid.UUID, agency: str | None = None, eselon: str | None = None
) -> dict[int, int]:
    query = select(Placement.box, func.count()).where(Placement.run_id == run_id)
    if agency:
        query = query.where(Placement.agency_code == agency)
    if eselon:
        query = query.where(Placement.eselon.startswith(eselon))
    return {number: count for number, count in db.execute(query.group_by(Placement.box)).tuples()}


def nips_of_run(run_id: uuid.UUID) -> Select[tuple[str]]:
    """The NIPs a run placed, as a query (the audit log indexes an export by them)."""
    return select(Placement.nip).where(Placement.run_id == run_id)


def placement_of(db: Session, run_id: uuid.UUID, nip: str) -> Placement | None:
    query = select(Placement).where(Placement.run_id == run_id, Placement.nip == nip)
    return db.scalar(query)


def history_of(db: Session, nip: str) -> list[tuple[int, int, int]]:
    """(run number, period, box) of a person across runs: movement between boxes."""
    query = (
        select(PlacementRun.number, PlacementRun.period, Placement.box)
        .join(PlacementRun, PlacementRun.id == Placement.run_id)
        .where(Placement.nip == nip)
        .order_by(PlacementRun.number)
    )
    return list(db.execute(query).tuples())


def released_runs(db: Session) -> list[PlacementRun]:
    query = select(PlacementRun).where(PlacementRun.released_at.is_not(None))
    return list(db.scalars(query.order_by(PlacementRun.number.desc())))


def released_placement(db: Session, nip: str) -> tuple[PlacementRun, Placement] | None:
    """The official's placement in the released run of the latest period, if any."""
    query = (
        select(PlacementRun, Placement)
        .join(Placement, Placement.run_id == PlacementRun.id)
        .where(Placement.nip == nip, PlacementRun.released_at.is_not(None))
        .order_by(PlacementRun.period.desc(), PlacementRun.released_at.desc())
        .limit(1)
    )
    row = db.execute(query).first()
    return (row[0], row[1]) if row else None


def movements(
    db: Session, earlier_id: uuid.UUID, later_id: uuid.UUID
) -> list[tuple[int, int, int]]:
    """(box in the earlier run, box in the later run, people) for everyone in both runs."""
    before = aliased(Placement)
    query = (
        select(before.box, Placement.box, func.count())
        .join(before, (before.nip == Placement.nip) & (before.run_id == earlier_id))
        .where(Placement.run_id == later_id)
        .group_by(before.box, Placement.box)
        .order_by(before.box.desc(), Placement.box.desc())
    )
    return list(db.execute(query).tuples())


def movers(
    db: Session, earlier_id: uuid.UUID, later_id: uuid.UUID, from_box: int, to_box: int
) -> list[Placement]:
    before = aliased(Placement)
    query = (
        select(Placement)
        .join(before, (before.nip == Placement.nip) & (before.run_id == earlier_id))
        .where(Placement.run_id == later_id, before.box == from_box, Placement.box == to_box)
        .order_by(Placement.name)
    )
    return list(db.scalars(query))


def agencies_in_run(db: Session, run_id: uuid.UUID) -> list[tuple[str, str]]:
    query = (
        select(Placement.agency_code, Placement.agency_name)
        .where(Placement.run_id == run_id)
        .distinct()
        .order_by(Placement.agency_name)
    )
    return list(db.execute(query).tuples())


def latest_run_of_period(db: Session, period: int) -> PlacementRun | None:
    query = select(PlacementRun).where(PlacementRun.period == period)
    return db.scalar(query.order_by(PlacementRun.number.desc()).limit(1))


# --- personal data: the retention purge (personal_data.py, app/privacy/holders.py) ------


def released_runs_before(db: Session, before: datetime) -> list[uuid.UUID]:
    """Released runs past their period that still hold placements or NIP lists."""
    holds = or_(
        exists().where(Placement.run_id == PlacementRun.id),
        func.coalesce(func.json_array_length(PlacementRun.only_potency), 0) > 0,
    )
    query = (
        select(PlacementRun.id)
        .where(PlacementRun.released_at.is_not(None), PlacementRun.released_at < before)
        .where(holds)
        .order_by(PlacementRun.number)
    )
    return list(db.scalars(query))


def unreleased_run_count(db: Session) -> int:
    """Talent-box runs the purge leaves alone: never released (or withdrawn)."""
    query = select(func.count(PlacementRun.id)).where(PlacementRun.released_at.is_(None))
    return db.scalar(query) or 0


def placement_count(db: Session, run_ids: Sequence[uuid.UUID]) -> int:
    return _count(db, Placement, Placement.run_id.in_(run_ids))


def delete_placements(db: Session, run_ids: Sequence[uuid.UUID]) -> int:
    removed = rows_affected(db, delete(Placement).where(Placement.run_id.in_(run_ids)))
    db.execute(
        update(PlacementRun)
        .where(PlacementRun.id.in_(run_ids))
        .values(only_potency=[], only_performance=[], only_profile=None)
    )
    return removed


IMPORTS: dict[str, Any] = {
    "potency_rows": (PotencyImport, PotencyRow, PlacementRun.potency_import_id),
    "performance_rows": (PerformanceImport, PerformanceRow, PlacementRun.performance_import_id),
    "profile_records": (ProfileImport, ProfileRecord, PlacementRun.profile_import_id),
}


def idle_imports(db: Session, kind: str, before: datetime) -> list[uuid.UUID]:
    """Imports older than the cut-off whose every run is released before it (and so purged
    first): no unreleased or still-kept run needs their rows."""
    header, rows, used_by = IMPORTS[kind]
    needed = exists().where(
        used_by == header.id,
        or_(PlacementRun.released_at.is_(None), PlacementRun.released_at >= before),
    )
    has_rows = exists().where(rows.import_id == header.id)
    query = select(header.id).where(header.imported_at < before, ~needed, has_rows)
    return list(db.scalars(query.order_by(header.imported_at)))


def import_row_count(db: Session, kind: str, import_ids: Sequence[uuid.UUID]) -> int:
    _, rows, _ = IMPORTS[kind]
    return _count(db, rows, rows.import_id.in_(import_ids))


def delete_import_rows(db: Session, kind: str, import_ids: Sequence[uuid.UUID]) -> int:
    _, rows, _ = IMPORTS[kind]
    return rows_affected(db, delete(rows).where(rows.import_id.in_(import_ids)))


def scoring_runs_named(db: Session, run_ids: Sequence[str]) -> set[str]:
    """Which of these scoring runs an imported potency row still names."""
    named = select(PotencyRow.scoring_run_id).where(PotencyRow.scoring_run_id.in_(run_ids))
    return set(db.scalars(named.distinct()))


# --- personal data: one person's rows (personal_data.py) -----------------------------------


def released_placements(db: Session, nip: str) -> list[tuple[PlacementRun, Placement]]:
    query = (
        select(PlacementRun, Placement)
        .join(Placement, Placement.run_id == PlacementRun.id)
        .where(Placement.nip == nip, PlacementRun.released_at.is_not(None))
        .order_by(PlacementRun.period, PlacementRun.number)
    )
    return [(run, placed) for run, placed in db.execute(query).tuples()]


def _imported_rows_of(
    db: Session, row: Any, batch: Any, nip: str, *order: Any
) -> list[tuple[Any, Any]]:
    """A talent-box import's rows for one NIP, each with its import (file, time)."""
    query = (
        select(row, batch)
        .join(batch, batch.id == row.import_id)
        .where(row.nip == nip)
        .order_by(*order)
    )
    return [(r, i) for r, i in db.execute(query).tuples()]


def profile_records_of(db: Session, nip: str) -> list[tuple[ProfileRecord, ProfileImport]]:
    order = (ProfileImport.imported_at, ProfileRecord.row_number)
    return _imported_rows_of(db, ProfileRecord, ProfileImport, nip, *order)


def potency_copies_of(db: Session, nip: str) -> list[tuple[PotencyRow, PotencyImport]]:
    """The talent box's own copies of the person's identity and level (from scores exports)."""
    return _imported_rows_of(db, PotencyRow, PotencyImport, nip, PotencyImport.imported_at)


def performance_of(db: Session, nip: str) -> list[tuple[PerformanceRow, PerformanceImport]]:
    order = (PerformanceRow.period, PerformanceImport.imported_at)
    return _imported_rows_of(db, PerformanceRow, PerformanceImport, nip, *order)


def correct_potency_rows(db: Session, nip: str, event_code: str, values: dict[str, str]) -> int:
    rows = update(PotencyRow).where(PotencyRow.nip == nip, PotencyRow.event_code == event_code)
    return rows_affected(db, rows.values(**values)) or 0


def correct_placements(db: Session, nip: str, values: dict[str, str]) -> int:
    return rows_affected(db, update(Placement).where(Placement.nip == nip).values(**values)) or 0


def _count(db: Session, model: Any, condition: Any) -> int:
    return db.scalar(select(func.count()).select_from(model).where(condition)) or 0
