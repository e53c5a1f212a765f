"""Admin pages: staff accounts (proctor assignments: app/proctoring/staff_routes.py)."""

import uuid
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from app.accounts import repository, service
from app.accounts.deps import AdminDep
from app.accounts.models import ROLES, StaffUser
from app.audit.service import record
from app.exams import repository as exams_repository
from app.web.csrf import verify_csrf
from app.web.deps import DB
from app.web.flash import redirect_with
from app.web.inputs import optional_uuid
from app.web.pages import render
from app.web.routing import DomainRouter
from app.web.templating import N_, translate

router = DomainRouter(prefix="/admin", include_in_schema=False)
CsrfChecked = Depends(verify_csrf)


@router.get("/pengguna")
def users_page(request: Request, admin: AdminDep, db: DB) -> Response:
    agencies = exams_repository.agencies(db)
    context = {
        "users": repository.users(db),
        "delayed": service.delayed_accounts(db),
        "roles": ROLES,
        "agencies": agencies,
    }
    return render(request, "admin/users.html", context)


@router.post("/pengguna", dependencies=[CsrfChecked])
def create_user(
    admin: AdminDep,
    db: DB,
    username: Annotated[str, Form()] = "",
    full_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    agency_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.create_user(
            db,
            username,
            password,
            role,
            full_name,
            optional_uuid(agency_id, "agency_id"),
            by=admin.actor,
        )
    except service.InvalidAccount as exc:
        return redirect_with("/admin/pengguna", str(exc), error=True)
    return redirect_with("/admin/pengguna", translate(N_("Account created")))


@router.post("/pengguna/{user_id}/aktif", dependencies=[CsrfChecked])
def toggle_active(user_id: uuid.UUID, admin: AdminDep, db: DB) -> Response:
    user = db.get(StaffUser, user_id)
    if user is None or user.id == admin.user.id:
        return redirect_with(
            "/admin/pengguna", translate(N_("This account cannot be changed")), error=True
        )
    user.active = not user.active
    record(
        db,
        admin.actor,
        "user.activate" if user.active else "user.deactivate",
        target_type="staff_user",
        target_id=user.id,
        target_label=user.username,
    )
    return redirect_with("/admin/pengguna", translate(N_("Account status changed")))


@router.post("/pengguna/{user_id}/buka-tunda", dependencies=[CsrfChecked])
def lift_delay(user_id: uuid.UUID, admin: AdminDep, db: DB) -> Response:
    """Let an account whose logins are being delayed (someone guessed its password) try
    again at once; audited."""
    user = db.get(StaffUser, user_id)
    if user is None or not service.lift_delay(db, admin.actor, user):
        refused = translate(N_("This account's logins are not being delayed"))
        return redirect_with("/admin/pengguna", refused, error=True)
    return redirect_with("/admin/pengguna", translate(N_("Login delay lifted")))
