"""What every request passes on its way in and out, in one pure-ASGI middleware: the
interface language, the body size limit, the staff pages' concurrency cap, and the security
headers.

One layer, not three, with the headers built once: the three middlewares (each a coroutine
frame, the cookie parsed with `SimpleCookie`, the headers merged through `MutableHeaders`)
were a measurable share of a trivial request (bench/overhead.py).

- **Language**: the `lang` cookie (id or en), Indonesian otherwise, set in a context variable
  that routes and templates read, even in worker threads. A taker request is kept in another
  (`app/kit/seb.py`), for the Safe Exam Browser check of events that require it.
- **Body size**: a body over the limit is refused with 413 before anything parses it: parsed,
  it would cost memory in proportion to its size, before anyone is authenticated.
  With Content-Length the request is refused unread; a chunked body is counted as it is read
  and refused at the limit. The upload forms and a site's pushed results file have their
  own, larger limits.
- **Staff cap**: routes on the `DB` dependency keep their database connection between thread
  hops (session, authentication, route, commit). When as many of them run at once as the
  pool has connections, each waits for a thread while the threads wait for their
  connections: a deadlock until the pool times out (the load bench hit it with 50 boards
  opening at once). The taker's calls hold a connection only inside one thread
  (`in_transaction`), so capping the others below the pool keeps connections free for
  requests that always give them back.
- **Security headers**: the Content-Security-Policy allows no inline script and no eval
  (htmx is configured through a meta tag); a route's own header of the same name wins (the
  SVG figures of the API send a stricter policy). `Cache-Control: no-store` unless the route
  says otherwise (versioned static files): staff pages, results and test items must not stay
  in a shared exam-room or office PC's cache. HSTS when cookies are HTTPS-only.
"""

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import pick_locale
from app.kit import seb
from app.web.templating import current_locale

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    ("cache-control", "no-store"),
)
HSTS = ("strict-transport-security", "max-age=31536000")
_RAW_HEADERS = [(name.encode(), value.encode()) for name, value in HEADERS]
_NAMES = {name for name, _ in _RAW_HEADERS} | {HSTS[0].encode()}

# The forms that upload files (talent box: potency, performance, profile records), and the
# centre's door for a site's results file; every other body is a JSON call or a small form.
UPLOADS = ("/talenta/potensi", "/talenta/kinerja", "/talenta/profil")
SYNC_UPLOADS = ("/api/v1/sync/",)
# Before anything parses the request, in the language of its `lang` cookie.
TOO_LARGE = {
    "id": b'{"code":"body_too_large","message":"Isi permintaan terlalu besar."}',
    "en": b'{"code":"body_too_large","message":"The request body is too large."}',
}


def too_large(locale: str) -> bytes:
    return TOO_LARGE.get(locale, TOO_LARGE["id"])


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body without Content-Length passes the limit; an
    HTTPException so that FastAPI's body parsing lets it through as it is."""

    def __init__(self) -> None:
        super().__init__(413, "body_too_large")


async def refuse_too_large(send: Send, locale: str) -> None:
    body = too_large(locale)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *_RAW_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# Requests that never hold a database connection across thread hops.
UNCAPPED = ("/api/v1/taker/", "/ujian/paket-soal", "/static/", "/bench/ping", "/healthz")


def staff_cap(threads: int) -> int:
    """Staff pages at once per worker: half its request threads (so always fewer than the
    connections a worker may open: one per thread)."""
    return max(1, threads // 2)


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        staff_limit: int,
        body_limit: int,
        upload_limit: int,
        hsts: bool = False,
        sync_limit: int | None = None,
    ) -> None:
        self.app = app
        self.staff_limit = staff_limit
        self.body_limit, self.upload_limit = body_limit, upload_limit
        self.sync_limit = sync_limit if sync_limit is not None else upload_limit
        self.headers = _RAW_HEADERS + ([(HSTS[0].encode(), HSTS[1].encode())] if hsts else [])
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.body_limit
        if scope["path"].startswith(UPLOADS):
            limit = self.upload_limit
        elif scope["path"].startswith(SYNC_UPLOADS):
            limit = self.sync_limit
        length = content_length(scope)
        lang = lang_cookie(scope)
        if length is not None and length > limit:
            await refuse_too_large(send, pick_locale(lang) if lang else "id")
            return
        if length is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            receive = counted(receive, limit)

        ours = self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                if any(name.lower() in _NAMES for name, _ in headers):
                    present = {name.lower() for name, _ in headers}
                    headers.extend(h for h in ours if h[0] not in present)
                else:
                    headers.extend(ours)
            await send(message)

        token = current_locale.set(pick_locale(lang)) if lang else None
        taker = seb.taker_request.set(scope) if scope["path"].startswith(seb.TAKER_PATHS) else None
        try:
            if scope["path"].startswith(UNCAPPED):
                await self.app(scope, receive, send_with_headers)
                return
            if self._slots is None:  # created on the worker's own event loop
                self._slots = asyncio.Semaphore(self.staff_limit)
            async with self._slots:
                await self.app(scope, receive, send_with_headers)
        finally:
            if token is not None:
                current_locale.reset(token)
            if taker is not None:
                seb.taker_request.reset(taker)


def lang_cookie(scope: Scope) -> str | None:
    """The `lang` cookie's value, if sent (only `id` and `en` mean anything)."""
    for key, value in scope.get("headers", ()):
        if key == b"cookie" and b"lang=" in value:
            cookies: str = value.decode("latin-1")
            for part in cookies.split(";"):
                name, _, found = part.strip().partition("=")
                if name == "lang":
                    return found.strip('"')
    return None


def content_length(scope: Scope) -> int | None:
    """The declared body length; an unreadable one counts as too long."""
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            return int(value) if value.isdigit() else 1 << 62
    return None


def counted(receive: Receive, limit: int) -> Receive:
    """`receive` for a body of unknown length: BodyTooLarge once it passes `limit`."""
    seen = 0

    async def receive_counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge()
        return message

    return receive_counted
