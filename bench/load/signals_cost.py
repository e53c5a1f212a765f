"""What the open pages' signal stream costs the server (issue 19): `python -m
bench.load.signals_cost [--takers 300] [--hold 30]`.

A small measurement beside the load bench, cheap enough for a shared 2-core machine: one
worker (`proasn serve`, SQLite), a cohort of 60-item forms, every taker logged in and started
through the page client (which opens its stream as taker.js does). Then, serially:

1. a heartbeat against opening a stream (the login check, response headers), N of each: the
   server's CPU per request and the client's median latency;
2. all streams held open and idle for `--hold` seconds against the same without streams: the
   server's CPU per second (the watcher's two reads twice a second, the keep-alives) and its
   RSS per open stream;
3. a proctor's room-wide pause with every stream open: how long until every page has sent
   its heartbeat (and so shows the pause), and the server CPU of that wave.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from app.audit.service import Actor
from app.db import make_engine, make_sessionmaker, transaction
from bench.load.clients import Http, Recorder
from bench.load.data import Cohort, prepare
from bench.load.page import API, PageTaker
from bench.load.server import Server
from tests.live import free_port


async def _serial(http: Http, taker: PageTaker, server: Server, n: int) -> dict[str, float]:
    """Server CPU (ms per request) and client p50 (ms): heartbeat vs stream open."""
    out: dict[str, float] = {}
    rec = Recorder("serial")
    for name in ("heartbeat", "stream open"):
        cpu0, lat = server.usage()[0], []
        for _ in range(n):
            began = time.perf_counter()
            if name == "heartbeat":
                await taker.heartbeat(http, rec)
            else:
                headers = {"Cookie": taker.cookie, "Accept": "text/event-stream"}
                async with http.session.get(http.base + f"{API}/signals", headers=headers) as r:
                    assert r.status == 200
                    await r.content.readline()  # "retry: …"
            lat.append((time.perf_counter() - began) * 1000)
        out[f"{name} cpu ms"] = (server.usage()[0] - cpu0) * 1000 / n
        out[f"{name} p50 ms"] = statistics.median(lat)
    assert rec.error_count == 0, dict(rec.errors)
    return out


async def _idle(server: Server, seconds: float) -> tuple[float, int]:
    cpu0, _ = server.usage()
    rss = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await asyncio.sleep(1)
        rss = max(rss, server.usage()[1])
    return (server.usage()[0] - cpu0) / seconds, rss


def _pause_room(database_url: str) -> None:
    from app.exams.models import ExamSession
    from app.proctoring import service

    engine = make_engine(database_url)
    with transaction(make_sessionmaker(engine)) as db:
        for room in db.query(ExamSession).all():
            service.pause_room(db, Actor(None, "bench", "proctor"), room, "bench")
    engine.dispose()


async def run(takers: int, hold: float, serial: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="proasn-signals-"))
    url = f"sqlite:///{work / 'bench.db'}"
    prepared = prepare(url, work, [Cohort("sinyal", takers, 60)], seats=takers, boards_for=set())
    server = Server(url, work, free_port(), cpus="0").start()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None)
    try:
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
        ) as session:
            http, rec = Http(session, server.url), Recorder("start")
            pages = [PageTaker(nip, token) for nip, token, _ in prepared.cohorts["sinyal"].seats]
            for chunk in range(0, len(pages), 50):
                group = pages[chunk : chunk + 50]
                await asyncio.gather(*(p.log_in(http, rec) for p in group))
                await asyncio.gather(*(p.start(http, rec) for p in group))
            assert rec.error_count == 0, dict(rec.errors)
            print(f"{takers} takers started, {sum(p.signals_open for p in pages)} streams open")
            streams_cpu, streams_rss = await _idle(server, hold)
            for p in pages:
                p.close_signals()
            await asyncio.sleep(2)
            bare_cpu, bare_rss = await _idle(server, hold)
            print(
                f"idle server CPU: {streams_cpu * 1000:.1f} ms/s with {takers} streams open, "
                f"{bare_cpu * 1000:.1f} ms/s without; RSS {streams_rss / 2**20:.1f} vs "
                f"{bare_rss / 2**20:.1f} MiB ({(streams_rss - bare_rss) / takers / 1024:.1f} "
                "KiB per stream)"
            )
            for name, value in (await _serial(http, pages[0], server, serial)).items():
                print(f"{name}: {value:.2f}")
            # The wave: every page hears of a room pause and sends its heartbeat.
            beats = Recorder("wave")
            for p in pages:
                await p.listen(http, beats)
            cpu0, began = server.usage()[0], time.monotonic()
            await asyncio.to_thread(_pause_room, url)
            while len(beats.samples.get("heartbeat", [])) < takers:
                if time.monotonic() - began > 30:
                    break
                await asyncio.sleep(0.05)
            got = len(beats.samples.get("heartbeat", []))
            print(
                f"room pause: {got}/{takers} pages beat within "
                f"{time.monotonic() - began:.2f} s of the commit, server CPU "
                f"{(server.usage()[0] - cpu0) * 1000:.0f} ms"
            )
            for p in pages:
                p.close_signals()
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takers", type=int, default=300)
    parser.add_argument("--hold", type=float, default=30)
    parser.add_argument("--serial", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.takers, args.hold, args.serial))


if __name__ == "__main__":
    main()
