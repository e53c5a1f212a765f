"""Talent-box inputs and decisions: imports (all or nothing), the verification of profile
records, and the release of a run. The placement itself is in placement.py."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.kit import clock
from app.talentbox import files, repository
from app.talentbox.models import (
    VERIFICATION_STATUSES,
    PerformanceImport,
    PerformanceRow,
    PlacementRun,
    PotencyImport,
    PotencyRow,
    ProfileImport,
    ProfileRecord,
)
from app.talentbox.settings import TalentBoxSettings, load_settings


def import_potency(
    db: Session, actor: Actor, file_name: str, content: bytes, label: str | None = None
) -> PotencyImport:
    """All or nothing: raises files.FileRejected listing every bad row. `label` names the
    source when it is not a file (the export API's address)."""
    rows = files.read_potency(file_name, content)
    batch = PotencyImport(scoring_run_ids=sorted({r["scoring_run_id"] for r in rows}))
    return _store(db, actor, batch, PotencyRow, rows, label or file_name, content, "potency")


def import_performance(
    db: Session,
    actor: Actor,
    file_name: str,
    content: bytes,
    settings: TalentBoxSettings | None = None,
) -> PerformanceImport:
    """SKP ratings; all or nothing."""
    rows = files.read_performance(file_name, content, settings or load_settings())
    batch = PerformanceImport()
    return _store(db, actor, batch, PerformanceRow, rows, file_name, content, "performance")


def import_profile(
    db: Session,
    actor: Actor,
    file_name: str,
    content: bytes,
    settings: TalentBoxSettings | None = None,
) -> ProfileImport:
    """Profile component records with their verification status; all or nothing."""
    rows = files.read_profile(file_name, content, settings or load_settings())
    counts = {s: sum(r["status"] == s for r in rows) for s in VERIFICATION_STATUSES}
    batch = ProfileImport()
    return _store(db, actor, batch, ProfileRecord, rows, file_name, content, "profile", **counts)


Import = TypeVar("Import", PotencyImport, PerformanceImport, ProfileImport)
# (db, actor, file name, content) → the stored import; all or nothing
Importer = Callable[[Session, Actor, str, bytes], PotencyImport | PerformanceImport | ProfileImport]


def _store(
    db: Session,
    actor: Actor,
    batch: Import,
    row_model: type[PotencyRow | PerformanceRow | ProfileRecord],
    rows: list[dict[str, Any]],
    name: str,
    content: bytes,
    kind: str,
    **extra: Any,
) -> Import:
    """The import and its rows, with an audit entry naming the file, its size and checksum."""
    batch.file_name = name[:300]
    batch.checksum = files.checksum(content)
    batch.rows = len(rows)
    batch.imported_at, batch.imported_by = clock.now(), actor.username
    db.add(batch)
    db.flush()
    db.add_all(row_model(import_id=batch.id, **row) for row in rows)
    record(
        db,
        actor,
        f"talentbox.import_{kind}",
        target_type="file",
        target_label=name,
        rows=len(rows),
        checksum=batch.checksum,
        **extra,
    )
    db.flush()
    return batch


def release(db: Session, actor: Actor, run: PlacementRun) -> bool:
    """Agencies may now download their recommendation; officials see their own box. One run
    per period is released at a time: releasing a run withdraws the period's earlier one."""
    if run.released_at is not None:
        return False
    for earlier in repository.released_runs(db):
        if earlier.period == run.period:
            withdraw(db, actor, earlier, reason=f"digantikan run {run.number}")
    run.released_at, run.released_by = clock.now(), actor.username
    record(
        db,
        actor,
        "talentbox.release",
        target_type="talentbox_run",
        target_id=run.id,
        target_label=f"run {run.number}",
        period=run.period,
    )
    return True


def withdraw(db: Session, actor: Actor, run: PlacementRun, reason: str = "") -> bool:
    """Agencies and officials no longer see this run (the audit log keeps the release)."""
    if run.released_at is None:
        return False
    run.released_at, run.released_by = None, None
    record(
        db,
        actor,
        "talentbox.withdraw",
        target_type="talentbox_run",
        target_id=run.id,
        target_label=f"run {run.number}",
        period=run.period,
        reason=reason,
    )
    return True


def set_verification(
    db: Session, actor: Actor, records: Sequence[ProfileRecord], status: str, note: str = ""
) -> int:
    """Verify, reject or reset records (by this analyst, now); returns how many changed.
    Placement runs already made keep what they used (their components and checksum)."""
    if status not in VERIFICATION_STATUSES:
        raise ValueError(status)
    changed = [r for r in records if r.status != status or (note and r.status_note != note)]
    if not changed:
        return 0
    now = clock.now()
    by = None if status == "unverified" else actor.username
    at = None if status == "unverified" else now
    repository.set_profile_status(
        db, [r.id for r in changed], status=status, status_by=by, status_at=at, status_note=note
    )
    for r in changed:
        record(
            db,
            actor,
            f"talentbox.profile_{status}",
            target_type="person",
            target_id=r.nip,
            target_label=f"{r.component}: {r.value}",
            record=str(r.id),
            before=r.status,
            note=note,
        )
    db.expire_all()
    return len(changed)
