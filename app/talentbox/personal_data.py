"""The talent box's part of the personal-data duties (UU 27/2022): its rows in a person's
document, identity corrections reaching its own copies, the retention purge of released runs
and of the imports no kept run uses, and the scoring runs it still names. The app registers
`HOLDER` with the privacy package where it is assembled (app/extensions.py); the talent box
does not import that package (its edge: tests/talentbox/test_boundary.py)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.talentbox import pages, repository
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

PLACED_FIELDS = ("name", "eselon")  # the identity a placement keeps a copy of


class TalentBoxData:
    kind = "talentbox"

    def person_sections(self, db: Session, nip: str) -> dict[str, list[dict[str, Any]]]:
        return {
            "talent_boxes": [_placement(r, p) for r, p in repository.released_placements(db, nip)],
            "performance_ratings": [_rating(r, i) for r, i in repository.performance_of(db, nip)],
            "talent_box_copies": [_copy(r, i) for r, i in repository.potency_copies_of(db, nip)],
            "profile_records": [_profile(r, i) for r, i in repository.profile_records_of(db, nip)],
        }

    def correct_identity(
        self, db: Session, nip: str, event_code: str, values: dict[str, str]
    ) -> dict[str, int]:
        """Rows imported from the scores export, and each placement, keep their own copy of
        the identity: a correction reaches them too, or the person card and its exports would
        go on showing the wrong name (the file's checksum stays that of the file as received)."""
        placed = {k: v for k, v in values.items() if k in PLACED_FIELDS}
        return {
            "potency_rows": repository.correct_potency_rows(db, nip, event_code, values),
            "placements": repository.correct_placements(db, nip, placed) if placed else 0,
        }

    def scoring_runs_named(self, db: Session, run_ids: Sequence[str]) -> set[str]:
        """Runs an imported potency row still names: the box's rules still need the result
        linked to the person."""
        return repository.scoring_runs_named(db, run_ids)

    def purge_plan(
        self, db: Session, before: datetime
    ) -> tuple[dict[str, int], list[tuple[str, list[Any]]]]:
        """Released runs past their period first, then the imports no kept run uses; a run
        never released (or withdrawn) is left alone."""
        held_back = {"runs_not_released": repository.unreleased_run_count(db)}
        runs: list[tuple[str, list[Any]]] = [
            ("placements", repository.released_runs_before(db, before))
        ]
        imports = [(k, list(repository.idle_imports(db, k, before))) for k in repository.IMPORTS]
        return held_back, runs + imports

    def purge(self, db: Session, part: str, ids: Sequence[Any], dry_run: bool) -> dict[str, int]:
        if part == "placements":
            count = repository.placement_count if dry_run else repository.delete_placements
            return {"runs": len(ids), "placements": count(db, ids)}
        remove = repository.import_row_count if dry_run else repository.delete_import_rows
        return {part: remove(db, part, ids)}

    def component_labels(self) -> dict[str, str]:
        return pages.component_labels()


HOLDER = TalentBoxData()


def _placement(run: PlacementRun, placed: Placement) -> dict[str, Any]:
    return {
        "period": run.period,
        "run": run.number,
        "released_at": _time(run.released_at),
        "mode": run.mode,
        "box": placed.box,
        "potential_level": placed.potential_level,
        "performance_level": placed.performance_level,
        "predicate": placed.predicate,
        "potential_score": placed.potential_score,
        "performance_score": placed.performance_score,
        "recommendation": placed.recommendation,
    }


def _copy(row: PotencyRow, batch: PotencyImport) -> dict[str, Any]:
    """A row the talent box imported from a scores export: its copy of identity and level."""
    return {
        "file": batch.file_name,
        "imported_at": _time(batch.imported_at),
        "event": row.event_code,
        "name": row.name,
        "position": row.position,
        "eselon": row.eselon,
        "agency": {"code": row.agency_code, "name": row.agency_name},
        "potency_level": row.potency_level,
        "composite_percentile": row.composite_percentile,
    }


def _rating(row: PerformanceRow, batch: PerformanceImport) -> dict[str, Any]:
    return {
        "period": row.period,
        "predicate": row.predicate,
        "rating_results": row.rating_results,
        "rating_behaviour": row.rating_behaviour,
        "imported_at": _time(batch.imported_at),
    }


def _profile(row: ProfileRecord, batch: ProfileImport) -> dict[str, Any]:
    return {
        "component": row.component,
        "value": row.value,
        "description": row.description,
        "status": row.status,
        "status_at": _time(row.status_at),
        "status_by": row.status_by,
        "status_note": row.status_note,
        "file": batch.file_name,
    }


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
