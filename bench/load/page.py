"""A taker at an exam-room browser: the requests the exam pages and taker.js send, and no other.

The login flow through the HTML forms (login page, its static files and service worker,
confirmation, instructions, a practice item, start), the test page once (it carries its first
batch of items), then what taker.js sends while the taker works: the item batches of
app/delivery/prefetch.py's policy (the same function the page implements), a save of each
answer (`shown` when the page shows that item) and a heartbeat after a quiet interval, and the
page's signal stream (server-sent events, open while the test page is; each `change` brings a
heartbeat). Moving between kept items sends nothing, as in the page.
tests/browser/test_page_requests.py fails when a real Chromium page sends other requests than
this client for the same actions.
"""

import asyncio
import json
import random
import re
import time
from dataclasses import dataclass, field
from html import unescape as html_unescape
from http.cookies import SimpleCookie
from typing import Any

import aiohttp

from app.delivery.prefetch import Prefetch, batches_for
from bench.load.clients import QUIET_SLACK, Http, Recorder, Refused

API = "/api/v1/taker"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
STATIC = re.compile(r'(?:src|href)="(/static/[^"]+)"')
# The service worker taker.js registers on the first page (kept by the browser as a static file).
SERVICE_WORKER = re.compile(r'name="proasn-service-worker" content="([^"]+)"')
ARTICLE = re.compile(r'<article id="item"[^>]*data-position="(\d+)"')
KEPT_ITEMS = '<template id="kept-items">'  # the test page's first batch (prefetch.page_batch)
OPTION = re.compile(r'<input type="radio" name="answer-\d+" value="([^"]+)"')
REFUSALS = ("attempt_submitted", "deadline_passed")


def _data(html: str, name: str) -> str:
    match = re.search(rf'data-{name}="([^"]*)"', html)
    if match is None:
        raise ValueError(f"the test page has no data-{name}")
    return match.group(1)


def items_of(html: str) -> dict[int, list[str]]:
    """The option ids of every item in a page or batch, by position (the page's order)."""
    found: dict[int, list[str]] = {}
    starts = [(m.start(), int(m.group(1))) for m in ARTICLE.finditer(html)]
    for n, (start, position) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(html)
        found[position] = OPTION.findall(html, start, end)
    return found


