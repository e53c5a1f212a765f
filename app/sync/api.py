"""`POST /api/v1/sync/results` (the centre): a site pushes its signed results file over the
network instead of carrying it, with its site token (`Authorization: Bearer sst_…`).

The body is the file exactly as `proasn sync results` wrote it; the centre loads it as
`proasn sync load-results` would (same checks, same all-or-nothing merge) and answers with
the load report. A refusal writes nothing of the file (rolled back) but is audited.
"""

from pathlib import Path
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.i18n import N_
from app.sync import service, tokens
from app.sync.errors import SyncRefused
from app.sync.keys import load_keys
from app.web.deps import in_transaction
from app.web.routing import DomainRouter

router = DomainRouter(prefix="/api/v1/sync", tags=["sync"])
MAX_PROBLEMS = 1000


class TokenRefused(SyncRefused):
    status, code = 401, "sync_token_refused"
    message_id = N_("A live site token is needed (Authorization: Bearer sst_…).")


@router.post("/results")
async def push_results(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> JSONResponse:
    """Load a site's results file sent as the request body (application/octet-stream)."""
    data = await request.body()
    raw = (
        authorization[7:].strip()
        if authorization and authorization.lower().startswith("bearer ")
        else ""
    )
    key_file = request.app.state.settings.sync_key_file
    status, body = await in_transaction(request, lambda db: _load(db, key_file, raw, data))
    return JSONResponse(body, status_code=status)


def _load(db: Session, key_file: Path, raw: str, data: bytes) -> tuple[int, dict[str, Any]]:
    site = tokens.site_for_token(db, raw) if raw else None
    if site is None:
        return _refused(TokenRefused())
    actor = Actor(None, f"site:{site.name}", "site")
    try:
        keys = load_keys(key_file)
        report = service.load_results_file(db, actor, keys, data, pushed_by=site)
    except SyncRefused as exc:
        db.rollback()  # nothing of the file stays; the refusal itself is recorded
        record(
            db,
            actor,
            "sync.push_refused",
            target_type="sync_site",
            target_id=site.id,
            target_label=site.name,
            code=exc.code,
            reason=exc.message_in("en"),
            problems=len(getattr(exc, "problems", [])),
            size=len(data),
        )
        return _refused(exc)
    return 200, {
        "site": report.site,
        "event": report.event_code,
        "sessions": report.sessions,
        "changed": report.changed,
        "added": dict(report.added),
        "updated": dict(report.updated),
        "complete": not report.running and not report.unfinished,
        "running": report.running,
        "unfinished_attempts": report.unfinished,
    }


def _refused(exc: SyncRefused) -> tuple[int, dict[str, Any]]:
    problems = list(getattr(exc, "problems", []))
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if problems:
        body |= {"problem_count": len(problems), "problems": problems[:MAX_PROBLEMS]}
    return exc.status, body
