"""`python -m bench.overhead`: the fixed cost of a request in our app.

`GET /bench/ping` of the real app (`proasn serve`: its middleware, its routers, its worker)
against the same route in a bare FastAPI app (bench/bare_app.py) on the same uvicorn with the
same options, both pinned to the same core, measured with wrk (Debian's `wrk`) in alternating
rounds of the same run; the ratio of the medians is the figure (bench/README.md). The gate:
our fixed cost (1 - ours / bare) under 15 %.
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GATE = 0.15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], env: dict[str, str], log: Path, cpus: str) -> subprocess.Popen:
    if shutil.which("taskset"):
        command = ["taskset", "-c", cpus, *command]
    output = log.open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603


def wait_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not start:\n{log.read_text()[-3000:]}")


def wrk(url: str, seconds: int, connections: int, cpus: str) -> float:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    if shutil.which("taskset"):
        command = ["taskset", "-c", cpus, *command]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None or "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk failed or saw errors:\n{out}")
    return float(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.overhead", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--server-cpus", default="0")
    parser.add_argument("--generator-cpus", default="1")
    parser.add_argument("--check", action="store_true", help="exit 1 when the gate is missed")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("bench.overhead needs wrk: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="proasn-overhead-") as workdir:
        work = Path(workdir)
        env = {**os.environ, "PROASN_DATABASE_URL": f"sqlite:///{work}/o.db"}
        bin_dir = Path(sys.executable).parent
        upgrade = [str(bin_dir / "proasn"), "db", "upgrade"]
        subprocess.run(upgrade, env=env, check=True, capture_output=True)  # noqa: S603
        ours_port, bare_port = free_port(), free_port()
        options = ["--no-access-log", "--proxy-headers", "--timeout-keep-alive", "30"]
        servers = {
            "ours": start(
                [str(bin_dir / "proasn"), "serve", "--port", str(ours_port), "--no-access-log"],
                env,
                work / "ours.log",
                args.server_cpus,
            ),
            "bare": start(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.bare_app:app",
                    "--port",
                    str(bare_port),
                    *options,
                ],
                env,
                work / "bare.log",
                args.server_cpus,
            ),
        }
        urls = {
            "ours": f"http://127.0.0.1:{ours_port}/bench/ping",
            "bare": f"http://127.0.0.1:{bare_port}/bench/ping",
        }
        try:
            for name, process in servers.items():
                wait_up(urls[name], process, work / f"{name}.log")
            rates: dict[str, list[float]] = {"ours": [], "bare": []}
            for name in urls:  # warm both
                wrk(urls[name], 2, args.connections, args.generator_cpus)
            for _ in range(args.rounds):
                for name in urls:
                    rates[name].append(
                        wrk(urls[name], args.seconds, args.connections, args.generator_cpus)
                    )
        finally:
            for process in servers.values():
                process.terminate()
                process.wait(timeout=20)
    ours, bare = statistics.median(rates["ours"]), statistics.median(rates["bare"])
    cost = 1 - ours / bare
    print(
        f"GET /bench/ping, wrk -c{args.connections}, {args.rounds} alternating rounds of "
        f"{args.seconds} s, servers on CPU {args.server_cpus}, wrk on CPU {args.generator_cpus}"
    )
    print(
        f"bare FastAPI: {bare:,.0f} req/s (rounds: {', '.join(f'{r:,.0f}' for r in rates['bare'])})"
    )
    print(
        f"ours:         {ours:,.0f} req/s (rounds: {', '.join(f'{r:,.0f}' for r in rates['ours'])})"
    )
    verdict = "PASS" if cost < GATE else "FAIL"
    gate = f"(gate < {100 * GATE:.0f} %) {verdict}"
    print(f"ours / bare = {ours / bare:.2f}: our fixed cost {100 * cost:.1f} % {gate}")
    return 1 if args.check and cost >= GATE else 0


if __name__ == "__main__":
    sys.exit(main())
