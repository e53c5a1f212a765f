"""What one proctor's board poll costs the server, against the taker's hot item read:
`python -m bench.load.board_cost [--postgres URL] [--polls 300]`.

A small measurement beside the load bench. One worker (`proasn serve`, pinned to CPU 0), one
room of 40 seats, every taker started (JSON client) on a 700-item form, the room's proctor
logged in with the board open. Then, serially, `--polls` rounds of: 12 takers read an item
and save it (the changes a 3-s poll finds in the steady window: 40 seats answering every
8-12 s), then one board poll since the last cursor. Reported: the poll's median and p90
latency and the server's CPU per poll, against the median of the item reads of the same run
(the ratio is what to compare between runs on a noisy machine)."""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.load.__main__ import free_port, postgres_database
from bench.load.clients import Http, Proctor, Recorder, Taker
from bench.load.data import PROCTOR_PASSWORD, Cohort, prepare
from bench.load.server import Server

SEATS = 40
CHANGED_PER_POLL = 12


async def measure(url: str, workdir: Path, polls: int) -> dict[str, float]:
    prepared = prepare(url, workdir, [Cohort("papan", SEATS, 700)], SEATS, {"papan"})
    cohort = prepared.cohorts["papan"]
    server = Server(url, workdir, free_port()).start()
    try:
        async with aiohttp.ClientSession() as session:
            http, rec = Http(session, server.url), Recorder("board cost")
            takers = [Taker(nip, token) for nip, token, _ in cohort.seats]
            for taker in takers:
                assert await taker.login(http, rec) and await taker.start(http, rec)
                await taker.fetch(http, rec, 1)
            room = cohort.rooms[0]
            proctor = Proctor(room.proctor or "", PROCTOR_PASSWORD, room.session_id)
            assert await proctor.login(http, rec)
            await proctor.open_page(http, rec)
            rec.samples.clear()
            latencies, cpu = [], 0.0
            for round_ in range(polls):
                first = (round_ * CHANGED_PER_POLL) % SEATS
                for taker in takers[first : first + CHANGED_PER_POLL]:
                    following = taker.position % taker.total_items + 1
                    if await taker.fetch(http, rec, following):
                        await taker.save(http, rec, following)
                cpu0, began = server.usage()[0], time.perf_counter()
                result = await http.call(
                    rec,
                    "board",
                    "GET",
                    f"/pengawas/sesi/{proctor.session_id}/papan",
                    proctor.cookie,
                    params={"since": proctor.cursor} if proctor.cursor else {},
                    headers={"HX-Request": "true"},
                )
                latencies.append((time.perf_counter() - began) * 1000)
                cpu += server.usage()[0] - cpu0
                assert result is not None
                proctor._remember_cursor(result[1])
            assert rec.error_count == 0, dict(rec.errors)
    finally:
        server.stop()
    item = statistics.median(rec.samples["item"])
    poll = statistics.median(latencies)
    return {
        "board poll p50 ms": poll,
        "board poll p90 ms": sorted(latencies)[int(0.9 * len(latencies))],
        "board poll server cpu ms": cpu * 1000 / polls,
        "API item read p50 ms": item,
        "save p50 ms": statistics.median(rec.samples["save"]),
        "board poll / item read": poll / item,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--polls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="proasn-board-") as tmp:
        work = Path(tmp)
        sqlite = f"sqlite:///{work / 'bench.db'}"
        url = postgres_database(args.postgres, True) if args.postgres else sqlite
        try:
            figures = asyncio.run(measure(url, work, args.polls))
        finally:
            if args.postgres:
                postgres_database(args.postgres, False)
    for name, value in figures.items():
        print(f"{name}: {value:.2f}")


if __name__ == "__main__":
    began = time.monotonic()
    main()
    print(f"({time.monotonic() - began:.0f} s)")
