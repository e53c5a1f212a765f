"""View models of the talent box's analyst pages (`routes.py` stays thin): what each page
shows, read with the repository and shaped here — the 9-box and its groups, the people of
some boxes, a person's card, the export's rows — as `proctoring/board.py` does for the
proctor's board."""

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.talentbox import files, repository
from app.talentbox.models import Placement, PlacementRun
from app.talentbox.ninebox import nine_box_svg
from app.talentbox.settings import load_settings
from app.web.labels import label
from app.web.templating import N_, translate

INPUT_NAMES = {  # msgids; the page translates them
    "potency": N_("Checksum of the potency file"),
    "performance": N_("Checksum of the performance file"),
    "profile": N_("Checksum of the profile file"),
    "profile_records": N_("Checksum of the profile records used"),
}
EXPORT_COLUMNS = [
    "talentbox_run_id",
    "run_number",
    "mode",
    "period",
    "nip",
    "name",
    "agency_code",
    "agency_name",
    "eselon",
    "potential_level",
    "performance_level",
    "predicate",
    "potential_score",
    "performance_score",
    "box",
    "groups",
    "recommendation",
]


def home(db: Session, export_base: str, **extra: Any) -> dict[str, Any]:
    """Runs and imports; `extra`: an import form's problems and file name when refused."""
    return {
        "runs": repository.runs(db),
        "potency": repository.potency_imports(db),
        "performance": repository.performance_imports(db),
        "profiles": repository.profile_imports(db),
        "export_base": export_base,
        "problems": [],
        "file_name": "",
        **extra,
    }


def run_page(
    db: Session, run: PlacementRun, agency: str, eselon: str, banding: int | None
) -> dict[str, Any]:
    """The 9-box (filtered by agency and eselon), its groups, and the movements from the run
    compared with (`banding`, else the one before)."""
    counts = repository.box_counts(db, run.id, agency or None, eselon or None)
    settings = load_settings()
    query = f"?agency={agency}&eselon={eselon}"
    svg = nine_box_svg(settings, counts, f"/talenta/run/{run.number}/kotak/{{box}}{query}")
    groups = {
        key: (g.label, sum(counts.get(b, 0) for b in g.boxes)) for key, g in settings.groups.items()
    }
    earlier = earlier_run(db, run, banding)
    runs = repository.runs(db)
    return {
        "run": run,
        "periods": sorted({r.period for r in runs}, reverse=True),
        "agencies": repository.agencies_in_run(db, run.id),
        "settings_digest": files.checksum(json.dumps(run.settings, sort_keys=True).encode()),
        "input_names": INPUT_NAMES,
        "labels": component_labels(),
        "earlier": earlier,
        "moves": repository.movements(db, earlier.id, run.id) if earlier else [],
        "all_runs": runs,
        "svg": svg,
        "counts": counts,
        "groups": groups,
        "filter": {"agency": agency, "eselon": eselon},
        "total": sum(counts.values()),
        "total_all": (
            sum(counts.values())
            if not (agency or eselon)
            else sum(repository.box_counts(db, run.id).values())
        ),
    }


def earlier_run(db: Session, run: PlacementRun, number: int | None) -> PlacementRun | None:
    """The run to compare with: the one asked for, else the one before this run."""
    if number is not None:
        return repository.run_by_number(db, number) if number != run.number else None
    return repository.run_by_number(db, run.number - 1) if run.number > 1 else None


def component_labels() -> dict[str, str]:
    weighted = load_settings().weighted
    return {key: c.label for key, c in (weighted.potential | weighted.performance).items()}


def people_in_boxes(
    db: Session, run: PlacementRun, boxes: Sequence[int], agency: str, eselon: str, limit: int
) -> tuple[list[Placement], int]:
    """The people of some boxes (filtered in SQL, at most `limit`), and how many there are."""
    counts = repository.box_counts(db, run.id, agency or None, eselon or None)
    total = sum(counts.get(b, 0) for b in boxes)
    people = repository.placements(db, run.id, agency or None, eselon or None, boxes, limit=limit)
    return people, total


def person_page(db: Session, run: PlacementRun, placed: Placement, back: str) -> dict[str, Any]:
    """A person's card: the placement, the profile records of the run (those its weighted
    scores used marked), and the person's history over runs."""
    weighted = placed.components.get("weighted", {})
    used = {
        record_id
        for axis in ("potential", "performance")
        for detail in weighted.get(axis, {}).get("components", {}).values()
        for record_id, *_ in detail["records"]
    }
    records = (
        repository.profile_records(db, run.profile_import_id, nip=placed.nip)
        if run.profile_import_id
        else []
    )
    return {
        "run": run,
        "p": placed,
        "words": lambda key: translate(label("level", key)),
        "records": records,
        "used": used,
        "history": repository.history_of(db, placed.nip),
        "labels": component_labels(),
        "back": back,
    }


def release_page(db: Session, run: PlacementRun) -> dict[str, Any]:
    """What a release makes visible, and the released run of the period it replaces."""
    replaces = next(
        (r for r in repository.released_runs(db) if r.period == run.period and r.id != run.id),
        None,
    )
    return {"run": run, "replaces": replaces}


def export_rows(run: PlacementRun, placements: Iterable[Placement]) -> Iterator[dict[str, Any]]:
    """The export's rows (EXPORT_COLUMNS), one per placement, streamed."""
    for p in placements:
        yield {
            "talentbox_run_id": str(run.id),
            "run_number": run.number,
            "mode": run.mode,
            "period": run.period,
            "nip": p.nip,
            "name": p.name,
            "agency_code": p.agency_code,
            "agency_name": p.agency_name,
            "eselon": p.eselon,
            "potential_level": p.potential_level,
            "performance_level": p.performance_level,
            "predicate": p.predicate,
            "potential_score": p.potential_score,
            "performance_score": p.performance_score,
            "box": p.box,
            "groups": " ".join(p.groups),
            "recommendation": p.recommendation,
        }
