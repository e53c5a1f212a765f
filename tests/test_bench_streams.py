"""The load bench's accounting of the page's signal stream: a stream lives through many phases
(ten minutes, reconnected after), and each reconnection counts in the phase running when it
happens. It counted in the phase that first opened it: the report's "1b" row carried every
reconnection of that cohort through the whole run (3,178, the longest 18 s in the 5,000 phase).

The server here is a few lines of aiohttp that end each stream at once: what is tested is the
bench's client, not the product's streams (tests/delivery/test_signals.py has those)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import aiohttp
from aiohttp import web

from bench.load.clients import Http, Recorder, RunningPhase
from bench.load.page import PageTaker


async def _short_streams(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    await response.write(b"retry: 20\n\n")  # the page reconnects 20 ms after the end
    return response  # ended: as a stream at the end of its lifetime


async def _phases() -> tuple[Recorder, Recorder]:
    app = web.Application()
    app.router.add_get("/signals", _short_streams)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    opened_in, later = Recorder("instant start"), Recorder("steady")
    try:
        async with aiohttp.ClientSession() as session:
            http = Http(session, f"http://127.0.0.1:{port}")
            taker = PageTaker("199001012020011001", "TOKEN1", signals_url="/signals")
            Recorder.running = opened_in
            await taker.listen(http, opened_in)
            await asyncio.sleep(0.01)
            Recorder.running = later  # the next phase begins
            await asyncio.sleep(0.3)
            Recorder.running = None
            taker.left = True
            taker.close_signals()
            return opened_in, later
    finally:
        Recorder.running = None
        await runner.cleanup()


def test_a_reconnection_counts_in_the_phase_running_when_it_happens() -> None:
    # A loop of its own in a thread: in the whole suite the browser tests' loop runs in this one.
    with ThreadPoolExecutor(1) as other:
        opened_in, later = other.submit(asyncio.run, _phases()).result()
    assert 1 <= len(opened_in.samples["signals"]) <= 2  # the first opening (and maybe one more)
    assert len(later.samples.get("signals", [])) >= 3  # the reconnections of the next phase
    assert not opened_in.errors and not later.errors


def test_work_running_on_into_the_next_phase_counts_where_each_request_ends() -> None:
    """The steady warm-up runs on into its window (scenarios.steady): one run of work, its
    requests counted in the phase running when they end."""
    running = RunningPhase("steady")
    warm_up, window = Recorder("warm-up"), Recorder("window")
    try:
        Recorder.running = warm_up
        running.add("save", 5.0)
        Recorder.running = window
        running.add("save", 150.0)
        running.error("save", "HTTP 500 internal")
        running.refused("save", "deadline_passed")
    finally:
        Recorder.running = None
    running.add("save", 7.0)  # between phases: kept by itself, in no phase
    assert warm_up.samples == {"save": [5.0]} and not warm_up.slow
    assert window.samples == {"save": [150.0]} and len(window.slow) == 1
    assert window.error_count == 1 and window.expected["save: deadline_passed"] == 1
    assert running.samples == {"save": [7.0]}
