"""Taker pages (`/ujian/…`): login → identity → instructions → practice → items → submit.

Thin routes over delivery.service; saving answers, the countdown, the heartbeat and offline
queueing are done in the page by static/js/taker.js through the JSON API.
"""

from functools import cache
from typing import Annotated, Any

from fastapi import Cookie, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.config import get_settings
from app.delivery import calls, errors, plans, prefetch, repository, service, views
from app.delivery.api import COOKIE, set_taker_cookie
from app.delivery.item_html import Words, item_html, items_html
from app.delivery.practice import PRACTICE_ITEMS
from app.delivery.schemas import MAX_POSITION, ItemPosition
from app.i18n import gettext
from app.kit import clock
from app.kit.secrets_gen import token_digest
from app.web import pages
from app.web.cookies import clear_cookie
from app.web.csrf import verify_csrf
from app.web.deps import DB, in_transaction
from app.web.pages import redirect, retry_after, with_wait
from app.web.routing import DomainRouter
from app.web.static_files import KEEP
from app.web.templating import STATIC_DIR, current_locale

router = DomainRouter(prefix="/ujian", include_in_schema=False)
TakerCookie = Annotated[str | None, Cookie(alias=COOKIE)]
CsrfChecked = Depends(verify_csrf)
SERVICE_WORKER = STATIC_DIR / "js" / "sw.js"


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return pages.render(
        request, name, context, status_code, layout="layout_taker.html", headers=headers
    )


def taker_of(db: DB, proasn_taker: TakerCookie = None) -> service.Taker:
    # The pages show the participant's session, agency and event: read with the login.
    return service.authenticate(db, proasn_taker, with_context=True)


TakerDep = Annotated[service.Taker, Depends(taker_of)]


# --- before the test ----------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def login_page(request: Request, db: DB, proasn_taker: TakerCookie = None) -> Response:
    if proasn_taker and repository.login_by_token_hash(db, token_digest(proasn_taker)):
        return redirect("/ujian/lanjut")
    return render(request, "delivery/login.html", {"nip": ""})


@router.post("/masuk", response_class=HTMLResponse, dependencies=[CsrfChecked])
def login(
    request: Request,
    db: DB,
    nip: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
    pin: Annotated[str | None, Form(max_length=20)] = None,
    proasn_taker: TakerCookie = None,
) -> Response:
    try:
        _, new_token = service.login(
            db,
            nip,
            token,
            proasn_taker,
            request.headers.get("user-agent"),
            request.client.host if request.client else None,
            pin,
        )
    except errors.ExamBrowserRequired as exc:
        return page_refusal(request, exc)
    except errors.DeliveryError as exc:
        # Held by another browser: the page offers to ask the proctor for a reset, with the
        # NIP and room token just accepted (nothing the refusal did not already tell).
        offer = {"nip": nip, "token": token} if exc.code == errors.LoginInUse.code else None
        # The event asks for a PIN: the same form again, with NIP and token kept.
        ask_pin = pin is not None or exc.code == "pin_required"
        return login_refused(request, exc, nip, offer, token if ask_pin else None)
    response = redirect("/ujian/lanjut")
    if new_token:
        set_taker_cookie(response, new_token)
    return response


def login_refused(
    request: Request,
    exc: errors.DeliveryError,
    nip: str,
    reset_offer: dict[str, str] | None = None,
    pin_for_token: str | None = None,
) -> Response:
    """The login form again with the refusal; `pin_for_token`: the room token accepted, when
    the event asks for the personal PIN next."""
    message = with_wait(exc.message_in(current_locale.get()), exc.retry_after)
    context = {
        "error": message,
        "nip": nip,
        "reset_offer": reset_offer,
        "token": pin_for_token or "",
        "pin": pin_for_token is not None,
    }
    headers = retry_after(exc.retry_after)
    return render(request, "delivery/login.html", context, exc.status, headers=headers)


@router.get("/lanjut")
def resume(taker: TakerDep, db: DB) -> RedirectResponse:
    """Where this taker should be now: a refresh or new tab lands on the same item."""
    attempt = repository.attempt_of(db, taker.participant.id)
    if attempt is None:
        return redirect("/ujian/konfirmasi")
    attempt = service.start(db, taker)  # brings the clock up to date
    if attempt.status == "submitted":
        return redirect("/ujian/selesai")
    return redirect(f"/ujian/soal/{attempt.current_position}")


def _state(db: Session, taker: service.Taker) -> views.StateView:
    return views.state_view(db, taker, repository.attempt_of(db, taker.participant.id))


