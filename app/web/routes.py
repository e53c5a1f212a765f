"""Public pages: the landing page and the health check."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text

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
