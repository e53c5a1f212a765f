"""`GET /api/v1/exports/scores`: analysts only, by staff login or API token (Bearer)."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Cookie, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from app.accounts import api_tokens, service
from app.accounts.deps import Forbidden, NotAuthenticated
from app.audit.service import Actor
from app.exports.service import ExportFilter, ScoresExport, prepare_export
from app.kit import streaming as writers
from app.web.deps import DB
from app.web.routing import DomainRouter

router = DomainRouter(prefix="/api/v1/exports", tags=["exports"])
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def analyst(
    db: DB,
    authorization: Annotated[str | None, Header()] = None,
    proasn_staff: Annotated[str | None, Cookie()] = None,
) -> Actor:
    """An analyst by API token (`Authorization: Bearer pat_…`) or by staff login."""
    if authorization and authorization.lower().startswith("bearer "):
        user = api_tokens.user_for_token(db, authorization[7:].strip())
    else:
        staff = service.authenticate(db, proasn_staff)
        user = staff.user if staff else None
    if user is None:
        raise NotAuthenticated()
    if user.role != "analyst":
        raise Forbidden()
    return service.actor_of(user)


@router.get("/scores")
def export_scores(
    request: Request,
    db: DB,
    actor: Annotated[Actor, Depends(analyst)],
    event: str,
    format: Annotated[str, Query(pattern="^(csv|xlsx|ndjson)$")] = "csv",
    run: int | None = None,
    session: str | None = None,
    agency: str | None = None,
    eselon: str | None = None,
) -> StreamingResponse:
    """The scores of a scoring run (default: the published one, else the latest), one row per
    participant, in the documented schema (docs/exports.md). Streamed."""
    export = prepare_export(db, actor, ExportFilter(event, run, session, agency, eselon), format)
    db.commit()  # the audit entry stands even if the client stops reading
    name = f"skor-{export.event.code}-run{export.run.number}.{format}"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Scoring-Run": str(export.run.id),
        "X-Export-Rows": str(export.count),
    }
    body: Iterator[bytes] | Iterator[str]
    if format == "xlsx":
        body = writers.file_chunks(writers.xlsx_file(export.header, export.rows(db)))
    else:
        body = _streamed(request.app.state.sessionmaker, export, format)
    return StreamingResponse(body, media_type=MEDIA[format], headers=headers)


def _streamed(factory: sessionmaker[Session], export: ScoresExport, fmt: str) -> Iterator[str]:
    """Rows are read while the response is sent, in a database session of their own (the
    request's ends when the route returns)."""
    with factory() as db_session:
        rows = export.rows(db_session)
        if fmt == "csv":
            yield from writers.csv_chunks(export.header, rows)
        else:
            yield from writers.ndjson_chunks(rows)
