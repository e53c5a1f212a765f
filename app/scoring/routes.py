"""Analyst pages (`/analis/…`): scoring runs, scores with θ ± SE and levels, publishing,
item analysis (a compact list with charts and CSV; a page per item with its responses and
the neutralise and key-correction forms), API tokens. Analysts only."""

import uuid
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response, StreamingResponse

from app.accounts import api_tokens
from app.accounts.deps import Forbidden, require_role
from app.accounts.models import ApiToken
from app.accounts.service import Staff
from app.bank.models import ItemVersion
from app.exams import repository as exams_repository
from app.exams.models import Event
from app.i18n import N_
from app.kit.streaming import csv_chunks
from app.scoring import item_views, pages, parameter_sets, repository, service
from app.scoring.event_analysis import AnalysisFilter, analyse_event
from app.scoring.exposure import adaptive_exposure
from app.scoring.models import ScoringRun
from app.web.csrf import verify_csrf
from app.web.deps import DB
from app.web.flash import redirect_with
from app.web.inputs import optional_int, optional_uuid
from app.web.pages import redirect, render
from app.web.routing import DomainRouter
from app.web.templating import translate

router = DomainRouter(prefix="/analis", include_in_schema=False)
SET_UNKNOWN = N_("No such parameter set.")
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
    return render(request, "scoring/events.html", {"events": pages.events(db)})


@router.get("/acara/{code}")
def event_page(request: Request, code: str, analyst: AnalystDep, db: DB) -> Response:
    return render(request, "scoring/event.html", pages.event_page(db, _event(db, code)))


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
    context = pages.publish_page(db, event, _run(db, event, number))
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
    context = pages.run_page(db, event, _run(db, event, number))
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
    analysis, adaptive = analyse_event(db, event.id, only), adaptive_exposure(db, event, only)
    context = pages.items_page(db, event, only, analysis, adaptive)
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
    context = pages.item_page(db, event, only, page, request.url.path)
    return render(request, "scoring/item.html", context)


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
    only = _filter(sesi, instansi, eselon, run)
    analysis, adaptive = analyse_event(db, event.id, only), adaptive_exposure(db, event, only)
    return StreamingResponse(
        csv_chunks(pages.ITEMS_CSV_HEADER, pages.items_csv_rows(analysis, adaptive)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="analisis-butir-{code}.csv"'},
    )


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
    return render(request, "scoring/parameter_sets.html", pages.parameter_sets_page(db))


@router.get("/parameter/{set_id}")
def parameter_set_page(request: Request, set_id: str, analyst: AnalystDep, db: DB) -> Response:
    """A calibrated parameter set: per subtest the estimates with SEs and fit (misfitting
    items first in mind), the link to the bank's scale, and the test information curve."""
    try:
        wanted = uuid.UUID(set_id)
    except ValueError:
        wanted = None
    chosen = repository.parameter_set(db, wanted)
    if chosen is None:
        raise parameter_sets.ParameterSetUnknown(SET_UNKNOWN)
    return render(request, "scoring/parameter_set.html", pages.parameter_set_page(db, chosen))


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
