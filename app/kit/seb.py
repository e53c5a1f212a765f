"""Safe Exam Browser's Config Key check (safeexambrowser.org, developer docs "Config Key").

SEB sends with every request it makes (pages, fetches, event streams) the header
`X-SafeExamBrowser-ConfigKeyHash`: the SHA-256, in hex, of the absolute URL it asked for
(without its fragment) followed by the Config Key of the .seb file it runs. The server
computes the same from the URL and each allowed key; the key itself never travels, and a
hash is good for one URL only.

The URL must be the one the browser asked for. Behind a reverse proxy the server sees
another (http instead of https, an inner host name): `PROASN_PUBLIC_BASE_URL` then gives the
scheme, host and any path prefix the browser used, as Moodle's quizaccess_seb takes its
`wwwroot`; the path and query are the request's own, as received (percent-encoding kept).

The request being checked reaches the delivery service, which knows the event, through a
context variable set for every taker request by the edge layer (`app/web/edge.py`), as the
page's language does: a call outside a web request presents nothing.
"""

import hashlib
import hmac
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote

from starlette.types import Scope

from app.config import get_settings

HEADER = b"x-safeexambrowser-configkeyhash"
# The paths whose requests are checked when the taker's event requires SEB.
TAKER_PATHS = ("/ujian", "/api/v1/taker")

taker_request: ContextVar[Scope | None] = ContextVar("taker_request", default=None)


def config_key_hash(url: str, config_key: str) -> str:
    """What SEB sends for `url`: SHA-256 hex of the URL (no fragment) + the Config Key."""
    return hashlib.sha256((url.split("#", 1)[0] + config_key).encode()).hexdigest()


def matches(url: str, presented: str | None, config_keys: Iterable[str]) -> bool:
    """Whether `presented` is the hash of `url` with one of the keys (constant-time: every
    key is compared, and each comparison takes the same time wherever they differ)."""
    if not presented:
        return False
    presented = presented.strip().lower()
    found = False
    for key in config_keys:
        found |= hmac.compare_digest(config_key_hash(url, key.lower()), presented)
    return found


def request_url(scope: Scope, public_base: str = "") -> str:
    """The absolute URL the browser asked for: the public base (else the request's scheme
    and Host), the raw path, and the query."""
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else quote(scope.get("path", "/"))
    if public_base:
        base = public_base.rstrip("/")
    else:
        base = f"{scope.get('scheme', 'http')}://{_host(scope)}"
    query = scope.get("query_string", b"")
    return base + path + (f"?{query.decode('latin-1')}" if query else "")


def _host(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            return str(value.decode("latin-1"))
    server = scope.get("server")
    if server is None:
        return "localhost"
    host, port = server
    default = {"http": 80, "https": 443}.get(scope.get("scheme", "http"))
    return host if port in (None, default) else f"{host}:{port}"


def _header(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == HEADER:
            return str(value.decode("latin-1"))
    return None


def current_request_allowed(config_keys: Iterable[str]) -> bool:
    """Whether the taker request being served carries a valid Config Key hash for one of
    `config_keys` (no request: nothing presented, refused)."""
    scope = taker_request.get()
    if scope is None:
        return False
    url = request_url(scope, get_settings().public_base_url)
    return matches(url, _header(scope), config_keys)


def allows(settings: dict[str, Any] | None) -> bool:
    """Whether an event's Safe Exam Browser settings (None: not required) let the taker
    request being served through. The ORM path refuses, the hot path steps aside, on this."""
    return not settings or current_request_allowed(settings["config_keys"])
