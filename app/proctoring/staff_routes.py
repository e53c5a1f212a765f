"""The staff start page (the exam sessions each role may see, and the way to each role's
work) and the admin's proctor assignments. Both read proctoring's tables, so they live here;
the staff accounts below (login, user admin) do not import proctoring."""

import uuid
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from app.accounts import repository as accounts_repository
from app.accounts.deps import AdminDep, StaffDep
from app.accounts.models import StaffUser
from app.audit.service import record
from app.exams.models import ExamSession
from app.proctoring import repository
from app.proctoring.models import ProctorAssignment
from app.web.csrf import verify_csrf
from app.web.deps import DB
from app.web.pages import redirect, render
from app.web.routing import DomainRouter

router = DomainRouter(include_in_schema=False, prefixes=("/admin/penugasan",), exact=("/staf",))
CsrfChecked = Depends(verify_csrf)


@router.get("/staf")
def home(request: Request, staff: StaffDep, db: DB) -> Response:
    sessions = repository.sessions_visible_to(db, staff.user)
    return render(request, "proctoring/staff_home.html", {"sessions": sessions})


@router.get("/admin/penugasan")
def assignments_page(request: Request, admin: AdminDep, db: DB) -> Response:
    context = {
        "assignments": repository.assignments(db),
        "proctors": [u for u in accounts_repository.users(db) if u.role == "proctor" and u.active],
        "sessions": repository.sessions_by_start(db),
    }
    return render(request, "admin/assignments.html", context)


@router.post("/admin/penugasan", dependencies=[CsrfChecked])
def assign(
    admin: AdminDep,
    db: DB,
    user_id: Annotated[uuid.UUID, Form()],
    session_id: Annotated[uuid.UUID, Form()],
) -> Response:
    user, exam_session = db.get(StaffUser, user_id), db.get(ExamSession, session_id)
    if user is None or user.role != "proctor" or exam_session is None:
        return redirect("/admin/penugasan")
    if not repository.is_assigned(db, user.id, exam_session.id):
        db.add(ProctorAssignment(user_id=user.id, exam_session_id=exam_session.id))
        record(
            db,
            admin.actor,
            "proctor.assign",
            target_type="staff_user",
            target_id=user.id,
            target_label=user.username,
            exam_session_id=exam_session.id,
        )
    return redirect("/admin/penugasan")


@router.post("/admin/penugasan/{assignment_id}/hapus", dependencies=[CsrfChecked])
def unassign(assignment_id: uuid.UUID, admin: AdminDep, db: DB) -> Response:
    assignment = db.get(ProctorAssignment, assignment_id)
    if assignment is not None:
        record(
            db,
            admin.actor,
            "proctor.unassign",
            target_type="staff_user",
            target_id=assignment.user_id,
            exam_session_id=assignment.exam_session_id,
        )
        db.delete(assignment)
    return redirect("/admin/penugasan")
