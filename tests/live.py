"""A real server in a subprocess (uvicorn), for browser and crash tests.

Each live server gets a database copied from the migrated template and a clock offset file,
so timer tests jump ahead instead of sleeping.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    database_url: str
    workdir: Path
    port: int = field(default_factory=free_port)
    workers: int = 1
    heartbeat_seconds: int = 5
    access_log: bool = False  # every request the server received, in server.log
    env: dict[str, str] = field(default_factory=dict)  # more PROASN_* settings
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def clock_file(self) -> Path:
        return self.workdir / "clock-offset"

    def shift_clock(self, seconds: float) -> None:
        """Move the server's clock `seconds` ahead of real time (cumulative)."""
        current = float(self.clock_file.read_text() or 0) if self.clock_file.exists() else 0.0
        self.clock_file.write_text(str(current + seconds))

    def start(self) -> "LiveServer":
        env = {
            **os.environ,
            "PROASN_DATABASE_URL": self.database_url,
            "PROASN_CLOCK_OFFSET_FILE": str(self.clock_file),
            "PROASN_SWEEPER_SECONDS": "0.5",
            "PROASN_HEARTBEAT_SECONDS": str(self.heartbeat_seconds),
            "PROASN_SIGNAL_DELAY_SECONDS": "0",  # the stream at once (tests act right away)
            **self.env,
        }
        if not self.clock_file.exists():
            self.clock_file.write_text("0")
        log = (self.workdir / "server.log").open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "info" if self.access_log else "warning",
                "--workers",
                str(self.workers),
                "--no-proxy-headers",  # as docker/entrypoint.sh and `proasn serve` start it
                "--timeout-graceful-shutdown",  # open pages' event streams (as they do)
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        self._wait_until_up()
        return self

    def _wait_until_up(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process and self.process.poll() is None, self.log()
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError("server did not start:\n" + self.log())

    def worker_pids(self) -> list[int]:
        """The worker processes of a multi-worker server (children of the uvicorn master)."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        # Not multiprocessing's resource tracker: the processes spawned to serve.
        return [p for p in pids if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]

    def kill_hard(self) -> None:
        """kill -9: no shutdown handlers, no flushing — a power cut for the process."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def requests_received(self) -> list[tuple[str, str]]:
        """(method, path?query) of every request the server has received (`access_log`);
        the signal stream's stamp (`sejak`, when the page loaded) reads `sejak=<t>`."""
        text = (self.workdir / "server.log").read_text(errors="replace")
        found = re.findall(r'"([A-Z]+) (\S+) HTTP/[\d.]+" \d{3}', text)
        return [(method, re.sub(r"sejak=[\d.]+", "sejak=<t>", path)) for method, path in found]

    def log(self) -> str:
        path = self.workdir / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""
