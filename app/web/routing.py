"""Routers that a request outside their prefix passes over at once.

FastAPI matches a request against every route of every included router in turn, each with
some bookkeeping: with ~150 routes, finding one of the last ones is most of a trivial
request's time (figures: bench/README.md, "Figures behind the code"). A domain's router
holds one path prefix, so a path outside it cannot match.
"""

from typing import Any

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope


class DomainRouter(APIRouter):
    """An APIRouter whose routes all start with its prefix, or with one of `prefixes` (and
    `exact`: paths it serves as they are, e.g. "/")."""

    def __init__(
        self,
        *args: Any,
        prefixes: tuple[str, ...] = (),
        exact: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.gates = tuple(p.rstrip("/") for p in (prefixes or (self.prefix,)) if p)
        self.exact = exact

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = _route_path(scope)
        if path not in self.exact and not _under(path, self.gates):
            return Match.NONE, {}
        return super().matches(scope)


def _route_path(scope: Scope) -> str:
    """The path routes see: without the root path a proxy may mount the app under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)
