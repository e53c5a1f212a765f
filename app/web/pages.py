"""Rendering a page: CSRF token, layout (full page or htmx fragment), redirects."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.web.csrf import attach_csrf_cookie, csrf_token
from app.web.templating import templates


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    layout: str = "layout.html",
) -> HTMLResponse:
    fragment = bool(request.headers.get("HX-Request"))
    full = {
        "layout": "layout_fragment.html" if fragment else layout,
        "csrf_token": csrf_token(request),
        "staff": getattr(request.state, "staff", None),
        **context,
    }
    response = templates.TemplateResponse(request, name, full, status_code=status_code)
    attach_csrf_cookie(request, response)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
