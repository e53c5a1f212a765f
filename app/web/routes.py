"""Public pages: the landing page, the health check and the load benchmark's baseline.

They are the app's own routes (`add_to`), not an included router: a request is matched
against the app's routes before any included router, each of which costs a little to pass
(probes call the health check all day, and the bench's ping measures the fixed cost of a
request: bench/overhead.py)."""

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy import text

from app.i18n import pick_locale
from app.web.cookies import set_cookie
from app.web.deps import DB
from app.web.templating import layout_for, templates

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "home/index.html", {"layout": layout_for(request)})


@router.get("/healthz")
def healthz(db_session: DB) -> dict[str, str]:
    db_session.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get("/bench/ping", include_in_schema=False)
async def bench_ping() -> PlainTextResponse:
    """The load benchmark's baseline: the same app, middleware and workers as every other
    request, but no database and no thread pool, so a ratio to it measures our own work."""
    return PlainTextResponse("pong")


@router.get("/bahasa/{lang}")
def switch_language(lang: str, next: str = "/") -> RedirectResponse:
    """Switch the interface language (id / en); only local redirects are followed."""
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, "lang", pick_locale(lang), samesite="lax", max_age=365 * 24 * 3600)
    return response


def add_to(app: FastAPI) -> None:
    for route in router.routes:
        assert isinstance(route, APIRoute)
        app.add_api_route(
            route.path,
            route.endpoint,
            methods=list(route.methods or ()),
            response_class=route.response_class,
            include_in_schema=route.include_in_schema,
            name=route.name,
        )
