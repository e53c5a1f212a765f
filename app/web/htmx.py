"""The one place that reads what htmx says about a request (its `HX-Request` header)."""

from fastapi import Request


def is_htmx(request: Request) -> bool:
    """A request htmx made (a fragment swap, the board's polling): it is answered without the
    page's frame, and leaves a waiting one-time message for the next full page."""
    return bool(request.headers.get("HX-Request"))
