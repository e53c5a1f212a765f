"""Caps the staff pages' concurrency per worker.

Routes on the `DB` dependency keep their database connection between thread hops (session,
authentication, route, commit). When as many of them run at once as the pool has connections,
each waits for a thread while the threads wait for their connections: a deadlock until the
pool times out (the load bench hit it with 50 boards opening at once). Taker API calls hold a
connection only inside one thread (`in_transaction`), so capping the others below the pool's
maximum keeps connections free for requests that always give them back.
"""

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

UNCAPPED = ("/api/v1/taker/", "/static/", "/bench/ping", "/healthz")
MAX_CONCURRENT = 16  # below the 40 connections a worker may open (app/db.py WEB_THREADS)


class StaffConcurrencyLimit:
    def __init__(self, app: ASGIApp, limit: int = MAX_CONCURRENT) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNCAPPED):
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # created on the worker's own event loop
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)
