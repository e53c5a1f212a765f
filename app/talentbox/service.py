"""Talent-box placement: potency (from the scores export) × performance (SKP) → kotak 1–9.

Simple mode: potential level = the test's potency level; performance level = from the SKP
predicate. Each run records its inputs' checksums and the settings it used, and lists the NIPs
found on one side only instead of dropping them.
"""

import uuid

from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.kit import clock
from app.kit.errors import Refusal
from app.talentbox import files, repository, rules
from app.talentbox.models import (
    PerformanceImport,
    PerformanceRow,
    Placement,
    PlacementRun,
    PotencyImport,
    PotencyRow,
)
from app.talentbox.settings import TalentBoxSettings, load_settings


class PlacementRefused(Refusal):
    status, code = 409, "placement_refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def import_potency(db: Session, actor: Actor, file_name: str, content: bytes) -> PotencyImport:
    """All or nothing: raises files.FileRejected listing every bad row."""
    rows = files.read_potency(file_name, content)
    batch = PotencyImport(
        file_name=file_name[:300],
        checksum=files.checksum(content),
        scoring_run_ids=sorted({r["scoring_run_id"] for r in rows}),
        rows=len(rows),
        imported_at=clock.now(),
        imported_by=actor.username,
    )
    db.add(batch)
    db.flush()
    db.add_all(PotencyRow(import_id=batch.id, **row) for row in rows)
    record(
        db,
        actor,
        "talentbox.import_potency",
        target_type="file",
        target_label=file_name,
        rows=len(rows),
        checksum=batch.checksum,
    )
    db.flush()
    return batch


def import_performance(
    db: Session,
    actor: Actor,
    file_name: str,
    content: bytes,
    settings: TalentBoxSettings | None = None,
) -> PerformanceImport:
    rows = files.read_performance(file_name, content, settings or load_settings())
    batch = PerformanceImport(
        file_name=file_name[:300],
        checksum=files.checksum(content),
        rows=len(rows),
        imported_at=clock.now(),
        imported_by=actor.username,
    )
    db.add(batch)
    db.flush()
    db.add_all(PerformanceRow(import_id=batch.id, **row) for row in rows)
    record(
        db,
        actor,
        "talentbox.import_performance",
        target_type="file",
        target_label=file_name,
        rows=len(rows),
        checksum=batch.checksum,
    )
    db.flush()
    return batch


def place(
    db: Session,
    actor: Actor,
    potency_import_id: uuid.UUID,
    performance_import_id: uuid.UUID,
    period: int,
    note: str = "",
    settings: TalentBoxSettings | None = None,
) -> PlacementRun:
    """A new placement run in simple mode for everyone present on both sides."""
    settings = settings or load_settings()
    potency_batch = db.get(PotencyImport, potency_import_id)
    performance_batch = db.get(PerformanceImport, performance_import_id)
    if potency_batch is None or performance_batch is None:
        raise PlacementRefused("berkas masukan tidak ditemukan")
    potency = {r.nip: r for r in repository.potency_rows(db, potency_import_id)}
    performance = {r.nip: r for r in repository.performance_rows(db, performance_import_id, period)}
    if not performance:
        raise PlacementRefused(f"tidak ada rating kinerja untuk periode {period}")
    run = PlacementRun(
        number=repository.next_run_number(db),
        mode="simple",
        period=period,
        potency_import_id=potency_import_id,
        performance_import_id=performance_import_id,
        inputs={"potency": potency_batch.checksum, "performance": performance_batch.checksum},
        settings=settings.model_dump(mode="json"),
        only_potency=sorted(set(potency) - set(performance)),
        only_performance=sorted(set(performance) - set(potency)),
        created_at=clock.now(),
        created_by=actor.username,
        note=note,
    )
    db.add(run)
    db.flush()
    for nip in sorted(set(potency) & set(performance)):
        placement = _placement(run, potency[nip], performance[nip], settings)
        if placement is not None:
            db.add(placement)
    record(
        db,
        actor,
        "talentbox.place",
        target_type="talentbox_run",
        target_id=run.id,
        target_label=f"run {run.number}",
        period=period,
        only_potency=len(run.only_potency),
        only_performance=len(run.only_performance),
    )
    db.flush()
    return run


def _placement(
    run: PlacementRun, potency: PotencyRow, performance: PerformanceRow, settings: TalentBoxSettings
) -> Placement | None:
    if potency.potency_level is None:  # not assessed: listed with the one-sided NIPs
        run.only_performance = sorted({*run.only_performance, potency.nip})
        return None
    level = rules.performance_level(settings, performance.predicate)
    number = rules.box(settings, potency.potency_level, level)
    return Placement(
        run_id=run.id,
        nip=potency.nip,
        name=potency.name,
        agency_code=potency.agency_code,
        agency_name=potency.agency_name,
        eselon=potency.eselon,
        potential_level=potency.potency_level,
        performance_level=level,
        predicate=performance.predicate,
        box=number,
        groups=rules.groups_of(settings, number),
        recommendation=settings.recommendations[number],
        components={
            "potency": {
                "event": potency.event_code,
                "scoring_run_id": potency.scoring_run_id,
                "level": potency.potency_level,
                "composite_percentile": potency.composite_percentile,
            },
            "performance": {
                "period": performance.period,
                "predicate": performance.predicate,
                "rating_results": performance.rating_results,
                "rating_behaviour": performance.rating_behaviour,
            },
        },
    )


def release(db: Session, actor: Actor, run: PlacementRun) -> bool:
    """Agencies may now download their recommendation; officials see their own box."""
    if run.released_at is not None:
        return False
    run.released_at, run.released_by = clock.now(), actor.username
    record(
        db,
        actor,
        "talentbox.release",
        target_type="talentbox_run",
        target_id=run.id,
        target_label=f"run {run.number}",
    )
    return True
