"""Static files under URLs that change with their content (`static_url`), so browsers keep
them: an exam PC loads the page's CSS and scripts once, not on every page (old PCs, a shared
LAN, and hundreds of pages opened in the same minute).

A worker serves each file from memory after its first request: Starlette looks a file up and
reads it in the worker's threads, the same threads the database work waits for, so in a
room's "Mulai tes" minute a 20-KB script queued for seconds behind the room's test pages.
The files are a few hundred KB in all and do not change while a worker runs (`static_url`
is read once per worker too)."""

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import anyio
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from app.web.templating import STATIC_DIR

# A versioned URL's content never changes: a new file is a new URL.
KEEP = "public, max-age=31536000, immutable"


@cache
def static_url(path: str) -> str:
    """`/static/<path>?v=<first 12 hex of its SHA-256>` (read once per worker)."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


@dataclass(frozen=True)
class _Kept:
    """A file as its first response served it: the body, and the headers that describe it
    (type, length, ETag, Last-Modified)."""

    body: bytes
    headers: dict[str, str]

    @classmethod
    def read(cls, response: FileResponse) -> "_Kept":
        return cls(Path(response.path).read_bytes(), dict(response.headers))


class VersionedStaticFiles(StaticFiles):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory)
        self._kept: dict[str, _Kept] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        kept = self._kept.get(path) if scope["method"] in ("GET", "HEAD") else None
        if kept is None:  # the first time (or a refusal): looked up and checked by Starlette
            response = await super().get_response(path, scope)
            if isinstance(response, FileResponse) and response.status_code == 200:
                self._kept[path] = await anyio.to_thread.run_sync(_Kept.read, response)
        elif self.is_not_modified(Headers(kept.headers), Headers(scope=scope)):
            response = NotModifiedResponse(Headers(kept.headers))
        else:
            response = Response(kept.body, headers=kept.headers)
        if response.status_code in (200, 304) and b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = KEEP
        return response