@router.get("/konfirmasi", response_class=HTMLResponse)
def confirm(request: Request, taker: TakerDep, db: DB) -> Response:
    return render(request, "delivery/confirm.html", {"state": _state(db, taker)})


@router.get("/petunjuk", response_class=HTMLResponse)
def instructions(request: Request, taker: TakerDep, db: DB) -> Response:
    return render(request, "delivery/instructions.html", {"state": _state(db, taker)})


@router.get("/latihan/{number}", response_class=HTMLResponse)
def practice(request: Request, number: int, taker: TakerDep, db: DB) -> Response:
    if not 1 <= number <= len(PRACTICE_ITEMS):
        return redirect("/ujian/petunjuk")
    item = PRACTICE_ITEMS[number - 1]
    context = {
        "state": _state(db, taker),
        "item": item,
        "item_html": item_html(item, Words.of(current_locale.get()), None, practice=True),
        "practice_total": len(PRACTICE_ITEMS),
    }
    return render(request, "delivery/practice.html", context)


@router.post("/mulai", dependencies=[CsrfChecked])
async def start(request: Request, proasn_taker: TakerCookie = None) -> RedirectResponse:
    """ "Mulai tes": a whole room presses it in the same minute (one thread hop; the
    ordinary start in a few Core statements, calls.start)."""

    def work(db: Session) -> int:
        return calls.start(db, proasn_taker)

    return redirect(f"/ujian/soal/{await in_transaction(request, work)}")


@router.post("/keluar", dependencies=[CsrfChecked])
def logout(taker: TakerDep, db: DB) -> RedirectResponse:
    service.logout(db, taker)
    response = redirect("/ujian")
    clear_cookie(response, COOKIE)
    return response


# --- the test -----------------------------------------------------------------------------


def _signals_url() -> str:
    """The page's signal stream, stamped with when the page read its state (the server's
    clock): the stream tells at once of an action the page missed before it opened."""
    return f"/api/v1/taker/signals?sejak={clock.now().timestamp():.3f}"


@router.get("/soal/{position}", response_class=HTMLResponse)
async def item_page(
    request: Request, position: ItemPosition, proasn_taker: TakerCookie = None
) -> Response:
    """The test page at item `position`: the clock, the item, the grid of every item and
    the page's first batch of items to keep, built once per page load. Moving between items
    then happens in the page, from what it keeps and the batches it prefetches later
    (`/ujian/paket-soal`)."""

    def work(db: Session) -> calls.PageReply:
        return calls.read_page(db, proasn_taker, position)

    signals = _signals_url()  # stamped before the read: see api.page_signals
    reply = await in_transaction(request, work)
    settings = get_settings()
    locale = current_locale.get()
    page = views.test_page(reply, gettext("Section not open", locale))
    context = {
        "state": page,
        "item": reply.item,
        "item_html": item_html(reply.item, Words.of(locale), page.total_items, page.intro),
        # The page's first batch, as /ujian/paket-soal would send it (taker.js keeps it).
        "kept_html": items_html(
            reply.kept, page.total_items, plans.introduced_at(reply.sections), locale
        ),
        "total_items": page.total_items,
        "intro": page.intro,
        "heartbeat_seconds": get_settings().heartbeat_seconds,
        "answer_grace_seconds": get_settings().answer_grace_seconds,
        "prefetch": prefetch.for_page_load(
            signal_delay=settings.signal_delay_seconds,
            rush=prefetch.PAGE_LOADS.rush(settings.signal_delay_rush_pages),
        ),
        "report_leaves": not reply.exam_browser,
        "signals_url": signals,
    }
    return render(request, "delivery/item.html", context)


@router.get("/paket-soal", response_class=HTMLResponse)
async def item_batch(
    request: Request,
    dari: Annotated[int, Query(ge=1, le=MAX_POSITION)],
    sampai: Annotated[int, Query(ge=1, le=MAX_POSITION)],
    proasn_taker: TakerCookie = None,
) -> Response:
    """Items `dari`..`sampai` as one HTML bundle of the item partial, for the page to keep:
    its prefetch, and its way to an item not prefetched yet. Not a visit (the item to resume
    on stays); the cost depends on the batch, never on the form's length."""

    def work(db: Session) -> calls.ItemsReply:
        return calls.read_items(db, proasn_taker, dari, sampai)

    batch = await in_transaction(request, work)
    html = items_html(batch.items, batch.total_items, batch.intros, current_locale.get())
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.post("/bagian/selesai", dependencies=[CsrfChecked])
def finish_section(
    taker: TakerDep, db: DB, confirm: Annotated[bool, Form()] = False
) -> RedirectResponse:
    """Closing a section is final: it needs the tick. Closing the last one would submit the
    test: that goes by the submit page (the items not answered or doubtful listed, its own
    confirmation), as "Kumpulkan tes" does; the page shows no such form there."""
    if not confirm:
        return redirect("/ujian/lanjut")
    if service.in_last_section(db, taker):
        return redirect("/ujian/kumpulkan")
    service.finish_section(db, taker)
    return redirect("/ujian/lanjut")


