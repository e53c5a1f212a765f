"""View models of the analyst pages (`scoring/routes.py` stays thin): what each page shows,
read with the repository and shaped here — the charts, the run's table, the item-analysis CSV
rows — as `proctoring/board.py` does for the proctor's board."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
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
from app.web.templating import format_number

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


EXPORT_FORMATS = ("csv", "xlsx", "ndjson")


@dataclass(frozen=True)
class SetLink:
    """A parameter set as the pages name it: "NAME vN", its page, and whether it was saved
    with --force on thin data."""

    id: uuid.UUID
    url: str
    label: str
    thin: bool
    # "CODE (model, linking), …" for the list of sets
    subtests: str = ""


def set_link(chosen: ParameterSet) -> SetLink:
    summaries = chosen.subtests
    parts = [
        f"{code} ({', '.join(filter(None, (s.get('model'), (s.get('link') or {}).get('method'))))})"
        for code, s in summaries.items()
    ]
    return SetLink(
        chosen.id,
        f"/analis/parameter/{chosen.id}",
        f"{chosen.name} v{chosen.version}",
        any(s.get("forced") for s in summaries.values()),
        ", ".join(parts),
    )


@dataclass(frozen=True)
class RunRow:
    """One scoring run in the event's list."""

    run: ScoringRun
    url: str
    norm: str
    parameters: SetLink | None
    exports: list[tuple[str, str]]  # (format, URL)
    publish_url: str | None


def _run_row(event: Event, run: ScoringRun, norm: str, sets: dict[Any, SetLink]) -> RunRow:
    url = f"/analis/acara/{event.code}/run/{run.number}"
    exports = [
        (fmt, f"/api/v1/exports/scores?event={event.code}&run={run.number}&format={fmt}")
        for fmt in EXPORT_FORMATS
    ]
    publish = None if run.published_at else f"{url}/terbitkan"
    return RunRow(run, url, norm, sets.get(run.parameter_set_id), exports, publish)


def events(db: Session) -> list[tuple[Event, list[ScoringRun]]]:
    return [(e, repository.runs(db, e.id)) for e in exams_repository.events(db)]


def event_page(db: Session, event: Event) -> dict[str, Any]:
    sets = [set_link(s) for s in repository.parameter_sets(db)]
    by_id = {s.id: s for s in sets}
    norms = {n.id: f"{n.name} v{n.version}" for n in repository.norms(db)}
    runs = repository.runs(db, event.id)
    return {
        "event": event,
        "runs": [_run_row(event, run, norms[run.norm_id], by_id) for run in runs],
        "norms": norms,
        "parameter_sets": sets,
    }


def publish_page(db: Session, event: Event, run: ScoringRun) -> dict[str, Any]:
    records = repository.records(db, run.id)
    return {
        "event": event,
        "run": run,
        "with_level": sum(r.level is not None for r in records),
        "people": len(records),
        "replaces": repository.published_run(db, event.id),
        "event_url": f"/analis/acara/{event.code}",
        "publish_url": f"/analis/acara/{event.code}/run/{run.number}/terbitkan",
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
        "rows": [(person, r, _score_cells(r, codes)) for person, r in rows],
        "codes": codes,
        "subtest_names": names,
        "modes": run.settings.get("modes", {}),  # adaptive / mixed subtests
        "norm": repository.norm(db, run.norm_id),
        "parameters": _set_link_or_none(repository.parameter_set(db, run.parameter_set_id)),
        "chart": _composite_chart(records, run.number),
        "subtest_charts": list(_subtest_charts(records, codes, names)),
        # None for runs made before the rule (they marked an edge within one SE)
        "near_edge_chance": run.settings.get("levels", {}).get("near_edge_chance"),
        "near_edge_count": sum(r.near_band_edge for r in records if r.level is not None),
        "with_level": sum(r.level is not None for r in records),
    }


def _set_link_or_none(chosen: ParameterSet | None) -> SetLink | None:
    return set_link(chosen) if chosen is not None else None


@dataclass(frozen=True)
class ScoreCell:
    """A subtest's score in the run's table: raw/max, then θ ± SE and T where they exist
    (numbers left to the template's `num`, which writes them in the page's language)."""

    raw: str
    theta: float | None = None
    se: float | None = None
    t: float | None = None
    adaptive_items: int | None = None  # items answered in the subtest's adaptive sections


def _score_cells(record: ScoreRecord, codes: list[str]) -> list[ScoreCell | None]:
    cells: list[ScoreCell | None] = []
    for code in codes:
        s = record.subtests.get(code)
        if not s:
            cells.append(None)
            continue
        theta = s.get("theta")
        cells.append(
            ScoreCell(
                f"{s['raw']}/{s['max']}",
                theta,
                s.get("se") if theta is not None else None,
                s.get("t"),
                s.get("adaptive_items"),
            )
        )
    return cells


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


ESELONS = ("II", "III", "IV")


