"""Clients that behave like the taker page and the proctor board, over one aiohttp session.

Each taker and proctor keeps its own cookies (sent as a header, so thousands of clients share
one connection pool without sharing a cookie jar). Every request's latency is recorded per
step; anything but the expected status is an error, with what came back.
"""

import asyncio
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, ClassVar

import aiohttp

API = "/api/v1/taker"
QUIET_SLACK = 0.5  # taker.js: a heartbeat is due when the page was quiet for the interval - 0.5 s
CURSOR = re.compile(r'id="board-cursor" data-since="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


SLOW_MS = 100  # the steady-state gate


@dataclass
class Recorder:
    """Latencies (ms) per step, errors and expected refusals, for one phase of a scenario."""

    name: str
    samples: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    error_examples: dict[str, str] = field(default_factory=dict)
    expected: Counter[str] = field(default_factory=Counter)
    began: float = field(default_factory=time.monotonic)
    ended: float | None = None
    # The measured phase running now (scenarios.measured): the page's long-lived signal
    # streams record their reconnections there, not in the phase that first opened them.
    running: ClassVar["Recorder | None"] = None

    # When the slow requests came (seconds into the phase): a tail spread over the window is
    # per-request cost, one packed into a few seconds is a stall (a collection, a burst).
    slow: list[float] = field(default_factory=list)

    def target(self) -> "Recorder":
        """Where this recorder's entries go: itself (RunningPhase: the phase running)."""
        return self

    def add(self, step: str, ms: float) -> None:
        rec = self.target()
        rec.samples.setdefault(step, []).append(ms)
        if ms > SLOW_MS:  # (a request begun just before the phase counts at its first second)
            rec.slow.append(max(0.0, time.monotonic() - ms / 1000 - rec.began))

    def error(self, step: str, what: str, detail: str = "") -> None:
        rec = self.target()
        key = f"{step}: {what}"
        rec.errors[key] += 1
        rec.error_examples.setdefault(key, detail[:300])

    def refused(self, step: str, code: str) -> None:
        """A refusal the scenario expects (the deadline passed, the test was submitted)."""
        self.target().expected[f"{step}: {code}"] += 1

    def finish(self) -> "Recorder":
        self.ended = time.monotonic()
        return self

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.began

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


class RunningPhase(Recorder):
    """Records into whichever measured phase is running when each request ends: for work
    that runs on from one phase into the next (the steady warm-up into its window)."""

    def target(self) -> Recorder:
        return Recorder.running or self


class Refused(Exception):
    """An expected refusal (e.g. deadline_passed after the time limit): not an error."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Http:
    session: aiohttp.ClientSession
    base: str

    async def call(
        self,
        rec: Recorder,
        step: str,
        method: str,
        path: str,
        cookie: str = "",
        expect: tuple[int, ...] = (200,),
        refusals: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> tuple[int, bytes, aiohttp.ClientResponse] | None:
        headers = kwargs.pop("headers", {})
        if cookie:
            headers["Cookie"] = cookie
        began = time.perf_counter()
        try:
            async with self.session.request(
                method, self.base + path, headers=headers, allow_redirects=False, **kwargs
            ) as response:
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            rec.add(step, (time.perf_counter() - began) * 1000)
            rec.error(step, type(exc).__name__, str(exc))
            return None
        rec.add(step, (time.perf_counter() - began) * 1000)
        if response.status not in expect:
            code = _error_code(body)
            if code in refusals:
                rec.refused(step, code)
                raise Refused(code)
            rec.error(step, f"HTTP {response.status} {code}", body.decode(errors="replace"))
            return None
        return response.status, body, response


def _error_code(body: bytes) -> str:
    try:
        return str(json.loads(body).get("code", ""))
    except (ValueError, AttributeError):
        return ""


def _cookie(response: aiohttp.ClientResponse, name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.getall("Set-Cookie", []):
        jar.load(header)
    return jar[name].value if name in jar else None


@dataclass
class Taker:
    """One participant at one PC, using the taker JSON API as the page does."""

    nip: str
    room_token: str
    cookie: str = ""
    total_items: int = 0
    position: int = 1
    seq: int = 0
    options: dict[int, list[str]] = field(default_factory=dict)
    finished: bool = False
    started_after: float | None = None  # seconds from the synchronised start to item 1
    last_contact: float = 0.0  # monotonic time of the last answered call (as the page keeps)

    async def login(self, http: Http, rec: Recorder) -> bool:
        body = {"nip": self.nip, "token": self.room_token}
        result = await http.call(rec, "login", "POST", f"{API}/login", json=body)
        if result is None:
            return False
        token = _cookie(result[2], "proasn_taker")
        if token is None:
            rec.error("login", "no cookie")
            return False
        self.cookie = f"proasn_taker={token}"
        return True

    async def start(self, http: Http, rec: Recorder) -> bool:
        result = await http.call(rec, "start", "POST", f"{API}/start", self.cookie)
        if result is None:
            return False
        state = json.loads(result[1])
        self.total_items = int(state["total_items"])
        return True

    async def fetch(self, http: Http, rec: Recorder, position: int) -> bool:
        result = await http.call(
            rec,
            "item",
            "GET",
            f"{API}/items/{position}",
            self.cookie,
            refusals=("attempt_submitted", "deadline_passed"),
        )
        if result is None:
            return False
        self.last_contact = time.monotonic()
        item = json.loads(result[1])
        self.options[position] = [o["option_id"] for o in item["options"]]
        self.seq = max(self.seq, int(item["seq_base"]))
        self.position = position
        return True

    async def save(self, http: Http, rec: Recorder, position: int) -> bool:
        self.seq += 1
        body = {
            "option_id": random.choice(self.options[position]),  # noqa: S311
            "flagged": False,
            "seq": self.seq,
        }
        result = await http.call(
            rec,
            "save",
            "PUT",
            f"{API}/answers/{position}",
            self.cookie,
            refusals=("attempt_submitted", "deadline_passed"),
            json=body,
        )
        if result is None:
            return False
        self.last_contact = time.monotonic()
        if not json.loads(result[1])["applied"]:
            rec.error("save", "not applied")
        return True

    async def heartbeat(self, http: Http, rec: Recorder) -> None:
        result = await http.call(
            rec,
            "heartbeat",
            "POST",
            f"{API}/heartbeat",
            self.cookie,
            json={"position": self.position},
        )
        if result is None:
            return
        self.last_contact = time.monotonic()
        if json.loads(result[1])["status"] == "submitted":
            self.finished = True

    async def arrive(self, http: Http, rec: Recorder, t0: float, delay: float) -> None:
        """Log in, start and open item 1 at `t0 + delay` (monotonic)."""
        await asyncio.sleep(max(0.0, t0 + delay - time.monotonic()))
        if await self.login(http, rec) and await self.start(http, rec):
            try:
                if await self.fetch(http, rec, 1):
                    self.started_after = time.monotonic() - t0
            except Refused:
                self.finished = True

    async def work(
        self, http: Http, rec: Recorder, until: float, think: tuple[float, float], beat: float
    ) -> None:
        """Answer an item every `think` seconds; every `beat` seconds send a heartbeat unless
        another call was answered within that time (what the taker page does)."""
        if not self.options or self.finished:
            return
        heart = asyncio.create_task(self._beat(http, rec, until, beat))
        try:
            await asyncio.sleep(random.uniform(0, think[1]))  # noqa: S311 (clients out of step)
            while time.monotonic() < until and not self.finished:
                nxt = self.position % self.total_items + 1
                if await self.fetch(http, rec, nxt):
                    await self.save(http, rec, nxt)
                await asyncio.sleep(random.uniform(*think))  # noqa: S311
        except Refused:
            self.finished = True
        finally:
            heart.cancel()

    async def _beat(self, http: Http, rec: Recorder, until: float, beat: float) -> None:
        await asyncio.sleep(random.uniform(0, beat))  # noqa: S311
        while time.monotonic() < until and not self.finished:
            if time.monotonic() - self.last_contact >= beat - QUIET_SLACK:
                await self.heartbeat(http, rec)
            await asyncio.sleep(beat)


@dataclass
class Proctor:
    """A proctor's live board: the session page once, then the board poll every few seconds."""

    username: str
    password: str
    session_id: str
    cookie: str = ""
    cursor: str | None = None

    async def login(self, http: Http, rec: Recorder) -> bool:
        page = await http.call(rec, "staff login", "GET", "/staf/masuk")
        if page is None:
            return False
        csrf = _cookie(page[2], "proasn_csrf")
        match = CSRF_FIELD.search(page[1].decode())
        if csrf is None or match is None:
            rec.error("staff login", "no CSRF token")
            return False
        form = {
            "username": self.username,
            "password": self.password,
            "csrf_token": match.group(1),
            "next": "/staf",
        }
        result = await http.call(
            rec, "staff login", "POST", "/staf/masuk", f"proasn_csrf={csrf}", (303,), data=form
        )
        staff = _cookie(result[2], "proasn_staff") if result else None
        if staff is None:
            rec.error("staff login", "no staff cookie")
            return False
        self.cookie = f"proasn_csrf={csrf}; proasn_staff={staff}"
        return True

    async def open_page(self, http: Http, rec: Recorder) -> None:
        """The room's page, once (the board's rows come with it; the polls then ask for
        changes since its cursor)."""
        page = await http.call(
            rec, "board page", "GET", f"/pengawas/sesi/{self.session_id}", self.cookie
        )
        if page is not None:
            self._remember_cursor(page[1])

    async def watch(self, http: Http, rec: Recorder, until: float, every: float) -> None:
        if self.cursor is None:
            await self.open_page(http, rec)
        await asyncio.sleep(random.uniform(0, every))  # noqa: S311
        while time.monotonic() < until:
            params = {"since": self.cursor} if self.cursor else {}
            result = await http.call(
                rec,
                "board",
                "GET",
                f"/pengawas/sesi/{self.session_id}/papan",
                self.cookie,
                params=params,
                headers={"HX-Request": "true"},
            )
            if result is not None:
                self._remember_cursor(result[1])
            await asyncio.sleep(every)

    def _remember_cursor(self, body: bytes) -> None:
        match = CURSOR.search(body.decode(errors="replace"))
        if match:
            self.cursor = match.group(1)
