"""The agency viewer's page: attendance and progress of the agency's own participants only,
never scores, never another agency's people."""

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from app.accounts.deps import require_role
from app.accounts.service import Staff
from app.exams.models import ExamSession, Participant
from app.proctoring.board import build_board
from app.web.deps import DB
from app.web.pages import render
from app.web.routing import DomainRouter

router = DomainRouter(include_in_schema=False, prefixes=("/instansi",))


@router.get("/instansi")
def agency_page(
    request: Request, db: DB, viewer: Staff = Depends(require_role("agency_viewer"))
) -> Response:
    agency_id = viewer.user.agency_id
    session_ids = select(Participant.session_id).where(Participant.agency_id == agency_id)
    sessions = list(
        db.scalars(
            select(ExamSession)
            .where(ExamSession.id.in_(session_ids))
            .order_by(ExamSession.starts_at)
        )
    )
    boards = [(s, build_board(db, s.id, agency_id=agency_id)) for s in sessions]
    return render(request, "agency/index.html", {"boards": boards})
