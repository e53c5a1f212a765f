"""Analyst pages (`/analis/…`): scoring runs, scores with θ ± SE and levels, publishing,
item analysis (a compact list with charts and CSV; a page per item with its responses and
the neutralise and key-correction forms), API tokens. Analysts only."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from app.accounts import api_tokens
from app.accounts.deps import Forbidden, require_role
from app.accounts.models import ApiToken
from app.accounts.service import Staff
from app.exams import repository as exams_repository
from app.exams.models import Event, Participant
from app.i18n import N_
from app.kit.charts import histogram, lines, scatter
from app.kit.streaming import csv_chunks
from app.scoring import item_views, parameter_sets, repository, service
from app.scoring.event_analysis import AnalysisFilter, ItemRow, SubtestAnalysis, analyse_event
from app.scoring.models import Norm, ParameterSet, ScoringRun
from app.scoring.names import subtest_names
from app.web.csrf import verify_csrf
from app.web.deps import DB
from app.web.flash import redirect_with
from app.web.inputs import optional_int, optional_uuid
from app.web.pages import redirect, render
from app.web.routing import DomainRouter
from app.web.templating import translate

router = DomainRouter(prefix="/analis", include_in_schema=False)
SET_UNKNOWN = N_("No such parameter set.")
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
ITEM_UNKNOWN = N_("No taker chosen by this filter saw that item.")
NEUTRALISED = N_(
    "Item neutralised: it is scored for nobody in this event. Scoring run %(run)s was made "
    "with the previous norm."
)
KEY_CORRECTED = N_("Key corrected to %(key)s. Scoring run %(run)s was made with the previous norm.")


class NotFound(service.ScoringRefused):
    """Analysts may see every event: what does not exist is 404, never 403 ("not yours")."""

    status, code = 404, "not_found"


ItemNotAnalysed = NotFound
EVENT_UNKNOWN = N_("No such event.")
RUN_UNKNOWN = N_("No such scoring run.")
ITEM_VERSION_UNKNOWN = N_("No such item version.")


AnalystDep = Annotated[Staff, Depends(require_role("analyst"))]
CsrfChecked = Depends(verify_csrf)


def _event(db: DB, code: str) -> Event:
    event = exams_repository.event_by_code(db, code)
    if event is None:
        raise NotFound(EVENT_UNKNOWN)
    return event


def _run(db: DB, event: Event, number: int) -> ScoringRun:
    for run in repository.runs(db, event.id):
        if run.number == number:
            return run
    raise NotFound(RUN_UNKNOWN)


@router.get("")
def events(request: Request, analyst: AnalystDep, db: DB) -> Response:
    rows = [(e, repository.runs(db, e.id)) for e in db.scalars(select(Event).order_by(Event.code))]
    return render(request, "scoring/events.html", {"events": rows})


@router.get("/acara/{code}")
def event_page(
    request: Request,
    code: str,
    analyst: AnalystDep,
    db: DB,
) -> Response:
    event = _event(db, code)
    runs = repository.runs(db, event.id)
    norms = {n.id: n for n in repository.norms(db)}
    sets = repository.parameter_sets(db)
    context = {
        "event": event,
        "runs": runs,
        "norms": norms,
        "parameter_sets": sets,
        "sets_by_id": {s.id: s for s in sets},
    }
    return render(request, "scoring/event.html", context)


@router.post("/acara/{code}/nilai", dependencies=[CsrfChecked])
def score(
    code: str,
    analyst: AnalystDep,
    db: DB,
    norm_id: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    parameter_set_id: Annotated[str, Form()] = "",
) -> Response:
    event = _event(db, code)
    cohort = norm_id.removeprefix("kohort:") if norm_id.startswith("kohort:") else None
    chosen = optional_uuid(norm_id, "norm_id") if cohort is None else None
    parameters = optional_uuid(parameter_set_id, "parameter_set_id")
    try:
        run = service.run_scoring(
            db,
            event,
            analyst.actor,
            chosen,
            note,
            cohort_eselon=cohort,
            parameter_set_id=parameters,
        )
    except service.ScoringRefused as exc:
        return redirect_with(f"/analis/acara/{code}", exc.message, error=True)
    return redirect(f"/analis/acara/{code}/run/{run.number}")


@router.get("/acara/{code}/run/{number}/terbitkan")
def publish_page(request: Request, code: str, number: int, analyst: AnalystDep, db: DB) -> Response:
    """Publishing cannot be undone: first say what becomes visible to whom."""
    event = _event(db, code)
    run = _run(db, event, number)
    records = repository.records(db, run.id)
    context = {
        "event": event,
        "run": run,
        "with_level": sum(r.level is not None for r in records),
        "people": len(records),
        "replaces": repository.published_run(db, event.id),
    }
    return render(request, "scoring/publish.html", context)


@router.post("/acara/{code}/run/{number}/terbitkan", dependencies=[CsrfChecked])
def publish(
    code: str,
    number: int,
    analyst: AnalystDep,
    db: DB,
    konfirmasi: Annotated[str, Form()] = "",
) -> Response:
    event = _event(db, code)
    if konfirmasi != "ya":  # only from the confirmation page
        return redirect(f"/analis/acara/{code}/run/{number}/terbitkan")
    changed = service.publish(db, analyst.actor, _run(db, event, number))
    message = N_("Results published") if changed else N_("This run is already published")
    return redirect_with(f"/analis/acara/{code}", translate(message))


@router.get("/acara/{code}/run/{number}")
def run_page(request: Request, code: str, number: int, analyst: AnalystDep, db: DB) -> Response:
    event = _event(db, code)
    run = _run(db, event, number)
    records = repository.records(db, run.id)
    people = {
        p.id: p for p in db.scalars(select(Participant).where(Participant.event_id == event.id))
    }
    rows = sorted(((people[r.participant_id], r) for r in records), key=lambda pr: pr[0].name)
    codes = sorted({c for r in records for c in r.subtests})
    names = subtest_names(db)
    composites = [r.composite_t for r in records if r.composite_t is not None]
    chart = (
        histogram(
            composites,
            12,
            20,
            80,
            translate(COMPOSITE_TITLE) % {"number": number},
            translate(COMPOSITE_AXIS),
            translate(PEOPLE),
        )
        if composites
        else ""
    )
    subtest_charts = []
    for code_ in codes:
        values = [
            r.subtests[code_]["t"]
            for r in records
            if code_ in r.subtests and r.subtests[code_].get("t") is not None
        ]
        if values:
            subtest_charts.append(
                histogram(
                    values,
                    12,
                    20,
                    80,
                    translate(SUBTEST_TITLE) % {"subtest": names.get(code_, code_)},
                    translate(SUBTEST_AXIS) % {"subtest": names.get(code_, code_)},
                    translate(PEOPLE),
                )
            )
    context = {
        "event": event,
        "run": run,
        "rows": rows,
        "codes": codes,
        "subtest_names": names,
        "norm": db.get(Norm, run.norm_id),
        "parameters": db.get(ParameterSet, run.parameter_set_id) if run.parameter_set_id else None,
        "chart": chart,
        "subtest_charts": subtest_charts,
        # None for runs made before the rule (they marked an edge within one SE)
        "near_edge_chance": run.settings.get("levels", {}).get("near_edge_chance"),
        "near_edge_count": sum(r.near_band_edge for r in records if r.level is not None),
        "with_level": sum(r.level is not None for r in records),
    }
    return render(request, "scoring/run.html", context)


def _filter(sesi: str, instansi: str, eselon: str, run: str) -> AnalysisFilter:
    return AnalysisFilter(
        sesi.strip() or None,
        instansi.strip() or None,
        eselon.strip() or None,
        optional_int(run, "run"),
    )


@router.get("/acara/{code}/butir")
def items_page(
    request: Request,
    code: str,
    analyst: AnalystDep,
    db: DB,
    sesi: str = "",
    instansi: str = "",
    eselon: str = "",
    run: str = "",
) -> Response:
    """One compact row per item; its responses and actions are on the item's own page."""
    event = _event(db, code)
    only = _filter(sesi, instansi, eselon, run)
    analysis = analyse_event(db, event.id, only)
    names = subtest_names(db)
    charts = [
        scatter(
            [
                (r.stats.facility, r.stats.discrimination or 0.0, r.code)
                for r in a.items
                if not r.neutralised
            ],
            (0, 100),
            (-50, 100),
            translate(ITEMS_TITLE) % {"subtest": names.get(a.subtest, a.subtest)},
            translate(FACILITY_AXIS),
            translate(DISCRIMINATION_AXIS),
        )
        for a in analysis
    ]
    context = {
        "event": event,
        "analysis": list(zip(analysis, charts, strict=True)),
        "filter": only,
        "sessions": [s.code for s in exams_repository.sessions(db, event.id)],
        "runs": [r.number for r in repository.runs(db, event.id)],
        "query": item_views.filter_query(only),
        "subtest_names": names,
    }
    return render(request, "scoring/items.html", context)


