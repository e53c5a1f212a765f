"""Staff login and logout (the start page that leads each role to its work:
app/proctoring/staff_routes.py)."""

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from app.accounts import service
from app.accounts.deps import COOKIE, StaffDep, set_staff_cookie
from app.web.cookies import clear_cookie
from app.web.csrf import verify_csrf
from app.web.deps import DB
from app.web.pages import redirect, render, retry_after, with_wait
from app.web.routing import DomainRouter

router = DomainRouter(prefix="/staf", include_in_schema=False)
CsrfChecked = Depends(verify_csrf)


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/staf"


@router.get("/masuk")
def login_page(request: Request, next: str = "/staf") -> Response:
    return render(request, "accounts/login.html", {"error": None, "next": _safe_next(next)})


@router.post("/masuk", dependencies=[CsrfChecked])
def login(
    request: Request,
    db: DB,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/staf",
) -> Response:
    address = request.client.host if request.client else "unknown"
    try:
        _, token = service.log_in(db, username, password, address)
    except service.AccountError as exc:
        context = {
            "error": with_wait(exc.message, getattr(exc, "retry_after", None)),
            "next": _safe_next(next),
            "username": username,
        }
        headers = retry_after(getattr(exc, "retry_after", None))
        return render(request, "accounts/login.html", context, exc.status, headers=headers)
    response = redirect(_safe_next(next))
    set_staff_cookie(response, token)
    return response


@router.post("/keluar", dependencies=[CsrfChecked])
def logout(staff: StaffDep, db: DB) -> Response:
    service.log_out(db, staff)
    response = redirect("/staf/masuk")
    clear_cookie(response, COOKIE)
    return response
