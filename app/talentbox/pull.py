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
from app.web.templating import N_, translate

EXPORT_PATH = "/api/v1/exports/scores"


class PullFailed(Refusal):
    """The other server failed (502), or what the analyst typed cannot be asked (422)."""

    status, code = 502, "export_api_failed"

    def __init__(self, message_id: str, /, status: int = 502, **params: object) -> None:
        super().__init__(message_id, **params)
        self.status = status


ANSWERED = N_("The export API answered %(code)s: %(reason)s")


def export_url(base_url: str, event: str, run: int | None) -> str:
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PullFailed(N_("The export server's address must be http(s)://host[:port]"), 422)
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
        known = {401: N_("API token not valid"), 403: N_("The token is not an analyst's")}
        reason = translate(known[exc.code]) if exc.code in known else None
        reason = reason or _server_message(exc) or exc.reason
        raise PullFailed(ANSWERED, status=502, code=exc.code, reason=reason) from None
    except (URLError, TimeoutError, OSError) as exc:
        why = getattr(exc, "reason", exc)
        raise PullFailed(N_("The export API cannot be reached: %(why)s"), why=why) from None
    return service.import_potency(db, actor, "api-ekspor-skor.ndjson", content, label=f"API {url}")


def _server_message(error: HTTPError) -> str | None:
    """The server's own explanation (JSON `message` or `detail`), when it gave one."""
    try:
        body = json.loads(error.read(4096) or b"{}")
    except (ValueError, OSError):
        return None
    message = body.get("message") or body.get("detail") if isinstance(body, dict) else None
    return message if isinstance(message, str) else None
