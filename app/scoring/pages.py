"""View models of the analyst pages (`scoring/routes.py` stays thin): what each page shows,
read with the repository and shaped here — the charts, the run's table, the item-analysis CSV
rows — as `proctoring/board.py` does for the proctor's board."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from app.exams import repository as exams_repository
from app.exams.models import Event
from app.i18n import N_, translate
from app.kit.charts import histogram, lines, scatter
from app.scoring import item_views, parameter_sets, repository
from app.scoring.event_analysis import AnalysisFilter, ItemRow, SubtestAnalysis
from app.scoring.exposure import SectionExposure
from app.scoring.models import ParameterSet, ScoreRecord, ScoringRun
from app.scoring.names import subtest_names

ITEMS_PER_FORM = N_("items per form")
INFORMATION_TITLE = N_("Test information function, %(set)s")
INFORMATION = N_("information")
COMPOSITE_TITLE = N_("Distribution of composite scores (T), run %(number)s")
COMPOSITE_AXIS = N_("composite T score")
SUBTEST_TITLE = N_("Distribution of T scores, %(subtest)s")
SUBTEST_AXIS = N_("T score %(subtest)s")
PEOPLE = N_("participants")
ITEMS_TITLE = N_("Facility vs discrimination — %(subtest)s")
FACILITY_AXIS = N_("facility (%)")
DISCRIMINATION_AXIS = N_("discrimination (%)")
EXPOSURE_TITLE = N_("Exposure rates of the pool's items — %(section)s")
EXPOSURE_AXIS = N_("exposure rate (% of the section's takers)")
POOL_ITEMS = N_("pool items")
T_RANGE = (12, 20, 80)  # histogram bins and axis of T scores


def events(db: Session) -> list[tuple[Event, list[ScoringRun]]]:
    return [(e, repository.runs(db, e.id)) for e in exams_repository.events(db)]


def event_page(db: Session, event: Event) -> dict[str, Any]:
    sets = repository.parameter_sets(db)
    return {
        "event": event,
        "runs": repository.runs(db, event.id),
        "norms": {n.id: n for n in repository.norms(db)},
        "parameter_sets": sets,
        "sets_by_id": {s.id: s for s in sets},
    }


def publish_page(db: Session, event: Event, run: ScoringRun) -> dict[str, Any]:
    records = repository.records(db, run.id)
    return {
        "event": event,
        "run": run,
        "with_level": sum(r.level is not None for r in records),
        "people": len(records),
        "replaces": repository.published_run(db, event.id),
    }


def run_page(db: Session, event: Event, run: ScoringRun) -> dict[str, Any]:
    """The run's scores by name, with the composite's and each subtest's T distribution."""
    records = repository.records(db, run.id)
    people = repository.participants_by_id(db, event.id)
    rows = sorted(((people[r.participant_id], r) for r in records), key=lambda pr: pr[0].name)
    codes = sorted({c for r in records for c in r.subtests})
    names = subtest_names(db)
    return {
        "event": event,
        "run": run,
        "rows": rows,
        "codes": codes,
        "subtest_names": names,
        "modes": run.settings.get("modes", {}),  # adaptive / mixed subtests
        "norm": repository.norm(db, run.norm_id),
        "parameters": repository.parameter_set(db, run.parameter_set_id),
        "chart": _composite_chart(records, run.number),
        "subtest_charts": list(_subtest_charts(records, codes, names)),
        # None for runs made before the rule (they marked an edge within one SE)
        "near_edge_chance": run.settings.get("levels", {}).get("near_edge_chance"),
        "near_edge_count": sum(r.near_band_edge for r in records if r.level is not None),
        "with_level": sum(r.level is not None for r in records),
    }


def _composite_chart(records: list[ScoreRecord], number: int) -> str:
    composites = [r.composite_t for r in records if r.composite_t is not None]
    if not composites:
        return ""
    title = translate(COMPOSITE_TITLE) % {"number": number}
    return histogram(composites, *T_RANGE, title, translate(COMPOSITE_AXIS), translate(PEOPLE))


