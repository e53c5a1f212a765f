"""Static files under URLs that change with their content (`static_url`), so browsers keep
them: an exam PC loads the page's CSS and scripts once, not on every page (old PCs, a shared
LAN, and hundreds of pages opened in the same minute)."""

import hashlib
from functools import cache

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.web.templating import STATIC_DIR

# A versioned URL's content never changes: a new file is a new URL.
KEEP = "public, max-age=31536000, immutable"


@cache
def static_url(path: str) -> str:
    """`/static/<path>?v=<first 12 hex of its SHA-256>` (read once per worker)."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


class VersionedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304) and b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = KEEP
        return response
