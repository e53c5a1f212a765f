"""All talent-box queries (its own tables only)."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.talentbox.models import (
    PerformanceImport,
    PerformanceRow,
    Placement,
    PlacementRun,
    PotencyImport,
    PotencyRow,
)


def potency_rows(db: Session, import_id: uuid.UUID) -> list[PotencyRow]:
    return list(db.scalars(select(PotencyRow).where(PotencyRow.import_id == import_id)))


def performance_rows(db: Session, import_id: uuid.UUID, period: int) -> list[PerformanceRow]:
    query = select(PerformanceRow).where(
        PerformanceRow.import_id == import_id, PerformanceRow.period == period
    )
    return list(db.scalars(query))


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
    box: int | None = None,
) -> list[Placement]:
    query = select(Placement).where(Placement.run_id == run_id).order_by(Placement.name)
    if agency:
        query = query.where(Placement.agency_code == agency)
    if eselon:
        query = query.where(Placement.eselon.startswith(eselon))
    if box is not None:
        query = query.where(Placement.box == box)
    return list(db.scalars(query))


def box_counts(
    db: Session, run_id: uuid.UUID, agency: str | None = None, eselon: str | None = None
) -> dict[int, int]:
    query = select(Placement.box, func.count()).where(Placement.run_id == run_id)
    if agency:
        query = query.where(Placement.agency_code == agency)
    if eselon:
        query = query.where(Placement.eselon.startswith(eselon))
    return {number: count for number, count in db.execute(query.group_by(Placement.box)).tuples()}


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
    """The official's placement in the latest released run, if any."""
    query = (
        select(PlacementRun, Placement)
        .join(Placement, Placement.run_id == PlacementRun.id)
        .where(Placement.nip == nip, PlacementRun.released_at.is_not(None))
        .order_by(PlacementRun.released_at.desc())
        .limit(1)
    )
    row = db.execute(query).first()
    return (row[0], row[1]) if row else None
