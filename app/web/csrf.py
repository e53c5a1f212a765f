"""CSRF protection for HTML forms: the double-submit cookie pattern.

A random token lives in a SameSite=Strict, HttpOnly cookie and in a hidden form field; a POST
is accepted only when both match. A cross-site page can neither read the cookie nor make the
browser send it. (JSON API calls need no token: a cross-site form cannot send JSON.)
"""

import hmac
import secrets

from fastapi import Form, Request, Response

from app.i18n import N_
from app.kit.errors import Refusal
from app.web.cookies import set_cookie
from app.web.inputs import InvalidField

COOKIE = "proasn_csrf"
FIELD = "csrf_token"


class CsrfRejected(Refusal):
    status, code = 403, "csrf_rejected"
    message_id = N_("The form has expired or is not valid; reload the page and try again.")


def csrf_token(request: Request) -> str:
    """The token for forms on this page (reused from the cookie, or new)."""
    existing = request.cookies.get(COOKIE)
    if existing:
        return existing
    token = getattr(request.state, "new_csrf_token", None) or secrets.token_urlsafe(24)
    request.state.new_csrf_token = token
    return token


def attach_csrf_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf_token", None)
    if token:
        set_cookie(response, COOKIE, token)


async def verify_csrf(request: Request, csrf_token: str = Form(default="")) -> None:
    """Dependency for every form POST (async: a comparison needs no worker thread). Besides
    the token, a browser's Origin (sent with every POST by current browsers) must be this
    server's own: a second check that does not depend on the cookie's SameSite handling."""
    if not same_origin(request):
        raise CsrfRejected()
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or not csrf_token or not hmac.compare_digest(cookie, csrf_token):
        raise CsrfRejected()
    # Every form passes here: a NUL in a field is never meant (it was stored as is on SQLite
    # and refused by PostgreSQL's text columns).
    for name, value in (await request.form()).multi_items():
        if isinstance(value, str) and "\x00" in value:
            raise InvalidField(name)


def same_origin(request: Request) -> bool:
    """True without an Origin header (older browsers, scripts: the token still decides) or
    when it names the host the request was sent to; "null" (a sandboxed or file page) is not."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    scheme, _, host = origin.partition("://")
    return bool(host) and host == request.headers.get("host") and scheme in ("http", "https")
