"""The audit log viewer, filterable, for admins and analysts."""

from datetime import datetime

from fastapi import Request
from fastapi.responses import Response

from app.accounts.deps import AuditReaderDep
from app.audit import repository
from app.audit.repository import AuditFilter
from app.web.deps import DB
from app.web.inputs import Page
from app.web.pages import render
from app.web.routing import DomainRouter

router = DomainRouter(include_in_schema=False, prefixes=("/audit",))


def _day(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value + "T00:00:00+00:00") if value else None
    except ValueError:
        return None  # a malformed date filters nothing rather than failing


@router.get("/audit")
def audit_log(
    request: Request,
    reader: AuditReaderDep,
    db: DB,
    actor: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
    page: Page = 1,
) -> Response:
    f = AuditFilter(actor or None, action or None, None, _day(since), _day(until))
    entries = repository.entries(db, f, limit=100, offset=(max(page, 1) - 1) * 100)
    context = {
        "entries": entries,
        "filter": {"actor": actor, "action": action, "since": since, "until": until},
        "page": page,
    }
    return render(request, "audit/list.html", context)
