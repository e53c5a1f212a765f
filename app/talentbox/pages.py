"""View models of the talent box's analyst pages (`routes.py` stays thin): what each page
shows, read with the repository and shaped here — the 9-box and its groups, the people of
some boxes, a person's card, the export's rows — as `proctoring/board.py` does for the
proctor's board."""

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

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
WEIGHTED, SIMPLE = N_("weighted"), N_("simple")  # a run's mode, as the pages name it
REWEIGHT, ZERO = N_("re-weight the others"), N_("counts as zero")  # a missing component
ESELONS = ("II", "III", "IV")
NIPS_SHOWN = 100  # of the NIPs present on one side only; the rest as "…"
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
        "runs": [(run, mode_name(run)) for run in repository.runs(db)],
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
    base = f"/talenta/run/{run.number}"
    moves = repository.movements(db, earlier.id, run.id) if earlier else []
    compared = earlier.number if earlier else None
    return {
        "run": run,
        "mode": mode_name(run),
        "weighted": _weighted_settings(run),
        "periods": [(p, p == run.period) for p in sorted({r.period for r in runs}, reverse=True)],
        "agencies": [(c, n, c == agency) for c, n in repository.agencies_in_run(db, run.id)],
        "eselons": [(e, e == eselon) for e in ESELONS],
        "preview_url": f"{base}/pratinjau?agency={agency}" if agency else None,
        "settings_digest": files.checksum(json.dumps(run.settings, sort_keys=True).encode()),
        "input_names": INPUT_NAMES,
        "labels": component_labels(),
        "earlier": earlier,
        "moves": [(a, b, n, f"{base}/pindah/{compared}/{a}/{b}") for a, b, n in moves],
        "other_runs": [
            (r.number, r.period, mode_name(r), r.number == compared)
            for r in runs
            if r.number != run.number
        ],
        "one_side": {
            "potency": _nips(run.only_potency),
            "performance": _nips(run.only_performance),
            "profile": _nips(run.only_profile) if run.only_profile is not None else None,
        },
        "svg": svg,
        "counts": counts,
        "groups": [
            (f"{base}/kelompok/{key}{query}", group_label, count)
            for key, (group_label, count) in groups.items()
        ],
        "filter": {"agency": agency, "eselon": eselon},
        "total": sum(counts.values()),
        "total_all": (
            sum(counts.values())
            if not (agency or eselon)
            else sum(repository.box_counts(db, run.id).values())
        ),
    }


def mode_name(run: PlacementRun) -> str:
    """The run's mode as a msgid."""
    return WEIGHTED if run.mode == "weighted" else SIMPLE


def _weighted_settings(run: PlacementRun) -> dict[str, Any] | None:
    """What a weighted run was told: the missing-component policy (msgid), whether
    unverified profile records counted, and whether it had a profile file at all."""
    if run.mode != "weighted":
        return None
    return {
        "missing": REWEIGHT if run.missing_policy == "reweight" else ZERO,
        "include_unverified": run.include_unverified,
        "no_profile_file": not run.profile_import_id,
    }


def _nips(nips: Sequence[str] | None) -> str:
    """The first NIPS_SHOWN NIPs, comma-separated, and "…" when there are more."""
    if not nips:
        return ""
    more = " …" if len(nips) > NIPS_SHOWN else ""
    return ", ".join(nips[:NIPS_SHOWN]) + more


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


def people_list(
    run: PlacementRun,
    title: str,
    people: list[Placement],
    total: int,
    back: str = "",
    meaning: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A list of people (a box, a group, the movers between two boxes): each name links to
    the person's card, which leads `back` here; a box says what it means."""
    suffix = f"?kembali={quote(back, safe='/')}"
    levels = (meaning or {}).get("levels")
    return {
        "run": run,
        "title": title,
        "people": [(f"/talenta/run/{run.number}/orang/{p.nip}{suffix}", p) for p in people],
        "total": total,
        "more": total > len(people),
        "levels": [_level_words(level) for level in levels] if levels else None,
        "recommendation": (meaning or {}).get("recommendation", ""),
    }


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
    labels = component_labels()
    return {
        "run": run,
        "p": placed,
        "potential": _potential(placed),
        "performance": _performance(placed),
        "axes": _axes(placed, weighted, labels) if weighted else [],
        "missing_policy": REWEIGHTED_AWAY if weighted.get("policy") == "reweight" else ZEROED,
        "records": [(labels.get(r.component, r.component), r, str(r.id) in used) for r in records],
        "history": repository.history_of(db, placed.nip),
        "back": back,
    }


REWEIGHTED_AWAY, ZEROED = N_("re-weighted away"), N_("counted as zero")
AXES = (("potential", N_("Potential score")), ("performance", N_("Performance score")))


def _level_words(key: str | None) -> str:
    return translate(label("level", key))


def _potential(placed: Placement) -> dict[str, Any]:
    potency = placed.components.get("potency", {})
    return {
        "level": _level_words(placed.potential_level),
        "score": placed.potential_score,
        "event": potency.get("event"),
        "percentile": potency.get("composite_percentile"),
    }


def _performance(placed: Placement) -> dict[str, Any]:
    rated = placed.components.get("performance", {})
    results = rated.get("rating_results")
    return {
        "level": _level_words(placed.performance_level),
        "score": placed.performance_score,
        "predicate": placed.predicate,
        "ratings": (
            (_level_words(results), _level_words(rated.get("rating_behaviour")))
            if results
            else None
        ),
    }


@dataclass(frozen=True)
class ComponentRow:
    key: str
    label: str
    weight: int
    score: float | None  # None: missing
    records: list[tuple[str, str]]  # (value, status)


def _axes(
    placed: Placement, weighted: dict[str, Any], labels: dict[str, str]
) -> list[tuple[str, float | None, list[ComponentRow]]]:
    """Per axis of a weighted placement: its title (msgid), score and component rows."""
    scores = {"potential": placed.potential_score, "performance": placed.performance_score}
    return [
        (
            title,
            scores[axis],
            [
                ComponentRow(
                    key,
                    labels.get(key, key),
                    round(c["weight"]),
                    c["score"],
                    [(value, status) for _rid, value, status in c["records"]],
                )
                for key, c in weighted[axis]["components"].items()
            ],
        )
        for axis, title in AXES
    ]


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
