"""The centre's page of what its sites have delivered (`/analis/lokasi`): analysts and
administrators (issue 17, item 5)."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from app.accounts.deps import require_role
from app.accounts.service import Staff
from app.sync.views import deliveries
from app.web.deps import DB
from app.web.pages import render
from app.web.routing import DomainRouter

router = DomainRouter(prefix="/analis/lokasi", include_in_schema=False)
ReaderDep = Annotated[Staff, Depends(require_role("analyst", "admin"))]


@router.get("")
def site_deliveries(request: Request, reader: ReaderDep, db: DB) -> Response:
    """Per event, each packaged session: its site, when packaged, when its results came,
    complete / partial / missing, participants and attempts held here."""
    return render(request, "sync/deliveries.html", {"events": deliveries(db)})
