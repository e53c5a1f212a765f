"""One-time messages after a form's redirect (post/redirect/get).

The outcome of an action ("akun dibuat", why it was refused) rides to the next page in a
short-lived cookie that `pages.render` shows once and clears: a reload does not repeat it, and
nobody can put words on a staff page through a link (the former `?pesan=` query did both).
"""

from urllib.parse import quote, unquote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from app.config import get_settings

COOKIE = "proasn_flash"
ERROR = "!"  # a message that reports a refusal starts with this in the cookie


def redirect_with(url: str, message: str, error: bool = False) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        COOKIE,
        quote((ERROR if error else "") + message[:500]),
        max_age=120,
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
        path="/",
    )
    return response


def waiting(request: Request) -> tuple[str | None, bool]:
    """The message waiting for this page (and whether it reports an error); htmx fragments
    (the board's polling) leave it for the page."""
    raw = request.cookies.get(COOKIE)
    if not raw or request.headers.get("HX-Request"):
        return None, False
    text = unquote(raw)
    return text.removeprefix(ERROR), text.startswith(ERROR)


def clear(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")
