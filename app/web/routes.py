"""Public pages: the landing page and the health check."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.web.deps import get_db_session
from app.web.templating import layout_for, templates

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "home/index.html", {"layout": layout_for(request)})


@router.get("/healthz")
def healthz(db_session: Session = Depends(get_db_session)) -> dict[str, str]:
    db_session.execute(text("SELECT 1"))
    return {"status": "ok"}
