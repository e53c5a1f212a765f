"""`/hasil`: a participant looks up their own published result.

The look-up (NIP + access code) opens a self-view login kept in a cookie, and the result is
a page of its own (post/redirect/get): a reload, or the language switch (`/bahasa/en?next=
/hasil`, a plain GET), shows it again instead of the empty form. "Keluar" ends the login."""

from typing import Annotated

from fastapi import Cookie, Depends, Form, Request
from fastapi.responses import Response

from app.i18n import N_
from app.scoring import selfview
from app.scoring.names import subtest_names
from app.scoring.selfview import SelfViewRefused
from app.web.cookies import clear_cookie, set_cookie
from app.web.csrf import verify_csrf
from app.web.deps import DB
from app.web.flash import redirect_with
from app.web.pages import redirect, render, retry_after, with_wait
from app.web.routing import DomainRouter
from app.web.templating import translate

router = DomainRouter(prefix="/hasil", include_in_schema=False)
COOKIE = "proasn_hasil"
SelfViewCookie = Annotated[str | None, Cookie(alias=COOKIE)]
ENDED = N_("Your session has ended. Enter your NIP and access code again.")
LOGGED_OUT = N_("You have logged out.")


@router.get("")
def result_page(request: Request, db: DB, token: SelfViewCookie = None) -> Response:
    results = selfview.results_of_login(db, token)
    if results is None:
        form = {"results": None, "error": translate(ENDED) if token else None}
        response = render(request, "scoring/selfview.html", form, 401 if token else 200)
        if token:
            clear_cookie(response, COOKIE, path="/hasil")
        return response
    names = subtest_names(db)
    context = {
        "results": results,
        "box": selfview.released_box(db, results),
        "error": None,
        "subtest_names": names,
    }
    return render(request, "scoring/selfview.html", context)


@router.post("", dependencies=[Depends(verify_csrf)])
def lookup(
    request: Request, db: DB, nip: Annotated[str, Form()] = "", code: Annotated[str, Form()] = ""
) -> Response:
    address = request.client.host if request.client else "unknown"
    try:
        token = selfview.log_in(db, nip, code, address)
    except SelfViewRefused as exc:
        db.commit()  # the failed attempt counts for the rate limit
        context = {"results": None, "error": with_wait(exc.message, exc.retry_after)}
        headers = retry_after(exc.retry_after)
        return render(request, "scoring/selfview.html", context, exc.status, headers=headers)
    response = redirect("/hasil")
    set_cookie(
        response, COOKIE, token, max_age=int(selfview.LONGEST.total_seconds()), path="/hasil"
    )
    return response


@router.post("/keluar", dependencies=[Depends(verify_csrf)])
def log_out(db: DB, token: SelfViewCookie = None) -> Response:
    selfview.log_out(db, token)
    response = redirect_with("/hasil", translate(LOGGED_OUT))
    clear_cookie(response, COOKIE, path="/hasil")
    return response
