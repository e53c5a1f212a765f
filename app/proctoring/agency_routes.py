"""The agency viewer's page: attendance and progress of the agency's own participants only,
never scores, never another agency's people."""

from fastapi import Depends, Request
from fastapi.responses import Response

from app.accounts.deps import require_role
from app.accounts.service import Staff
from app.proctoring import repository
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
    sessions = repository.sessions_of_agency(db, agency_id)
    boards = [(s, build_board(db, s.id, agency_id=agency_id)) for s in sessions]
    return render(request, "agency/index.html", {"boards": boards})
