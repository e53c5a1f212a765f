"""The site's side of a push: the results file to the centre's `POST /api/v1/sync/results`
with the site token, over the standard library's HTTP client (no dependency added)."""

import json
import stat
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from app.i18n import N_
from app.sync.errors import SyncRefused
from app.sync.tokens import PREFIX

PATH = "/api/v1/sync/results"


def read_token(path: Path) -> str:
    """The site token from its file; refused when absent, readable by others or not a token."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        token = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        raise SyncRefused(N_("Cannot read the token file %(path)s."), path=str(path)) from None
    if mode & 0o077:
        raise SyncRefused(
            N_("The token file %(path)s is readable by others: chmod 600 it."), path=str(path)
        )
    if not token.startswith(PREFIX):
        raise SyncRefused(N_("The token file %(path)s holds no site token."), path=str(path))
    return token


def send(url: str, token: str, data: bytes, timeout: int) -> tuple[int, dict[str, Any]]:
    """(HTTP status, the centre's JSON answer); refused when the centre cannot be reached
    or does not answer as a ProASN centre."""
    if not url.startswith(("http://", "https://")):
        raise SyncRefused(N_("The centre's address must start with http:// or https://."))
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url.rstrip("/") + PATH,
        data=data,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/octet-stream",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, _json(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read())
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SyncRefused(
            N_("The centre at %(url)s cannot be reached: %(reason)s"), url=url, reason=str(reason)
        ) from None


def _json(body: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return {"message": body[:200].decode("utf-8", "replace")}
    return answer
