"""The PC readiness page (`/ujian/cek`): public, before any login, for the room's technician.

The page (static/js/check.js) measures the browser, the screen, the latency and the PC's
clock against `/ujian/cek/waktu`, and reports to `/ujian/cek/lapor` under the room token
(JSON: a cross-site form cannot send it, so no CSRF token is needed, as for the taker API).
"""

from typing import Annotated

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from app.kit import clock
from app.readiness import rules, service, views
from app.web import pages
from app.web.deps import DB
from app.web.pages import retry_after
from app.web.routing import DomainRouter

router = DomainRouter(prefix="/ujian/cek", include_in_schema=False)
SEB_HEADER = "x-safeexambrowser-requesthash"

Pixels = Annotated[int, Field(ge=0, le=100_000)]


class ReportIn(BaseModel):
    room_token: str = Field(max_length=40)
    pc_label: str = Field(max_length=100)
    local_storage: bool
    session_storage: bool
    fetch: bool
    event_source: bool
    service_worker: bool
    screen_width: Pixels
    screen_height: Pixels
    viewport_width: Pixels
    viewport_height: Pixels
    latencies_ms: list[Annotated[float, Field(ge=0, le=120_000)]] = Field(max_length=20)
    clock_offset_ms: Annotated[float, Field(ge=-1e11, le=1e11)] | None = None
    utc_offset_minutes: Annotated[int, Field(ge=-900, le=900)] | None = None
    time_zone: str | None = Field(default=None, max_length=64)

    def measurements(self) -> rules.Measurements:
        return rules.Measurements(
            local_storage=self.local_storage,
            session_storage=self.session_storage,
            fetch=self.fetch,
            event_source=self.event_source,
            service_worker=self.service_worker,
            screen=(self.screen_width, self.screen_height),
            viewport=(self.viewport_width, self.viewport_height),
            latencies_ms=tuple(self.latencies_ms),
            clock_offset_ms=self.clock_offset_ms,
            utc_offset_minutes=self.utc_offset_minutes,
            time_zone=self.time_zone,
        )


def _seb(request: Request) -> bool:
    return rules.is_seb(request.headers.get("user-agent"), request.headers.get(SEB_HEADER))


@router.get("", response_class=HTMLResponse)
def check_page(request: Request) -> Response:
    context = {
        "checks": views.check_rules(),
        "min_screen": rules.MIN_SCREEN,
        "max_latency_ms": rules.MAX_LATENCY_MS,
        "samples": rules.LATENCY_SAMPLES,
        "verdicts": views.VERDICTS,
        "yes_no": views.YES_NO,
    }
    return pages.render(request, "readiness/check.html", context, layout="layout_taker.html")


@router.get("/waktu")
async def server_time(request: Request) -> JSONResponse:
    """The server's time in UTC (the page times these requests and compares its clock) and
    whether this request came from Safe Exam Browser. No database: it measures the network."""
    return JSONResponse({"now": clock.now().isoformat(), "seb": _seb(request)})


@router.post("/lapor")
def report(body: ReportIn, request: Request, db: DB) -> JSONResponse:
    try:
        reported = service.report(
            db,
            body.room_token,
            body.pc_label,
            body.measurements(),
            _seb(request),
            request.headers.get("user-agent"),
            request.client.host if request.client else None,
        )
    except service.ReportRefused as exc:
        wait = getattr(exc, "retry_after", None)
        body_out = {"code": exc.code, "message": exc.message}
        return JSONResponse(body_out, status_code=exc.status, headers=retry_after(wait))
    return JSONResponse(views.report_reply(reported.check, reported.exam_session))
