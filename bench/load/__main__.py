"""`python -m bench.load`: the load and scale benchmark (see bench/README.md).

Prepares its own database, starts the server in a subprocess pinned to its own core(s), pins
itself (the load generator) to another core, and runs the issue's five scenarios against the
taker JSON API and the proctor board, measuring a bare `GET /bench/ping` in the same run.
"""

import os

# Before anything reads the settings: cheap hashes for the throwaway people (see data.py).
os.environ.setdefault("PROASN_ACCESS_CODE_HASH_TIME_COST", "1")
os.environ.setdefault("PROASN_ACCESS_CODE_HASH_MEMORY_KIB", "8")
os.environ.setdefault("PROASN_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("PROASN_PASSWORD_HASH_MEMORY_KIB", "64")

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import ExitStack, contextmanager, suppress  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import aiohttp  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.config import get_settings  # noqa: E402
from app.db import make_engine, normalise_database_url  # noqa: E402
from bench.load import scenarios  # noqa: E402
from bench.load.clients import Http  # noqa: E402
from bench.load.data import Cohort, prepare  # noqa: E402
from bench.load.report import Report  # noqa: E402
from bench.load.server import Server  # noqa: E402

ALL = ("serial", "stampede", "steady", "big", "closed", "deadline", "moodle")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small numbers, under two minutes")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server to use: the "
        "bench creates (and afterwards drops) the database <name>_bench_<pid> beside it",
    )
    parser.add_argument(
        "--client",
        choices=("page", "api"),
        default="page",
        help="page (default): the requests the exam page sends (bench/load/page.py); api: "
        "the taker JSON API alone (the client of the figures before 2026-12-02)",
    )
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--closed-clients",
        type=int,
        help="clients of the closed loops (3a, 3b); default 32 (quick: 8)",
    )
    parser.add_argument("--server-cpus", default="0", help="taskset list for the server")
    parser.add_argument("--generator-cpus", default="1", help="CPUs for this load generator")
    parser.add_argument(
        "--postgres-cpus",
        help="pin the local PostgreSQL cluster (postmaster and children) to these CPUs for the "
        "run, e.g. the generator's: the worker's core then runs only the worker",
    )
    parser.add_argument("--skip", default="", help=f"comma-separated, of: {', '.join(ALL)}")
    parser.add_argument("--workdir", type=Path, help="keep the database and server log here")
    parser.add_argument("--json", type=Path, help="also write the report's gates as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a gate is missed")
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_database(url: str, create: bool) -> str:
    """A fresh `<name>_bench_<pid>` database beside `url` (dropped again with create=False);
    the pid keeps a CI smoke run from dropping a full run's database on the same server."""
    base = make_url(normalise_database_url(url))
    name = f"{base.database or 'proasn'}_bench_{os.getpid()}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def cohorts(plan: scenarios.Plan, skip: set[str]) -> list[Cohort]:
    wanted = [Cohort("serial", 2, plan.serial_items)] if "serial" not in skip else []
    wanted += [
        Cohort("spread", plan.spread_takers, plan.form_items),
        Cohort("burst", plan.burst_takers, plan.form_items),
    ]
    if "big" not in skip:
        wanted.append(Cohort("extra", plan.extra_takers, plan.form_items))
    if "deadline" not in skip:
        wanted.append(Cohort("deadline", plan.deadline_takers, plan.form_items))
    if "moodle" not in skip:
        wanted.append(Cohort("moodle", plan.moodle_takers, plan.moodle_items))
    return wanted


def pin_generator(cpus: str) -> str:
    wanted = _cpus(cpus)
    available = os.sched_getaffinity(0)
    if wanted and wanted <= available and len(available) > 1:
        os.sched_setaffinity(0, wanted)  # what `taskset -pc` does
    return ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))


def _cpus(listing: str) -> set[int]:
    return {int(c) for c in listing.split(",") if c.strip()}


@contextmanager
def postgres_pinned(engine: Engine, cpus: str | None) -> Iterator[str]:
    """Pin the local PostgreSQL cluster (its postmaster and every process it has forked;
    backends forked later inherit the postmaster's CPUs) for the run, and restore it after.
    Yields what the report says about it."""
    if not cpus:
        yield "PostgreSQL unpinned"
        return
    with engine.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    stat = Path(f"/proc/{backend}/stat")
    if not stat.exists():
        raise SystemExit("--postgres-cpus: PostgreSQL does not run on this machine")
    postmaster = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    before = os.sched_getaffinity(postmaster)

    def cluster() -> list[int]:
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with suppress(OSError):
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                        children.append(int(entry.name))
        return [postmaster, *children]

    def pin(wanted: set[int]) -> None:
        for pid in cluster():
            with suppress(ProcessLookupError):
                os.sched_setaffinity(pid, wanted)

    try:
        pin(_cpus(cpus))
    except PermissionError:
        raise SystemExit("--postgres-cpus: not allowed to pin PostgreSQL (run as root)") from None
    try:
        yield f"PostgreSQL pinned to CPU {cpus}"
    finally:
        pin(before)