def _subtest_charts(
    records: list[ScoreRecord], codes: list[str], names: dict[str, str]
) -> Iterator[str]:
    for code in codes:
        values = [
            r.subtests[code]["t"]
            for r in records
            if code in r.subtests and r.subtests[code].get("t") is not None
        ]
        if values:
            name = {"subtest": names.get(code, code)}
            yield histogram(
                values,
                *T_RANGE,
                translate(SUBTEST_TITLE) % name,
                translate(SUBTEST_AXIS) % name,
                translate(PEOPLE),
            )


def items_page(
    db: Session,
    event: Event,
    only: AnalysisFilter,
    analysis: list[SubtestAnalysis],
    adaptive: list[SectionExposure] | None = None,
) -> dict[str, Any]:
    """One compact row per item, a facility-discrimination scatter per subtest (fixed
    sections); per adaptive section its items' exposure rates and their histogram."""
    names = subtest_names(db)
    charts = [_items_chart(a, names) for a in analysis]
    adaptive = adaptive or []
    return {
        "event": event,
        "analysis": list(zip(analysis, charts, strict=True)),
        "adaptive": [(s, _exposure_chart(s)) for s in adaptive],
        "filter": only,
        "sessions": [s.code for s in exams_repository.sessions(db, event.id)],
        "runs": [r.number for r in repository.runs(db, event.id)],
        "query": item_views.filter_query(only),
        "subtest_names": names,
    }


def _items_chart(analysis: SubtestAnalysis, names: dict[str, str]) -> str:
    points = [
        (r.stats.facility, r.stats.discrimination or 0.0, r.code)
        for r in analysis.items
        if not r.neutralised
    ]
    return scatter(
        points,
        (0, 100),
        (-50, 100),
        translate(ITEMS_TITLE) % {"subtest": names.get(analysis.subtest, analysis.subtest)},
        translate(FACILITY_AXIS),
        translate(DISCRIMINATION_AXIS),
    )


def _exposure_chart(section: SectionExposure) -> str:
    if not section.items or not section.takers:
        return ""
    return histogram(
        [100 * i.rate for i in section.items],
        20,
        0,
        100,
        translate(EXPOSURE_TITLE) % {"section": section.title},
        translate(EXPOSURE_AXIS),
        translate(POOL_ITEMS),
    )


def item_page(
    db: Session, event: Event, only: AnalysisFilter, page: Any, path: str
) -> dict[str, Any]:
    query = item_views.filter_query(only)
    runs = repository.runs(db, event.id)
    return {
        "event": event,
        "page": page,
        "filter": only,
        "query": query,
        "here": item_views.with_query(path, query),
        "latest_run": runs[-1] if runs else None,
        "subtest_names": subtest_names(db),
    }


def parameter_sets_page(db: Session) -> dict[str, Any]:
    events_by_id = {e.id: e for e in exams_repository.events(db)}
    return {"sets": repository.parameter_sets(db), "events": events_by_id}


def parameter_set_page(db: Session, chosen: ParameterSet) -> dict[str, Any]:
    """Per subtest the estimates with SEs and fit, the link to the bank's scale, and the test
    information curve."""
    subtests = parameter_sets.report(db, chosen)
    per_form = translate(ITEMS_PER_FORM)
    curves = [
        (
            f"{s.subtest} ({s.items_per_form:.0f} {per_form})",
            parameter_sets.THETA.tolist(),
            s.information,
        )
        for s in subtests
    ]
    chart = lines(
        curves,
        (-4.0, 4.0),
        translate(INFORMATION_TITLE) % {"set": f"{chosen.name} v{chosen.version}"},
        "θ",
        translate(INFORMATION),
    )
    return {
        "chosen": chosen,
        "event": exams_repository.event(db, chosen.event_id),
        "subtests": subtests,
        "chart": chart if subtests else "",
        "misfit_p": parameter_sets.MISFIT_P,
        "runs": repository.runs_with_parameters(db, chosen.id),
        "min_responses": parameter_sets.MIN_RESPONSES,
        "subtest_names": subtest_names(db),
    }


