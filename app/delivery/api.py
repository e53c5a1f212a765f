"""Taker JSON API (`/api/v1/taker/…`): thin routes over delivery.service.

Authentication is the `proasn_taker` cookie (HttpOnly, SameSite=Strict). State-changing calls
take JSON bodies, which a cross-site HTML form cannot send, so they need no CSRF token.
"""

import uuid
from typing import Annotated

from fastapi import Cookie, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.delivery import calls, repository, service, signals, views
from app.delivery.content import ItemView
from app.delivery.core import Answering, WindowLeaves
from app.delivery.errors import DeliveryError, NotLoggedIn
from app.delivery.hot import Notice
from app.delivery.models import Attempt
from app.delivery.schemas import (
    MAX_POSITION,
    AnswerIn,
    AnswerOut,
    BroadcastOut,
    ClockOut,
    ErrorOut,
    GridCellOut,
    HeartbeatIn,
    ItemOut,
    ItemPosition,
    LeftWindowIn,
    LoginIn,
    OptionOut,
    StateOut,
)
from app.i18n import DEFAULT_LOCALE
from app.kit.secrets_gen import token_digest
from app.web.cookies import clear_cookie, set_cookie
from app.web.deps import DB, in_transaction
from app.web.pages import retry_after
from app.web.routing import DomainRouter

COOKIE = "proasn_taker"
router = DomainRouter(
    prefix="/api/v1/taker",
    tags=["taker"],
    responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
TakerCookie = Annotated[str | None, Cookie(alias=COOKIE)]


def json_reply(model: BaseModel) -> Response:
    """A model as JSON, for the routes every open page repeats: FastAPI would validate the
    returned model again against `response_model` (which stays, for the OpenAPI contract)."""
    return Response(model.model_dump_json(), media_type="application/json")


def error_response(error: DeliveryError, locale: str = DEFAULT_LOCALE) -> JSONResponse:
    body = {"code": error.code, "message": error.message_in(locale)}
    return JSONResponse(body, status_code=error.status, headers=retry_after(error.retry_after))


def set_taker_cookie(response: Response, token: str) -> None:
    set_cookie(response, COOKIE, token)


def current_taker(db: DB, proasn_taker: TakerCookie = None) -> service.Taker:
    return service.authenticate(db, proasn_taker)


TakerDep = Annotated[service.Taker, Depends(current_taker)]


def _state(db: Session, taker: service.Taker, attempt: Attempt | None) -> StateOut:
    return StateOut.model_validate(views.state_view(db, taker, attempt))


@router.post("/login", response_model=StateOut)
async def login(body: LoginIn, request: Request, proasn_taker: TakerCookie = None) -> Response:
    """Log in with NIP and room token (and `pin` when the event asks for one: 401
    `pin_required` without it); sets the session cookie."""

    def work(db: Session) -> tuple[StateOut, str | None]:
        taker, new_token = service.login(
            db,
            body.nip,
            body.token,
            proasn_taker,
            request.headers.get("user-agent"),
            request.client.host if request.client else None,
            body.pin,
        )
        attempt = repository.attempt_of(db, taker.participant.id)
        return _state(db, taker, attempt), new_token

    state, new_token = await in_transaction(request, work)
    reply = json_reply(state)
    if new_token:
        set_taker_cookie(reply, new_token)
    return reply


@router.post("/start", response_model=StateOut)
async def start(request: Request, proasn_taker: TakerCookie = None) -> Response:
    """Start the test (or return the running attempt)."""

    def work(db: Session) -> StateOut:
        taker = service.authenticate(db, proasn_taker, with_context=True)
        return _state(db, taker, service.start(db, taker))

    return json_reply(await in_transaction(request, work))


@router.get("/state", response_model=StateOut)
async def state(request: Request, proasn_taker: TakerCookie = None) -> Response:
    def work(db: Session) -> StateOut:
        taker = service.authenticate(db, proasn_taker, with_context=True)
        attempt = repository.attempt_of(db, taker.participant.id)
        if attempt is not None:
            service.heartbeat(db, taker)
        return _state(db, taker, attempt)

    return json_reply(await in_transaction(request, work))


@router.get("/items/{position}", response_model=ItemOut)
async def item(
    position: ItemPosition, request: Request, proasn_taker: TakerCookie = None
) -> Response:
    """Item `position` (1-based) of this participant's form, options in their order."""

    def work(db: Session) -> Response:
        found = calls.read_item(db, proasn_taker, position)
        return json_reply(_item_out(found.item, found.total_items, *found.remaining))

    return await in_transaction(request, work)


def _item_out(
    view: ItemView, total: int, remaining: int | None, section_left: int | None
) -> ItemOut:
    base = f"/api/v1/taker/items/{view.position}"
    return ItemOut(
        position=view.position,
        section_position=view.section_position,
        stem=view.stem,
        figure_url=f"{base}/figure.svg" if view.has_figure else None,
        options=[
            OptionOut(
                option_id=o.option_id,
                label=o.label,
                text=o.text,
                figure_url=f"{base}/options/{o.option_id}/figure.svg" if o.has_figure else None,
            )
            for o in view.options
        ],
        option_id=view.option_id,
        flagged=view.flagged,
        total_items=total,
        remaining_seconds=remaining,
        section_remaining_seconds=section_left,
        seq_base=service.seq_base(),
    )


@router.put("/answers/{position}", response_model=AnswerOut)
async def save_answer(
    position: ItemPosition, body: AnswerIn, request: Request, proasn_taker: TakerCookie = None
) -> Response:
    """Save the answer to item `position`; stale or replayed saves are ignored (applied=false)."""
    answering = Answering(position, body.option_id, body.flagged, body.seq, body.shown)

    left = _leaves(body.left_window)

    def work(db: Session) -> Response:
        saved = calls.save(db, proasn_taker, answering, left)
        return json_reply(
            AnswerOut(
                position=position,
                option_id=saved.option_id,
                flagged=saved.flagged,
                seq=saved.seq,
                applied=saved.applied,
                remaining_seconds=saved.remaining[0],
                section_remaining_seconds=saved.remaining[1],
                broadcast=_broadcast_out(saved.broadcast),
                next_position=saved.next_position,
                section_closed=saved.section_closed,
                test_submitted=saved.submitted,
            )
        )

    return await in_transaction(request, work)


@router.post("/heartbeat", response_model=ClockOut)
async def heartbeat(
    request: Request,
    body: HeartbeatIn | None = None,
    proasn_taker: TakerCookie = None,
    position: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
) -> Response:
    """The open page is alive (after PROASN_HEARTBEAT_SECONDS without another call); answers
    with the server's clock, the attempt's status and the proctor's latest message. The
    position may come as `?position=` instead: the beacon a page sends as it goes has no
    JSON body (browsers allow a beacon no JSON type)."""
    position = body.position if body else position
    left = _leaves(body.left_window if body else None)

    def work(db: Session) -> ClockOut:
        beat = calls.beat(db, proasn_taker, position, left)
        return ClockOut(
            status=beat.status,
            remaining_seconds=beat.remaining[0],
            section_remaining_seconds=beat.remaining[1],
            current_section=beat.current_section,
            broadcast=_broadcast_out(beat.broadcast),
        )

    return json_reply(await in_transaction(request, work))


def _leaves(reported: LeftWindowIn | None) -> WindowLeaves | None:
    if reported is None or not (reported.count or reported.seconds):
        return None
    return WindowLeaves(reported.count, reported.seconds)


def _broadcast_out(found: Notice | None) -> BroadcastOut | None:
    if found is None:
        return None
    return BroadcastOut(
        id=found.id, message=found.message, sent_at=found.sent_at, expires_in=found.expires_in
    )


# Not in the OpenAPI document: an endless stream, for the exam page (docs/delivery.md).
@router.get("/signals", include_in_schema=False)
async def page_signals(
    request: Request,
    proasn_taker: TakerCookie = None,
    sejak: Annotated[float | None, Query(ge=0)] = None,
) -> Response:
    """Server-sent events for the open test page: `change` when a proctor acted on this
    attempt or wrote to the room; the page then sends a heartbeat. `sejak`: when the page
    read its state (epoch seconds, the server's clock, in the page): an action since then
    is told at once, so a page that opened its stream late (or reconnected) misses none.
    No test running: 204, and the browser stops asking."""

    def work(db: Session) -> tuple[uuid.UUID, uuid.UUID, bool] | None:
        if not proasn_taker:
            raise NotLoggedIn()
        found = repository.page_of(db, token_digest(proasn_taker))
        if found is None:
            service.authenticate(db, proasn_taker)  # not logged in: 401
            return None
        service.require_exam_browser(found.exam_browser)
        return found.session_id, found.attempt_id, signals.missed(found.changed_at, sejak)

    found = await in_transaction(request, work)
    if found is None:
        return Response(status_code=204)
    session_id, attempt_id, missed = found
    return StreamingResponse(
        signals.stream(request.app.state.signals, session_id, attempt_id, wake_first=missed),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},  # nginx: pass each event on at once
    )