@dataclass
class PageTaker:
    """One participant at one PC (its own cookies and its own browser cache)."""

    nip: str
    room_token: str
    cookies: dict[str, str] = field(default_factory=dict)
    static: set[str] = field(default_factory=set)  # what this PC's browser keeps
    first: int = 1
    last: int = 0
    total_items: int = 0
    position: int = 1
    seq: int = 0
    heartbeat_seconds: float = 15.0
    policy: Prefetch = field(default_factory=Prefetch)
    options: dict[int, list[str]] = field(default_factory=dict)  # the items the page keeps
    requested: set[int] = field(default_factory=set)
    finished: bool = False
    started_after: float | None = None  # from the synchronised instant to the item page
    batch_after: float | None = None  # ... to the page's first batch (the page carries it)
    last_contact: float = 0.0  # monotonic time of the last save or heartbeat answered
    time_up_at: float = float("inf")  # monotonic: the page's countdown reaches zero
    grace: float = 3.0  # the server's answer grace (the page waits it + 1.5 s at zero)
    left: bool = False  # the page has gone to the finished page
    signals: "asyncio.Task[None] | None" = None  # taker.js's EventSource
    signals_open: int = 0  # streams opened (the first, then reconnections)
    signals_url: str = API + "/signals"  # the page's data-signals (stamped per page load)
    pending: "list[asyncio.Task[Any]]" = field(default_factory=list)  # the service worker
    signals_later: "asyncio.Task[None] | None" = None  # waiting for the page's signal delay

    # --- plumbing ---------------------------------------------------------------------

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep_cookies(self, response: aiohttp.ClientResponse) -> None:
        for header in response.headers.getall("Set-Cookie", []):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value or morsel.value == '""':
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    async def _call(
        self,
        http: Http,
        rec: Recorder,
        step: str,
        method: str,
        path: str,
        expect: tuple[int, ...] = (200,),
        **kwargs: Any,
    ) -> tuple[int, str, aiohttp.ClientResponse] | None:
        result = await http.call(rec, step, method, path, self.cookie, expect, REFUSALS, **kwargs)
        if result is None:
            return None
        self._keep_cookies(result[2])
        return result[0], result[1].decode(errors="replace"), result[2]

    async def _page(
        self, http: Http, rec: Recorder, step: str, path: str, **kwargs: Any
    ) -> str | None:
        """A page, its redirects followed, and the static files this browser lacks."""
        method = kwargs.pop("method", "GET")
        while True:
            result = await self._call(http, rec, step, method, path, (200, 303), **kwargs)
            if result is None:
                return None
            status, body, response = result
            if status != 303:
                break
            path, method, kwargs = response.headers["Location"], "GET", {}
            step = _step_of(path)
        wanted = [url for url in STATIC.findall(body) if url not in self.static]
        workers = [url for url in SERVICE_WORKER.findall(body) if url not in self.static]
        self.static.update(wanted + workers)
        # The service worker is registered by the page's script as the page loads: nothing
        # waits for it (arrive() collects it after the page's first prefetch).
        self.pending += [
            asyncio.create_task(self._call(http, rec, "static", "GET", url)) for url in workers
        ]
        await asyncio.gather(*(self._call(http, rec, "static", "GET", url) for url in wanted))
        return body

    # --- before the test --------------------------------------------------------------

    async def log_in(self, http: Http, rec: Recorder) -> bool:
        """Login page, login form (to the confirmation), instructions, one practice item."""
        page = await self._page(http, rec, "login page", "/ujian")
        if page is None:
            return False
        form = {"nip": self.nip, "token": self.room_token, "csrf_token": _csrf(page)}
        confirm = await self._page(http, rec, "login", "/ujian/masuk", method="POST", data=form)
        if confirm is None or "proasn_taker" not in self.cookies:
            rec.error("login", "no taker cookie", (confirm or "")[:300])
            return False
        if await self._page(http, rec, "instructions", "/ujian/petunjuk") is None:
            return False
        return await self._page(http, rec, "practice", "/ujian/latihan/1") is not None

    async def start(self, http: Http, rec: Recorder) -> bool:
        """ "Mulai tes": the test page (item 1), which carries the page's first batch."""
        form = {"csrf_token": self.cookies.get("proasn_csrf", "")}
        page = await self._page(http, rec, "start", "/ujian/mulai", method="POST", data=form)
        if page is None:
            return False
        self._read_page(page)
        if self.policy.signal_delay:  # taker.js opens it this long after the page loaded
            self.signals_later = asyncio.create_task(self._listen_later(http, rec))
        else:
            await self.listen(http, rec)
        return True

    async def streams_opened(self) -> None:
        """Returns once the page's signal stream is open (or will not open: the page is gone)."""
        waiting = self.signals_later
        if waiting is not None and not waiting.done():
            await asyncio.wait({waiting})  # (a page that left cancelled it: nothing to raise)

    async def _listen_later(self, http: Http, rec: Recorder) -> None:
        await asyncio.sleep(self.policy.signal_delay)
        if not self.left:
            await self.listen(http, rec)

    async def listen(self, http: Http, rec: Recorder) -> None:
        """taker.js's EventSource on the test page: open (returns once the server answered),
        a heartbeat on each `change`, reconnected after the server's `retry` when it ends."""
        if self.signals is not None:
            return
        opened = asyncio.Event()
        self.signals = asyncio.create_task(self._signals(http, rec, opened))
        await opened.wait()

    async def _signals(self, http: Http, rec: Recorder, opened: asyncio.Event) -> None:
        retry = 2.0
        while not self.left:
            # A reconnection, and the heartbeats its changes bring, count in the phase running
            # when it happens (the first opening in the phase that loaded the page).
            rec = Recorder.running or rec
            began = time.perf_counter()
            headers = {"Cookie": self.cookie, "Accept": "text/event-stream"}
            endless = aiohttp.ClientTimeout(total=None, sock_read=None)
            try:
                async with http.session.get(
                    http.base + self.signals_url, headers=headers, timeout=endless
                ) as response:
                    rec.add("signals", (time.perf_counter() - began) * 1000)
                    self.signals_open += 1
                    opened.set()
                    if response.status != 200:  # 204: no test runs; EventSource stops
                        if response.status != 204:
                            rec.error("signals", f"HTTP {response.status}")
                        return
                    async for line in response.content:
                        if line.startswith(b"retry:"):
                            retry = int(line.split(b":")[1]) / 1000
                        elif line.startswith(b"event: change"):
                            await self.heartbeat(http, Recorder.running or rec)
                        if self.left:
                            return
            except (aiohttp.ClientError, TimeoutError) as exc:
                opened.set()
                if not self.left:
                    rec.error("signals", type(exc).__name__, str(exc))
            await asyncio.sleep(retry)

    def close_signals(self) -> None:
        """The page is gone: its stream closes (or never opens)."""
        if self.signals_later is not None and self.signals_later is not asyncio.current_task():
            self.signals_later.cancel()
        self.signals_later = None
        if self.signals is not None and self.signals is not asyncio.current_task():
            self.signals.cancel()  # (its own heartbeat's leaving ends it by returning)
        self.signals = None

    def _read_page(self, html: str) -> None:
        self.first, self.last = int(_data(html, "first")), int(_data(html, "last"))
        self.total_items = int(_data(html, "total"))
        self.seq = max(self.seq, int(_data(html, "seq-base")))
        self.heartbeat_seconds = float(_data(html, "heartbeat"))
        self.grace = float(_data(html, "grace"))
        self.policy = Prefetch(
            int(_data(html, "batch")),
            int(_data(html, "refill")),
            float(_data(html, "signal-delay")),
        )
        self.signals_url = html_unescape(_data(html, "signals"))
        # The item shown, then the first batch the page carries (taker.js keeps both: the
        # page's first prefetch then finds nothing missing).
        shown, _, carried = html.partition(KEPT_ITEMS)
        self.options = items_of(shown)
        self.position = next(iter(self.options))
        for position, options in items_of(carried).items():
            self.options.setdefault(position, options)
        self.last_contact = time.monotonic()
        self._count_down(float(_data(html, "remaining")))

    def _count_down(self, remaining: float | None) -> None:
        """taker.js's countdown: the server's remaining seconds on the monotonic clock."""
        if remaining is not None:
            self.time_up_at = time.monotonic() + remaining

    async def arrive(
        self, http: Http, rec: Recorder, t0: float, delay: float, logged_in: bool = False
    ) -> None:
        """At `t0 + delay` (monotonic): log in (unless `logged_in`) and start; the test
        page and its first batch are timed from that instant."""
        await asyncio.sleep(max(0.0, t0 + delay - time.monotonic()))
        began = time.monotonic()
        try:
            if not logged_in and not await self.log_in(http, rec):
                return
            if not await self.start(http, rec):
                return
            self.started_after = time.monotonic() - began
            await self.prefetch(http, rec)
            self.batch_after = time.monotonic() - began
            pending, self.pending = self.pending, []
            await asyncio.gather(*pending)
        except Refused:
            self.finished = True

    # --- the test page ----------------------------------------------------------------

    def _have(self, position: int) -> bool:
        return position in self.options or position in self.requested

    async def prefetch(self, http: Http, rec: Recorder) -> None:
        """The batches the page asks for where it stands (prefetch.batches_for)."""
        wanted = batches_for(self.position, self.first, self.last, self._have, self.policy)
        await asyncio.gather(*(self._batch(http, rec, a, b) for a, b in wanted))

    async def _batch(self, http: Http, rec: Recorder, first: int, last: int) -> None:
        span = set(range(first, last + 1))
        self.requested |= span
        path = f"/ujian/paket-soal?dari={first}&sampai={last}"
        try:
            result = await self._call(http, rec, "batch", "GET", path)
        finally:
            self.requested -= span
        if result is not None:
            for position, options in items_of(result[1]).items():
                self.options.setdefault(position, options)

    async def move(self, http: Http, rec: Recorder, position: int) -> None:
        """Previous / next / a grid cell: kept items show at once; a missing one waits for
        its batch."""
        if not self.first <= position <= self.last:
            return
        shown = self.position
        self.position = position
        await self.prefetch(http, rec)
        if position not in self.options:  # its batch did not come: the page stays
            self.position = shown

    async def save(
        self, http: Http, rec: Recorder, position: int, choice: int | None = None
    ) -> bool:
        """An answer to the item at `position` (shown: the page shows it), option `choice`
        of the page's order (random when None)."""
        options = self.options[position]
        index = random.randrange(len(options)) if choice is None else choice  # noqa: S311
        self.seq += 1
        body = {
            "option_id": options[index],
            "flagged": False,
            "seq": self.seq,
            "shown": position == self.position,
        }
        result = await self._call(http, rec, "save", "PUT", f"{API}/answers/{position}", json=body)
        if result is None:
            return False
        self.last_contact = time.monotonic()
        reply = json.loads(result[1])
        self._count_down(reply["remaining_seconds"])
        if not reply["applied"]:
            rec.error("save", "not applied")
        return True

    async def heartbeat(self, http: Http, rec: Recorder) -> None:
        # taker.js adds `left_window` to a heartbeat or save only after its window was left;
        # a bench taker never leaves it.
        body = {"position": self.position}
        result = await self._call(http, rec, "heartbeat", "POST", f"{API}/heartbeat", json=body)
        if result is None:
            return
        self.last_contact = time.monotonic()
        reply = json.loads(result[1])
        self._count_down(reply["remaining_seconds"])
        if reply["status"] == "submitted":  # the page goes to the finished page
            self.finished = True
            await self._leave(http, rec, 0, "/ujian/selesai")

    async def _leave(self, http: Http, rec: Recorder, after: float, path: str) -> None:
        """The page leaves the test: the finished page, or where the server sends it."""
        if self.left:
            return
        self.left = self.finished = True
        self.close_signals()
        await asyncio.sleep(after)
        await self._page(http, rec, "finished page", path)

    async def work(
        self, http: Http, rec: Recorder, until: float, think: tuple[float, float], beat: float
    ) -> None:
        """Every `think` seconds: answer the item shown, then move to the next one (to the
        first after the last); a heartbeat after `beat` seconds without a reply."""
        if not self.options or self.finished:
            return
        heart = asyncio.create_task(self._beat(http, rec, until, beat))
        try:
            await self._sleep_or_time_up(http, rec, random.uniform(0, think[1]))  # noqa: S311
            while time.monotonic() < until and not self.finished:
                if await self.save(http, rec, self.position):
                    following = self.position + 1 if self.position < self.last else self.first
                    await self.move(http, rec, following)
                await self._sleep_or_time_up(http, rec, random.uniform(*think))  # noqa: S311
        except Refused:
            # taker.js: a save refused for good because the time is up or the test was
            # submitted: the finished page 3 s later.
            await self._leave(http, rec, 3.0, "/ujian/selesai")
        finally:
            heart.cancel()

    async def _sleep_or_time_up(self, http: Http, rec: Recorder, seconds: float) -> None:
        """Think for `seconds`, unless the countdown reaches zero first: then, as taker.js
        does, wait the grace + 1.5 s for the answers on the wire and go to the finished page
        (which closes the attempt; the bench's forms have no section limits)."""
        if time.monotonic() + seconds < self.time_up_at:
            await asyncio.sleep(seconds)
            return
        await asyncio.sleep(max(0.0, self.time_up_at - time.monotonic()))
        await self._leave(http, rec, self.grace + 1.5, "/ujian/selesai")

    async def _beat(self, http: Http, rec: Recorder, until: float, beat: float) -> None:
        # taker.js: setInterval(every beat): a heartbeat when quiet for beat - 0.5 s.
        await asyncio.sleep(random.uniform(0, beat))  # noqa: S311
        while time.monotonic() < until and not self.finished:
            if time.monotonic() - self.last_contact >= beat - QUIET_SLACK:
                await self.heartbeat(http, rec)
            await asyncio.sleep(beat)


# Where the forms' redirects lead, named as the steps of the report.
_PAGES = {
    "/ujian/lanjut": "resume",
    "/ujian/konfirmasi": "confirm",
    "/ujian/soal/": "test page",
    "/ujian/selesai": "finished page",
}


def _step_of(path: str) -> str:
    return next((name for prefix, name in _PAGES.items() if path.startswith(prefix)), path)


def _csrf(html: str) -> str:
    match = CSRF_FIELD.search(html)
    return match.group(1) if match else ""
