"""The load bench's page client sends what a real exam page sends.

A taker in Chromium and bench/load's `PageTaker` do the same things against the same server
(two participants of one 60-item event): log in through the forms, start (the test page, which
carries its first batch, and its signal stream), move to the next item, jump to item 20 and
to item 50 on the grid, answer. The server's access log says which requests reached it in
each step (a browser's cache hits do not: Playwright reports them
too), the clients what the bodies held; the test fails when the two differ (method, path,
query, body's shape), so a change to taker.js or the pages that the bench does not follow, or
the reverse, cannot go unnoticed: the load figures are of the client a browser is.
"""

import asyncio
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from app.bank.loader import load_bank
from app.bank.service import import_bank
from bench.load.clients import Http, Recorder
from bench.load.data import Cohort, _cohort, write_pool_once
from bench.load.page import PageTaker
from tests.live import LiveServer

Call = tuple[str, str, str]  # method, path?query, body's shape


def shape(body: str | None, content_type: str) -> str:
    """What a body says, without what differs between two participants (NIP, token, CSRF
    token, sequence numbers, option ids of differently ordered forms)."""
    if not body:
        return ""
    if "json" in content_type:
        data = json.loads(body)
        for key in ("seq", "option_id"):
            if data.get(key) is not None:
                data[key] = f"<{key}>"
        return json.dumps(data, sort_keys=True)
    return "form:" + ",".join(sorted(part.split("=")[0] for part in body.split("&")))


def call(method: str, url: str, body: str | None, content_type: str) -> Call:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return method, path, shape(body, content_type)


class RecordingHttp(Http):
    calls: list[Call]

    async def call(self, rec, step, method, path, cookie="", expect=(200,), refusals=(), **kw):
        if "json" in kw:
            body, kind = json.dumps(kw["json"]), "application/json"
        elif "data" in kw:
            body, kind = "&".join(f"{k}=x" for k in kw["data"]), "form"
        else:
            body, kind = None, ""
        self.calls.append(call(method, self.base + path, body, kind))
        return await super().call(rec, step, method, path, cookie, expect, refusals, **kw)


@pytest.fixture
def long_exam(live_server, tmp_path: Path):
    def seed(db: Session) -> list[tuple[str, str]]:
        import_bank(db, load_bank(write_pool_once(tmp_path / "bank", 160)))
        prepared = _cohort(db, Cohort("halaman", takers=2, form_items=60), 1, seats=10)
        return [(nip, token) for nip, token, _ in prepared.seats]

    # No heartbeat within the test: a timer's beat would land at a moment of its own.
    server, seats = live_server(seed, heartbeat_seconds=120, access_log=True)
    return server, seats


@dataclass
class Steps:
    """Per step: what reached the server, and the bodies the client sent."""

    received: list[list[tuple[str, str]]] = field(default_factory=list)
    bodies: list[list[Call]] = field(default_factory=list)
    had_on_load: set[int] = field(default_factory=set)  # the items the page kept at once

    def compared(self) -> dict[str, tuple[list[Any], list[Any]]]:
        # Within a step a page's static files come in parallel: order aside.
        return {
            name: (sorted(received), sorted(bodies))
            for name, received, bodies in zip(NAMES, self.received, self.bodies, strict=True)
        }


NAMES = ["log in", "start", "next", "grid 20", "grid 50", "answer"]


def browser_steps(server: LiveServer, page: Page, nip: str, token: str) -> Steps:
    steps = Steps()
    page.on(
        "request",
        lambda r: (
            steps.bodies[-1].append(
                call(r.method, r.url, r.post_data, r.headers.get("content-type", ""))
            )
            if r.method != "GET"
            else None
        ),
    )

    def step(action: Any) -> None:
        before = len(server.requests_received())
        steps.bodies.append([])
        action()
        steps.received.append(quiet(server)[before:])

    def log_in() -> None:
        page.goto("/ujian")
        page.fill("#nip", nip)
        page.fill("#token", token)
        page.click("button[type=submit]")
        page.click("text=Ya, ini saya")
        page.click("text=Coba soal latihan")
        page.wait_for_selector("html[data-font-step]", state="attached")

    def start() -> None:
        page.click("text=Mulai tes")
        expect(page).to_have_url(re.compile(r"/ujian/soal/1$"))
        page.wait_for_selector("html[data-font-step]", state="attached")

    def to(position: int, key: str | None = None) -> Any:
        def move() -> None:
            if key:
                page.keyboard.press(key)
            else:
                page.click(f'.grid [data-nav="{position}"]')
            expect(page.locator("#item")).to_have_attribute("data-position", str(position))

        return move

    def answer() -> None:
        page.keyboard.press("a")
        expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")

    for action in (log_in, start, to(2, "n"), to(20), to(50), answer):
        step(action)
    return steps


