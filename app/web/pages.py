"""Rendering a page: CSRF token, layout (full page or htmx fragment), redirects."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.i18n import N_
from app.web import flash
from app.web.csrf import attach_csrf_cookie, csrf_token
from app.web.htmx import is_htmx
from app.web.templating import templates, translate


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    layout: str = "layout.html",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    fragment = is_htmx(request)
    # Only the staff layout shows a waiting message: other pages leave it for the next one.
    message, is_error = flash.waiting(request) if layout == "layout.html" else (None, False)
    full = {
        "layout": "layout_fragment.html" if fragment else layout,
        "csrf_token": csrf_token(request),
        "staff": getattr(request.state, "staff", None),
        "flash_message": message,  # shown by the layout, whatever the page
        "flash_error": is_error,
        **context,
    }
    response = templates.TemplateResponse(
        request, name, full, status_code=status_code, headers=headers
    )
    attach_csrf_cookie(request, response)
    if message is not None:
        flash.clear(response)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def retry_after(seconds: int | None) -> dict[str, str] | None:
    """The Retry-After header of a refusal that asks the client to wait."""
    return {"Retry-After": str(seconds)} if seconds else None


def with_wait(message: str, seconds: int | None) -> str:
    """A refusal's message, with how long to wait when it asks for that (the 429 pages)."""
    if not seconds:
        return message
    return f"{message} " + translate(WAIT) % {"seconds": seconds}


WAIT = N_("Try again in %(seconds)s seconds.")
