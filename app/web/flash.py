"""One-time messages after a form's redirect (post/redirect/get).

The outcome of an action ("akun dibuat", why it was refused) rides to the next page in a
short-lived cookie that `pages.render` shows once and clears: a reload does not repeat it, and
nobody can put words on a staff page through a link (the former `?pesan=` query did both).
"""

from urllib.parse import quote, unquote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from app.web.cookies import clear_cookie, set_cookie
from app.web.htmx import is_htmx

COOKIE = "proasn_flash"
ERROR = "!"  # a message that reports a refusal starts with this in the cookie


def redirect_with(url: str, message: str, error: bool = False) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    set_cookie(
        response,
        COOKIE,
        quote((ERROR if error else "") + message[:500]),
        samesite="lax",
        max_age=120,
    )
    return response


def waiting(request: Request) -> tuple[str | None, bool]:
    """The message waiting for this page (and whether it reports an error); htmx fragments
    (the board's polling) leave it for the page."""
    raw = request.cookies.get(COOKIE)
    if not raw or is_htmx(request):
        return None, False
    text = unquote(raw)
    return text.removeprefix(ERROR), text.startswith(ERROR)


def clear(response: Response) -> None:
    clear_cookie(response, COOKIE)
