"""A taker's request for a login reset (reset_requests), asked from the login page of a
browser refused because another holds the login: the taker-facing half of the proctor's
reset, on the taker's pages and layout (app/delivery/routes.py)."""

from typing import Annotated

from fastapi import Cookie, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.delivery import errors
from app.delivery import routes as taker_pages
from app.exams.models import Participant
from app.i18n import N_, gettext
from app.proctoring import reset_requests
from app.web.cookies import clear_cookie, set_cookie
from app.web.csrf import verify_csrf
from app.web.deps import DB
from app.web.pages import redirect
from app.web.routing import DomainRouter
from app.web.templating import current_locale

router = DomainRouter(prefix="/ujian/minta-reset", include_in_schema=False)
CsrfChecked = Depends(verify_csrf)
RESET_COOKIE = "proasn_reset"
ResetCookie = Annotated[str | None, Cookie(alias=RESET_COOKIE)]
RESET_ANSWERS = {
    "approved": N_(
        "The proctor has freed your login: log in again with your NIP and the room token."
    ),
    "rejected": N_("The proctor did not free your login. Please speak to the proctor."),
    "expired": N_(
        "Your request lapsed before the proctor answered. Ask again, or speak to the proctor."
    ),
}


@router.post("", dependencies=[CsrfChecked])
def ask_for_reset(
    request: Request,
    db: DB,
    nip: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
    proasn_reset: ResetCookie = None,
) -> Response:
    """Ask the room's proctor to free this NIP's login; then wait for the answer."""
    try:
        _, waiter = reset_requests.ask(
            db,
            nip,
            token,
            proasn_reset,
            request.headers.get("user-agent"),
            request.client.host if request.client else None,
        )
    except errors.LoginFree as exc:
        context = {"notice": exc.message_in(current_locale.get()), "nip": nip}
        return taker_pages.render(request, "delivery/login.html", context)
    except errors.DeliveryError as exc:
        return taker_pages.login_refused(request, exc, nip)
    response = redirect("/ujian/minta-reset")
    if waiter:
        set_cookie(response, RESET_COOKIE, waiter, path="/ujian")
    return response


@router.get("", response_class=HTMLResponse)
def reset_wait(request: Request, db: DB, proasn_reset: ResetCookie = None) -> Response:
    """While the request waits: a page that asks for its status (taker.js); once answered,
    the login page saying how, with the NIP filled in."""
    asked = reset_requests.status_of(db, proasn_reset)
    if asked is None:
        return redirect("/ujian")
    if asked.status == "pending":
        return taker_pages.render(request, "delivery/reset_wait.html", {})
    answer = gettext(RESET_ANSWERS[asked.status], current_locale.get())
    participant = db.get(Participant, asked.participant_id)
    context = {
        "nip": participant.nip if participant else "",
        "notice" if asked.status == "approved" else "error": answer,
    }
    response = taker_pages.render(request, "delivery/login.html", context)
    clear_cookie(response, RESET_COOKIE, path="/ujian")
    return response


@router.get("/status")
def reset_status(db: DB, proasn_reset: ResetCookie = None) -> JSONResponse:
    """pending | approved | rejected | expired | none: what the waiting page polls."""
    asked = reset_requests.status_of(db, proasn_reset)
    return JSONResponse({"status": asked.status if asked else "none"})
