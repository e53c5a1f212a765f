"""Picks the interface language per request: the `lang` cookie (id or en), Indonesian
otherwise. Pure ASGI so the choice is in the context of the route, even in worker threads."""

from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Receive, Scope, Send

from app.i18n import pick_locale
from app.web.templating import current_locale

COOKIE = "lang"


class LocaleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = current_locale.set(pick_locale(_cookie(scope, COOKIE)))
        try:
            await self.app(scope, receive, send)
        finally:
            current_locale.reset(token)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            jar.load(value.decode("latin-1"))
            if name in jar:
                return jar[name].value
    return None