@router.get("/acara/{code}/butir/{version_id}")
def item_page(
    request: Request,
    code: str,
    version_id: uuid.UUID,
    analyst: AnalystDep,
    db: DB,
    sesi: str = "",
    instansi: str = "",
    eselon: str = "",
    run: str = "",
) -> Response:
    """One item: its figures for the list's takers, every response, and the actions."""
    event = _event(db, code)
    only = _filter(sesi, instansi, eselon, run)
    page = item_views.item_page(analyse_event(db, event.id, only), version_id)
    if page is None:
        raise ItemNotAnalysed(ITEM_UNKNOWN)
    query = item_views.filter_query(only)
    runs = repository.runs(db, event.id)
    context = {
        "event": event,
        "page": page,
        "filter": only,
        "query": query,
        "here": item_views.with_query(request.url.path, query),
        "latest_run": runs[-1] if runs else None,
        "subtest_names": subtest_names(db),
    }
    return render(request, "scoring/item.html", context)


def _dif_cells(row: ItemRow) -> list[Any]:
    sex, region = row.dif_sex, row.dif_region
    return [
        _round(sex.delta) if sex and sex.delta is not None else None,
        sex.ets if sex else None,
        region.province if region else None,
        _round(region.dif.delta) if region else None,
        region.dif.ets if region else None,
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


def _summary_row(a: SubtestAnalysis, width: int) -> list[Any]:
    """The subtest's test-level figures, as a row of its own after its items."""
    s = a.summary
    figures = [s.mean, s.median, s.sd, s.skewness, s.kurtosis, s.alpha, s.error_ratio, s.sem]
    return [a.subtest, "(ringkasan)", s.n] + [None] * (width - 3) + [_round(f, 4) for f in figures]


def _option_cells(row: ItemRow) -> str:
    """`A*:12:40.0%:35.2` per response: option (* the key), count, share, discrimination."""
    return " ".join(
        f"{o.option}{'*' if o.option == row.key else ''}:{o.count}:{o.percent:.1f}%:"
        f"{'' if o.discrimination is None else o.discrimination}"
        for o in row.option_stats
    )


@router.get("/acara/{code}/butir.csv")
def items_csv(
    code: str,
    analyst: AnalystDep,
    db: DB,
    sesi: str = "",
    instansi: str = "",
    eselon: str = "",
    run: str = "",
) -> Response:
    event = _event(db, code)
    analysis = analyse_event(db, event.id, _filter(sesi, instansi, eselon, run))
    header = [
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
    width = len(header)
    header = header + SUMMARY_COLUMNS
    rows: list[list[Any]] = []
    for a in analysis:
        rows += [
            [
                a.subtest,
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
                *[None] * len(SUMMARY_COLUMNS),
            ]
            for r in a.items
        ]
        rows.append(_summary_row(a, width))
    return StreamingResponse(
        csv_chunks(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="analisis-butir-{code}.csv"'},
    )


def _round(value: float | None, digits: int = 2) -> float | None:
    """A number, not text: the CSV writer's formula guard would mark "-12.34" as text."""
    return None if value is None else round(value, digits)


@router.post("/acara/{code}/butir/netralkan", dependencies=[CsrfChecked])
def neutralise(
    code: str,
    analyst: AnalystDep,
    db: DB,
    version_id: Annotated[uuid.UUID, Form()],
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """Back to the page the form was on (the item's, with the list's filter), with the outcome."""
    event = _event(db, code)
    to = item_views.return_to(code, back)
    try:
        run = service.neutralise(db, analyst.actor, event, version_id, reason)
    except service.ScoringRefused as exc:
        return redirect_with(to, exc.message, error=True)
    return redirect_with(to, translate(NEUTRALISED) % {"run": run.number})


@router.post("/acara/{code}/butir/kunci", dependencies=[CsrfChecked])
def correct_key(
    code: str,
    analyst: AnalystDep,
    db: DB,
    version_id: Annotated[uuid.UUID, Form()],
    key: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    from app.bank.models import ItemVersion

    event = _event(db, code)
    version = db.get(ItemVersion, version_id)
    if version is None:
        raise NotFound(ITEM_VERSION_UNKNOWN)
    to = item_views.return_to(code, back)
    try:
        run = service.correct_key(db, analyst.actor, event, version, key, reason)
    except service.ScoringRefused as exc:
        return redirect_with(to, exc.message, error=True)
    return redirect_with(to, translate(KEY_CORRECTED) % {"key": key, "run": run.number})


@router.get("/parameter")
def parameter_sets_page(request: Request, analyst: AnalystDep, db: DB) -> Response:
    events = {e.id: e for e in db.scalars(select(Event))}
    context = {"sets": repository.parameter_sets(db), "events": events}
    return render(request, "scoring/parameter_sets.html", context)


@router.get("/parameter/{set_id}")
def parameter_set_page(request: Request, set_id: str, analyst: AnalystDep, db: DB) -> Response:
    """A calibrated parameter set: per subtest the estimates with SEs and fit (misfitting
    items first in mind), the link to the bank's scale, and the test information curve."""
    try:
        wanted = uuid.UUID(set_id)
    except ValueError:
        wanted = None
    chosen = db.get(ParameterSet, wanted) if wanted else None
    if chosen is None:
        raise parameter_sets.ParameterSetUnknown(SET_UNKNOWN)
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
    context = {
        "chosen": chosen,
        "event": db.get(Event, chosen.event_id),
        "subtests": subtests,
        "chart": chart if subtests else "",
        "misfit_p": parameter_sets.MISFIT_P,
        "runs": repository.runs_with_parameters(db, chosen.id),
        "min_responses": parameter_sets.MIN_RESPONSES,
        "subtest_names": subtest_names(db),
    }
    return render(request, "scoring/parameter_set.html", context)


@router.get("/token")
def tokens_page(request: Request, analyst: AnalystDep, db: DB) -> Response:
    context = {"tokens": api_tokens.tokens_of(db, analyst.user.id), "new_token": None}
    return render(request, "scoring/tokens.html", context)


@router.post("/token", dependencies=[CsrfChecked])
def create_token(
    request: Request, analyst: AnalystDep, db: DB, name: Annotated[str, Form()] = ""
) -> Response:
    raw = api_tokens.create_token(db, analyst.user, name, analyst.actor)
    context = {"tokens": api_tokens.tokens_of(db, analyst.user.id), "new_token": raw}
    return render(request, "scoring/tokens.html", context)


@router.post("/token/{token_id}/cabut", dependencies=[CsrfChecked])
def revoke_token(token_id: uuid.UUID, analyst: AnalystDep, db: DB) -> Response:
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != analyst.user.id:
        raise Forbidden()
    api_tokens.revoke_token(db, token, analyst.actor)
    return redirect("/analis/token")