@router.get("/grid", response_model=list[GridCellOut])
def grid(taker: TakerDep, db: DB) -> list[GridCellOut]:
    attempt = repository.attempt_of(db, taker.participant.id)
    if attempt is None:
        return []
    return [GridCellOut(position=p, section=s, state=st) for p, s, st in views.grid(db, attempt)]


@router.post("/sections/finish", response_model=StateOut)
def finish_section(taker: TakerDep, db: DB) -> StateOut:
    """Close the current section early and open the next one (sections with time limits)."""
    return _state(db, taker, service.finish_section(db, taker))


@router.post("/submit", response_model=StateOut)
def submit(taker: TakerDep, db: DB) -> StateOut:
    return _state(db, taker, service.submit(db, taker))


@router.post("/logout", status_code=204)
def logout(taker: TakerDep, db: DB, response: Response) -> Response:
    service.logout(db, taker)
    clear_cookie(response, COOKIE)
    response.status_code = 204
    return response


def _svg(svg: str | None) -> Response:
    if not svg:
        return Response(status_code=404)
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.get("/items/{position}/figure.svg", include_in_schema=False)
def item_figure(position: ItemPosition, taker: TakerDep, db: DB) -> Response:
    _, _, version = service.open_item(db, taker, position, remember=False)
    return _svg(version.figure_svg)


@router.get("/items/{position}/options/{option_id}/figure.svg", include_in_schema=False)
def option_figure(position: ItemPosition, option_id: str, taker: TakerDep, db: DB) -> Response:
    _, _, version = service.open_item(db, taker, position, remember=False)
    option = next((o for o in version.options if o["id"] == option_id), None)
    return _svg(option.get("figure_svg") if option else None)