@dataclass(frozen=True)
class SubtestItems:
    """One subtest's part of the item analysis list."""

    analysis: SubtestAnalysis
    name: str
    chart: str
    negative_alpha: bool  # the items do not measure one thing together (or too few takers)
    dif_flagged: list[ItemRow]  # ETS class B or C
    item_urls: dict[Any, str]  # version id → the item's page, the list's filter kept


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
    query = item_views.filter_query(only)
    base = f"/analis/acara/{event.code}/butir"
    sessions = [s.code for s in exams_repository.sessions(db, event.id)]
    runs = [r.number for r in repository.runs(db, event.id)]
    return {
        "event": event,
        "analysis": [_subtest_items(a, names, base, query) for a in analysis],
        "adaptive": [(s, _exposure_chart(s)) for s in adaptive or []],
        "filter": only,
        "choices": {
            "session": [(s, s == only.session) for s in sessions],
            "eselon": [(e, e == only.eselon) for e in ESELONS],
            "run": [(r, r == only.run) for r in runs],
        },
        "csv_url": item_views.with_query(f"{base}.csv", query),
    }


def _subtest_items(
    analysis: SubtestAnalysis, names: dict[str, str], base: str, query: str
) -> SubtestItems:
    alpha = analysis.summary.alpha
    return SubtestItems(
        analysis,
        names.get(analysis.subtest, analysis.subtest),
        _items_chart(analysis, names),
        alpha is not None and alpha < 0,
        [r for r in analysis.items if r.dif_flag],
        {
            r.version_id: item_views.with_query(f"{base}/{r.version_id}", query)
            for r in analysis.items
        },
    )


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
    base = f"/analis/acara/{event.code}/butir"
    subtest = page.subtest.subtest
    return {
        "event": event,
        "page": page,
        "filtered": any((only.session, only.agency, only.eselon, only.run)),
        "here": item_views.with_query(path, query),
        "base": base,
        "list_url": item_views.with_query(base, query),
        "previous_url": _item_url(base, page.previous, query),
        "following_url": _item_url(base, page.following, query),
        "latest_run": runs[-1] if runs else None,
        "run_url": f"/analis/acara/{event.code}/run/{runs[-1].number}" if runs else None,
        "subtest_name": subtest_names(db).get(subtest, subtest),
    }


def _item_url(base: str, row: Any, query: str) -> str | None:
    return item_views.with_query(f"{base}/{row.version_id}", query) if row else None


def parameter_sets_page(db: Session) -> dict[str, Any]:
    codes = {e.id: e.code for e in exams_repository.events(db)}
    sets = repository.parameter_sets(db)
    return {"sets": [(s, set_link(s), codes.get(s.event_id, "–")) for s in sets]}


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
    names = subtest_names(db)
    event = exams_repository.event(db, chosen.event_id)
    used_by = [
        (f"/analis/acara/{code}/run/{run.number}", code, run.number)
        for run, code in repository.runs_with_parameters(db, chosen.id)
    ]
    return {
        "chosen": chosen,
        "event": event,
        "event_url": f"/analis/acara/{event.code}" if event else None,
        "subtests": [_set_subtest(s, names) for s in subtests],
        "forced": bool(subtests) and bool(subtests[0].summary.get("forced")),
        "chart": chart if subtests else "",
        "misfit_p": parameter_sets.MISFIT_P,
        "used_by": used_by,
        "min_responses": parameter_sets.MIN_RESPONSES,
    }


@dataclass(frozen=True)
class EstimateRow:
    """One item's estimates in a parameter set and its fit, numbers written out."""

    code: str
    misfit: bool
    n: int
    a: list[tuple[str, str]]  # (value, SE)
    b: list[tuple[str, str]]  # b, or the GRM's thresholds
    c: list[tuple[str, str]] | None
    fit: str  # "S-X² (df)"
    p: str
    bank: str  # the bank's own parameters, for comparison


@dataclass(frozen=True)
class SetSubtest:
    report: parameter_sets.SubtestReport
    name: str
    link: dict[str, Any] | None
    misfits: str  # codes of the items that do not fit, comma-separated
    se_at_zero: str
    rows: list[EstimateRow]


def _set_subtest(s: parameter_sets.SubtestReport, names: dict[str, str]) -> SetSubtest:
    se0 = s.se_at(0.0)
    return SetSubtest(
        s,
        names.get(s.subtest, s.subtest),
        s.summary.get("link"),
        ", ".join(r.code for r in s.rows if r.misfit),
        format_number(se0, 2) if se0 else "–",
        [_estimate_row(r) for r in s.rows],
    )


def _estimate_row(r: parameter_sets.ReportRow) -> EstimateRow:
    e, fit = r.entry, r.entry.fit or {}
    statistic, p = fit.get("statistic"), fit.get("p_value")
    return EstimateRow(
        r.code,
        r.misfit,
        e.n,
        _estimate(e, "a"),
        _estimate(e, "thresholds" if "thresholds" in e.params else "b"),
        _estimate(e, "c") if "c" in e.params else None,
        f"{format_number(statistic, 1)} ({fit.get('df')})" if statistic is not None else "–",
        format_number(p, 3) if p is not None else "–",
        _bank_parameters(r.bank or {}),
    )


def _estimate(entry: Any, key: str) -> list[tuple[str, str]]:
    """(value, SE) written out; the GRM's thresholds one pair each."""
    value, se = entry.params[key], entry.se[key]
    pairs = zip(value, se, strict=False) if isinstance(value, list) else [(value, se)]
    return [(format_number(v, 3), format_number(s, 3)) for v, s in pairs]


def _bank_parameters(bank: dict[str, Any]) -> str:
    if not bank:
        return "–"
    parts = [f"{k} {format_number(bank[k], 2)}" for k in ("a", "b", "c") if k in bank]
    if "thresholds" in bank:
        parts.append("[" + "; ".join(format_number(t, 2) for t in bank["thresholds"]) + "]")
    return " ".join(parts)


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
