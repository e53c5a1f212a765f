"""Potency pulled from the scores export API (docs/exports.md) of this or another delivery
server, with an analyst's API token — the same rows and checks as an uploaded export file."""

import json
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from sqlalchemy.orm import Session

from app.audit.service import Actor
from app.kit.errors import Refusal
from app.talentbox import service
from app.talentbox.models import PotencyImport

EXPORT_PATH = "/api/v1/exports/scores"


class PullFailed(Refusal):
    """The other server failed (502), or what the analyst typed cannot be asked (422)."""

    status, code = 502, "export_api_failed"

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def export_url(base_url: str, event: str, run: int | None) -> str:
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PullFailed("alamat server ekspor harus http(s)://host[:port]", 422)
    query = {"event": event, "format": "ndjson"} | ({"run": str(run)} if run else {})
    return (
        f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}{EXPORT_PATH}?{urlencode(query)}"
    )


def pull_potency(
    db: Session,
    actor: Actor,
    base_url: str,
    api_token: str,
    event: str,
    run: int | None = None,
    timeout: float = 120,
) -> PotencyImport:
    """Fetch the scores export (NDJSON) of an event's run (default: its published run, else
    the latest) and import it all or nothing. The token is used, never stored."""
    url = export_url(base_url, event, run)
    request = Request(url, headers={"Authorization": f"Bearer {api_token.strip()}"})  # noqa: S310
    try:
        with urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            content = response.read()
    except HTTPError as exc:
        reason = {401: "token API tidak sah", 403: "token bukan milik analis"}.get(
            exc.code, _server_message(exc) or exc.reason
        )
        raise PullFailed(f"API ekspor menjawab {exc.code}: {reason}") from None
    except (URLError, TimeoutError, OSError) as exc:
        raise PullFailed(f"API ekspor tidak terjangkau: {getattr(exc, 'reason', exc)}") from None
    return service.import_potency(db, actor, "api-ekspor-skor.ndjson", content, label=f"API {url}")


def _server_message(error: HTTPError) -> str | None:
    """The server's own explanation (JSON `message` or `detail`), when it gave one."""
    try:
        body = json.loads(error.read(4096) or b"{}")
    except (ValueError, OSError):
        return None
    message = body.get("message") or body.get("detail") if isinstance(body, dict) else None
    return message if isinstance(message, str) else None