def quiet(server: LiveServer, for_seconds: float = 0.8) -> list[tuple[str, str]]:
    """The requests received once none came for `for_seconds` (the page's fetches run after
    the action returns; "networkidle" is a load state, reached once per document)."""
    received, since = server.requests_received(), time.monotonic()
    while time.monotonic() - since < for_seconds:
        time.sleep(0.1)
        now = server.requests_received()
        if now != received:
            received, since = now, time.monotonic()
    return received


async def bench_steps(server: LiveServer, nip: str, token: str) -> Steps:
    rec = Recorder("page requests")
    steps = Steps()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        http = RecordingHttp(session, server.url)
        taker = PageTaker(nip, token)

        async def step(action: Any) -> None:
            before = len(server.requests_received())
            http.calls = []
            await action
            steps.bodies.append([c for c in http.calls if c[0] != "GET"])
            steps.received.append(server.requests_received()[before:])

        await step(taker.log_in(http, rec))
        await step(_start(taker, http, rec))
        steps.had_on_load = set(taker.options)
        for position in (2, 20, 50):
            await step(taker.move(http, rec, position))
        await step(taker.save(http, rec, taker.position, choice=0))
        taker.close_signals()  # the page is closed
    assert rec.error_count == 0, dict(rec.errors)
    return steps


async def _start(taker: PageTaker, http: Http, rec: Recorder) -> None:
    assert await taker.start(http, rec)
    await taker.prefetch(http, rec)


def test_the_bench_page_client_sends_what_chromium_sends(long_exam, new_page) -> None:
    server, seats = long_exam
    (browser_nip, browser_token), (bench_nip, bench_token) = seats
    chromium = browser_steps(server, new_page(server.url), browser_nip, browser_token)
    with ThreadPoolExecutor(1) as other:  # Playwright's sync API holds this thread's loop
        bench = other.submit(asyncio.run, bench_steps(server, bench_nip, bench_token)).result()
    assert chromium.compared() == bench.compared()
    # And what the steps hold, so the comparison cannot pass on two empty lists.
    received = bench.received
    assert ("GET", "/ujian") in received[0] and len(
        [r for r in received[0] if "/static/" in r[1]]
    ) == 3
    # The test page carries its first batch (items 2-23): with it come only its signal
    # stream (taker.js's EventSource) and, once per attempt, its service worker.
    assert received[1][:2] == [("POST", "/ujian/mulai"), ("GET", "/ujian/soal/1")]
    stream = ("GET", "/api/v1/taker/signals?sejak=<t>")
    [opened, worker] = sorted(received[1][2:])
    assert opened == stream and worker[1].startswith("/ujian/sw.js?v=")
    assert not [r for r in received[1] if "/ujian/paket-soal" in r[1]]
    assert bench.had_on_load == set(range(1, 24))
    assert received[2] == [] and received[3] == [_batch(24, 45)]
    assert received[4] == [_batch(49, 60)]
    assert received[5] == [("PUT", "/api/v1/taker/answers/50")]
    assert '"shown": true' in bench.bodies[5][0][2]


def _batch(first: int, last: int) -> tuple[str, str]:
    return "GET", f"/ujian/paket-soal?dari={first}&sampai={last}"


def test_the_page_opens_its_signal_stream_after_the_drawn_delay(
    live_server, new_page, tmp_path: Path
) -> None:
    """With PROASN_SIGNAL_DELAY_SECONDS=4 the page draws 2-4 s: no stream beside the first
    page and batch, then one (a room's "Mulai tes" no longer opens a thousand at once)."""
    from tests.browser.test_taker import log_in_and_start
    from tests.delivery.factories import open_exam

    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=1, total_minutes=60)
        return exam.nips[0], exam.token

    env = {"PROASN_SIGNAL_DELAY_SECONDS": "4", "PROASN_SIGNAL_DELAY_RUSH_PAGES": "0"}
    server, (nip, token) = live_server(seed, access_log=True, env=env)
    page = new_page(server.url)
    log_in_and_start(page, nip, token)
    loaded = time.monotonic()
    delay = float(page.locator("#taker").get_attribute("data-signal-delay") or 0)
    assert 2 <= delay <= 4
    stream = ("GET", "/api/v1/taker/signals?sejak=<t>")
    while time.monotonic() - loaded < delay - 1:
        assert stream not in server.requests_received()
        time.sleep(0.2)
    deadline = time.monotonic() + 5
    while stream not in server.requests_received():
        assert time.monotonic() < deadline, "the stream never opened"
        time.sleep(0.2)