# --- the item analysis as CSV --------------------------------------------------------------

ITEM_COLUMNS = [
    "subtest",
    "item",
    "n",
    "facility",
    "sd",
    "discrimination",
    "efficiency",
    "dubious",
    "neutralised",
    "key",
    "options",
    "dif_sex_delta",
    "dif_sex_ets",
    "dif_province",
    "dif_province_delta",
    "dif_province_ets",
]
SUMMARY_COLUMNS = [
    "mean",
    "median",
    "test_sd",
    "skewness",
    "kurtosis",
    "alpha",
    "error_ratio",
    "sem",
]
# adaptive sections' items: no classical figures, their exposure instead
EXPOSURE_COLUMNS = ["adaptive_section", "exposure_rate"]
ITEMS_CSV_HEADER = ITEM_COLUMNS + SUMMARY_COLUMNS + EXPOSURE_COLUMNS


def items_csv_rows(
    analysis: list[SubtestAnalysis], adaptive: list[SectionExposure] | None = None
) -> list[list[Any]]:
    """Per subtest its items, then a row of its test-level figures; then per adaptive
    section each pool item's exposure (n: the takers given it)."""
    rows: list[list[Any]] = []
    for a in analysis:
        rows += [_item_row(a.subtest, r) for r in a.items]
        rows.append(_summary_row(a, len(ITEM_COLUMNS)))
    blank = len(ITEM_COLUMNS) + len(SUMMARY_COLUMNS) - 3
    for section in adaptive or []:
        rows += [
            [section.subtest, i.code, i.given, *[None] * blank, section.position, _round(i.rate, 4)]
            for i in section.items
        ]
    return rows


def _item_row(subtest: str, r: ItemRow) -> list[Any]:
    return [
        subtest,
        r.code,
        r.stats.n,
        _round(r.stats.facility),
        _round(r.stats.sd, 4),
        _round(r.stats.discrimination),
        _round(r.stats.efficiency),
        r.stats.dubious,
        r.neutralised,
        r.key or "",
        _option_cells(r),
        *_dif_cells(r),
        *[None] * (len(SUMMARY_COLUMNS) + len(EXPOSURE_COLUMNS)),
    ]


def _dif_cells(row: ItemRow) -> list[Any]:
    sex, region = row.dif_sex, row.dif_region
    return [
        _round(sex.delta) if sex and sex.delta is not None else None,
        sex.ets if sex else None,
        region.province if region else None,
        _round(region.dif.delta) if region else None,
        region.dif.ets if region else None,
    ]


def _summary_row(a: SubtestAnalysis, width: int) -> list[Any]:
    """The subtest's test-level figures, as a row of its own after its items."""
    s = a.summary
    figures = [s.mean, s.median, s.sd, s.skewness, s.kurtosis, s.alpha, s.error_ratio, s.sem]
    summary = [_round(f, 4) for f in figures]
    return [a.subtest, "(ringkasan)", s.n, *[None] * (width - 3), *summary, None, None]


def _option_cells(row: ItemRow) -> str:
    """`A*:12:40.0%:35.2` per response: option (* the key), count, share, discrimination."""
    return " ".join(
        f"{o.option}{'*' if o.option == row.key else ''}:{o.count}:{o.percent:.1f}%:"
        f"{'' if o.discrimination is None else o.discrimination}"
        for o in row.option_stats
    )


def _round(value: float | None, digits: int = 2) -> float | None:
    """A number, not text: the CSV writer's formula guard would mark "-12.34" as text."""
    return None if value is None else round(value, digits)
