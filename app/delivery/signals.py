"""What wakes an open test page at once: a proctor's action on its attempt (pause, resume,
extra time, end) or a message to its room, pushed as a server-sent event.

Without it a page heard of a pause only from its next heartbeat (15 s of quiet) or a refused
save: the taker kept answering against a clock the server had stopped. The event carries no
state: it asks the page to send a heartbeat, whose reply (authenticated, the one source of the
clock, the status and the message) the page already acts on.

One watcher per worker process reads what changed twice a second (two indexed range reads,
`repository.page_signals_since`) while any page listens, whatever the number of pages, and
wakes the pages concerned; an open stream costs nothing between events but a keep-alive
comment. Streams end after `STREAM_SECONDS` and the browser reconnects (the login is checked
again then). Any worker may hold any page's stream: each reads the database itself.
"""

import asyncio
import logging
import random
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.delivery import repository
from app.kit import clock

logger = logging.getLogger(__name__)

PERIOD = 0.5  # seconds between the watcher's reads: a page hears of an action within ~1 s
KEEP_ALIVE = 20.0  # a comment this often keeps proxies and dead-peer detection honest
STREAM_SECONDS = 600.0  # then the browser reconnects (EventSource does), logged in or not
# Each stream's lifetime is drawn within ±STREAM_SPREAD of STREAM_SECONDS: a room's pages
# open their streams in the same seconds, and with one fixed lifetime all of them reconnect
# (each a login check) in the same seconds every ten minutes, a stall for every request of
# the worker (bench/README.md, "Steady 2,000 with the signal streams").
STREAM_SPREAD = 0.25
RETRY_MS = 2000  # the browser's wait before reconnecting
# A change is stamped at its flush and seen once committed: read a little behind the last
# read, and wake nobody twice for the same change.
OVERLAP = timedelta(seconds=5)

Key = tuple[str, uuid.UUID]  # ("attempt", attempt id) or ("room", exam session id)


class Signals:
    """The worker's listening pages and the one watcher that wakes them."""

    def __init__(
        self, factory: Callable[[], AbstractContextManager[Session]], period: float = PERIOD
    ) -> None:
        self._factory = factory
        self._period = period
        self._listeners: dict[Key, set[asyncio.Queue[None]]] = {}
        self._pages = 0
        self.rounds = 0  # reads done (tests wait for one instead of a fixed time)
        self._since: datetime | None = None
        self._told: set[tuple[str, uuid.UUID, datetime]] = set()
        self._watcher: asyncio.Task[None] | None = None

    @property
    def pages(self) -> int:
        return self._pages

    @asynccontextmanager
    async def listen(
        self, session_id: uuid.UUID, attempt_id: uuid.UUID
    ) -> AsyncIterator[asyncio.Queue[None]]:
        """A queue that gets an entry whenever the page should ask for its state."""
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)  # one wake-up pending is enough
        keys = [("attempt", attempt_id), ("room", session_id)]
        for key in keys:
            self._listeners.setdefault(key, set()).add(queue)
        self._pages += 1
        if self._watcher is None:
            self._since = clock.now()
            self._watcher = asyncio.create_task(self._watch())
        try:
            yield queue
        finally:
            self._pages -= 1
            for key in keys:
                queues = self._listeners.get(key)
                if queues is not None:
                    queues.discard(queue)
                    if not queues:
                        del self._listeners[key]

    async def _watch(self) -> None:
        try:
            while self._pages:
                await asyncio.sleep(self._period)
                try:
                    changed = await run_in_threadpool(self._read)
                except Exception:  # a database hiccup: the heartbeats still carry it all
                    logger.exception("page signals: read failed")
                    continue
                for key in changed:
                    for queue in self._listeners.get(key, ()):
                        if queue.empty():
                            queue.put_nowait(None)
                self.rounds += 1
        finally:
            self._watcher = None

    def _read(self) -> set[Key]:
        now = clock.now()
        since = (self._since or now) - OVERLAP
        # Ended by a commit: a session closed with its transaction open rolls the connection
        # back, and psycopg then drops every statement that connection had prepared
        # (DEALLOCATE ALL). Twice a second that left the pool's connections parsing and
        # planning the requests' statements again (bench/README.md, "Steady 2,000 with the
        # signal streams").
        with self._factory() as db:
            rows = repository.page_signals_since(db, since)
            db.commit()
        self._since = now
        fresh = {row for row in rows if row not in self._told}
        self._told = set(rows)  # the next read's window starts after anything older
        return {(kind, key) for kind, key, _ in fresh}

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()


def missed(changed_at: datetime | None, page_read_at: float | None) -> bool:
    """Whether a proctor acted on the attempt or wrote to the room after the page read its
    state (`page_read_at`: epoch seconds) and before its stream opened: the page opens it
    some seconds after it loads, and a reconnecting stream was away. A change stamped up to
    `OVERLAP` earlier counts too (it may have committed after the page's read): one
    heartbeat too many costs nothing, a missed pause costs the taker the clock."""
    if changed_at is None or page_read_at is None:
        return False
    return changed_at > datetime.fromtimestamp(page_read_at, UTC) - OVERLAP


def lifetime(draw: Callable[[float, float], float] = random.uniform) -> float:
    """How long one stream stays open before the browser reconnects (drawn per stream)."""
    return draw(STREAM_SECONDS * (1 - STREAM_SPREAD), STREAM_SECONDS * (1 + STREAM_SPREAD))


async def stream(
    signals: Signals,
    session_id: uuid.UUID,
    attempt_id: uuid.UUID,
    seconds: float | None = None,
    wake_first: bool = False,
) -> AsyncIterator[bytes]:
    """The page's event stream: `change` when it should send a heartbeat now (at once
    when `wake_first`: something happened before the stream opened). It ends after
    `seconds`, by default a drawn `lifetime()`."""
    loop = asyncio.get_running_loop()
    end = loop.time() + (lifetime() if seconds is None else seconds)
    yield f"retry: {RETRY_MS}\n\n".encode()
    if wake_first:
        yield b"event: change\ndata:\n\n"
    async with signals.listen(session_id, attempt_id) as queue:
        while (left := end - loop.time()) > 0:
            try:
                await asyncio.wait_for(queue.get(), timeout=min(KEEP_ALIVE, left))
            except TimeoutError:
                yield b":\n\n"
                continue
            yield b"event: change\ndata:\n\n"
