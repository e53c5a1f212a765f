"""The audit log viewer, filterable, for admins and analysts. It sits with the staff accounts
whose role checks it needs: the log itself (app/audit) is below them, written to by every
domain, accounts included."""

from datetime import datetime
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from app.accounts.deps import AuditReaderDep
from app.audit import repository
from app.audit.repository import AuditFilter
from app.audit.service import record
from app.i18n import N_
from app.kit.nip import InvalidNIP, normalise_nip
from app.web.deps import DB
from app.web.inputs import Page
from app.web.pages import render
from app.web.routing import DomainRouter
from app.web.templating import translate

router = DomainRouter(include_in_schema=False, prefixes=("/audit",))
BAD_NIP = N_("NIP filter: %(reason)s")


PER_PAGE = 100


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
    nip: str = "",
    page: Page = 1,
) -> Response:
    """The log, filtered; by NIP it answers a person's "who saw my data?" (UU 27/2022)."""
    shown = {"actor": actor, "action": action, "since": since, "until": until, "nip": nip}
    try:
        person = normalise_nip(nip) if nip.strip() else None
    except InvalidNIP as exc:
        error = translate(BAD_NIP) % {"reason": str(exc)}
        refused = {"entries": [], "filter": shown, "error": error}
        return render(request, "audit/list.html", refused, 422)
    f = AuditFilter(actor or None, action or None, None, _day(since), _day(until), person)
    entries = repository.entries(db, f, limit=PER_PAGE, offset=(max(page, 1) - 1) * PER_PAGE)
    if person:
        record(
            db,
            reader.actor,
            "audit.view_person",
            target_type="person",
            target_id=person,
            subjects=[person],
            rows=len(entries),
        )
    context: dict[str, object] = {
        "entries": entries,
        "filter": shown,
        "newer_url": _page_url(shown, page - 1) if page > 1 else None,
        "older_url": _page_url(shown, page + 1) if len(entries) == PER_PAGE else None,
        "error": None,
    }
    return render(request, "audit/list.html", context)


def _page_url(shown: dict[str, str], page: int) -> str:
    """Another page of the log, the same filter kept."""
    return "?" + urlencode({**shown, "page": str(page)})