@cache
def _service_worker() -> bytes:
    return SERVICE_WORKER.read_bytes()


@router.get("/sw.js", include_in_schema=False)
async def service_worker(v: str | None = None) -> Response:
    """The exam page's service worker (static/js/sw.js) at the top of its scope, `/ujian/`.
    Pages register it under a URL that changes with its content (`?v=`, see
    layout_taker.html), kept by the browser: the update check a browser makes after every
    page load is then answered from its cache, not by the server, and a new version still
    reaches the rooms with the next page load. Served from memory, in the event loop: a
    whole room fetches it with its first test page (static_files.py says why)."""
    headers = {"Cache-Control": KEEP if v else "no-cache"}
    return Response(_service_worker(), media_type="text/javascript", headers=headers)


@router.get("/kumpulkan", response_class=HTMLResponse)
def submit_page(
    request: Request,
    taker: TakerDep,
    db: DB,
    dari: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
) -> Response:
    """The confirmation; `dari`: the item the page was on, where "back" leads (moving between
    items in the page tells the server nothing until its next call)."""
    signals = _signals_url()
    attempt = repository.attempt_of(db, taker.participant.id)
    if attempt is None:
        raise errors.NotStarted()
    answers = repository.answers_of(db, attempt.id)
    positions = [p for p, _, _ in views.grid(db, attempt)]
    context = {
        "state": views.state_view(db, taker, attempt),
        "unanswered": [p for p in positions if p not in answers or answers[p].option_id is None],
        "flagged": [p for p in positions if p in answers and answers[p].flagged],
        "queue_key": f"proasn-queue-{taker.participant.nip}",
        "answer_grace_seconds": get_settings().answer_grace_seconds,
        "back": f"/ujian/soal/{dari}" if dari else "/ujian/lanjut",
        "signals_url": signals,
    }
    return render(request, "delivery/submit.html", context)


@router.post("/kumpulkan", dependencies=[CsrfChecked])
def submit(taker: TakerDep, db: DB) -> RedirectResponse:
    service.submit(db, taker)
    return redirect("/ujian/selesai")


@router.get("/selesai", response_class=HTMLResponse)
def finished(request: Request, taker: TakerDep, db: DB) -> Response:
    """The finished page; the page at the test's zero comes here, so it closes an attempt
    whose time has run out (as a resume does) and sends one still running back to it."""
    attempt = repository.attempt_of(db, taker.participant.id)
    if attempt is not None and attempt.status == "in_progress":
        service.refresh_clock(db, attempt)  # closes it when its time has run out
    state = views.state_view(db, taker, attempt)
    if state.status != "submitted":
        return redirect("/ujian/lanjut")
    exam_browser = repository.event_of(db, taker.participant).safe_exam_browser or {}
    context = {"state": state, "quit_url": exam_browser.get("quit_url")}
    return render(request, "delivery/finished.html", context)


# --- refusals on pages --------------------------------------------------------------------

# Where a page refusal sends the taker instead of showing an error.
PAGE_REDIRECTS = {
    "not_logged_in": "/ujian",
    "not_started": "/ujian/konfirmasi",
    "attempt_submitted": "/ujian/selesai",
    "deadline_passed": "/ujian/selesai",
    "section_locked": "/ujian/lanjut",
    "item_not_found": "/ujian/lanjut",
    "item_not_current": "/ujian/lanjut",  # an adaptive section: back to its current item
}


def page_refusal(request: Request, exc: errors.DeliveryError) -> Response:
    if exc.code == "exam_browser_required":
        context = {"message": exc.message_in(current_locale.get())}
        return render(request, "delivery/exam_browser.html", context, status_code=exc.status)
    if exc.code in ("awaiting_admission", "attempt_paused"):
        context = {"message": exc.message_in(current_locale.get())}
        return render(request, "delivery/waiting.html", context, status_code=exc.status)
    target = PAGE_REDIRECTS.get(exc.code)
    if target is not None and request.method == "GET":
        return redirect(target)
    context = {"message": exc.message_in(current_locale.get())}
    return render(request, "delivery/error.html", context, status_code=exc.status)
