"""Who is asking: staff authentication and role checks, on every staff route."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Cookie, Depends, Request, Response

from app.accounts import service
from app.i18n import N_
from app.kit.errors import Refusal
from app.web.cookies import set_cookie
from app.web.deps import DB

COOKIE = "proasn_staff"


class NotAuthenticated(Refusal):
    status, code = 401, "not_authenticated"
    message_id = N_("Please log in.")


class Forbidden(Refusal):
    status, code = 403, "forbidden"
    message_id = N_("You are not allowed to do this.")


def current_staff(
    request: Request, db: DB, proasn_staff: Annotated[str | None, Cookie()] = None
) -> service.Staff:
    staff = service.authenticate(db, proasn_staff)
    if staff is None:
        raise NotAuthenticated()
    request.state.staff = staff
    return staff


StaffDep = Annotated[service.Staff, Depends(current_staff)]


def require_role(*roles: str) -> Callable[..., service.Staff]:
    def check(staff: StaffDep) -> service.Staff:
        if staff.user.role not in roles:
            raise Forbidden()
        return staff

    return check


AdminDep = Annotated[service.Staff, Depends(require_role("admin"))]
AuditReaderDep = Annotated[service.Staff, Depends(require_role("admin", "analyst"))]


def set_staff_cookie(response: Response, token: str) -> None:
    set_cookie(response, COOKIE, token)