async def run_scenarios(ctx: scenarios.Context, skip: set[str], backend: str) -> None:
    if "serial" not in skip and ctx.client == "page":
        print("0. serial cost", flush=True)
        await scenarios.serial(ctx)
    print("1. start stampede", flush=True)
    await scenarios.stampede(ctx)
    if "steady" not in skip:
        print("2. steady state", flush=True)
        await scenarios.steady(ctx, big="big" not in skip)
    if "closed" not in skip:
        print("3. peak durable saves", flush=True)
        await scenarios.closed_loop(ctx, backend)
    if "deadline" not in skip:
        print("4. deadline", flush=True)
        await scenarios.deadline(ctx)
    if "moodle" not in skip:
        print("5. Moodle scenario", flush=True)
        await scenarios.moodle(ctx)


async def drive(ctx_args: dict, skip: set[str], backend: str) -> None:
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=20)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        ctx = scenarios.Context(http=Http(session, ctx_args["server"].url), **ctx_args)
        await run_scenarios(ctx, skip, backend)
        # The pages still open keep their signal streams until the bench ends: close them.
        streams = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workdir is None:
        with tempfile.TemporaryDirectory(prefix="proasn-load-") as workdir:
            args.workdir = Path(workdir)
            return run(args)
    return run(args)


def run(args: argparse.Namespace) -> int:
    # The clients beat as the page does with the server's setting (PROASN_HEARTBEAT_SECONDS).
    heartbeat = get_settings().heartbeat_seconds
    plan = replace(scenarios.QUICK if args.quick else scenarios.FULL, heartbeat_seconds=heartbeat)
    if args.closed_clients:
        plan = replace(plan, closed_clients=args.closed_clients)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # thousands of sockets, both ends
    workdir = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    backend = "PostgreSQL" if args.postgres else "SQLite"
    url = (
        postgres_database(args.postgres, True) if args.postgres else f"sqlite:///{workdir}/load.db"
    )
    began = time.monotonic()
    print(f"Preparing {backend} data in {workdir} …", flush=True)
    data = prepare(url, workdir, cohorts(plan, skip), plan.seats, {"spread", "burst"})
    report = Report()
    server = Server(
        url,
        workdir,
        free_port(),
        workers=args.workers,
        cpus=args.server_cpus,
        extra_env={"PROASN_HEARTBEAT_SECONDS": str(heartbeat)},
    )
    engine = make_engine(_as_generator(url))
    stack = ExitStack()
    try:
        server.start()
        generator_cpus = pin_generator(args.generator_cpus)
        pinned = stack.enter_context(postgres_pinned(engine, args.postgres and args.postgres_cpus))
        report.header = [
            f"ProASN CAT load bench ({'quick' if args.quick else 'full'}), "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {backend}, {args.workers} worker(s), "
            f"{args.client} client, {plan.form_items}-item forms, "
            f"PROASN_WORKER_THREADS={get_settings().worker_threads}",
            f"Machine: {os.cpu_count()} CPUs, {platform.python_implementation()} "
            f"{platform.python_version()}; server pinned to CPU {args.server_cpus}, generator "
            f"to CPU {generator_cpus}, {pinned}",
            "Preparation (s): " + ", ".join(f"{k} {v:.1f}" for k, v in data.seconds.items()),
        ]
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            context = dict(
                server=server,
                data=data,
                plan=plan,
                report=report,
                engine=engine,
                client=args.client,
            )
            runner.run(drive(context, skip, backend))
    finally:
        stack.close()
        server.stop()
        engine.dispose()
        if args.postgres:
            postgres_database(args.postgres, False)
    report.header.append(f"Whole run: {time.monotonic() - began:.0f} s")
    print(report.render(), flush=True)
    if args.json:
        gates = [g.__dict__ for g in report.gates]
        args.json.write_text(json.dumps({"errors": report.errors, "gates": gates}, indent=2))
    if report.errors:
        print(f"FAILED: {report.errors} errors; server log tail:\n{server.log()}", file=sys.stderr)
        return 1
    if args.check and not all(g.passed for g in report.gates):
        print("FAILED: a gate was missed", file=sys.stderr)
        return 1
    return 0


def _as_generator(url: str) -> str:
    """The generator's own connections are named, so the server's can be counted apart."""
    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() != "postgresql":
        return url
    named = parsed.update_query_dict({"application_name": scenarios.GENERATOR})
    return named.render_as_string(hide_password=False)


def _loop_factory():
    try:
        import uvloop

        return uvloop.new_event_loop
    except ImportError:
        return None


if __name__ == "__main__":
    sys.exit(main())
