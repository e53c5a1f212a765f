"""The server under test, in a subprocess pinned to its own core(s), and what it costs the
machine: CPU seconds and resident memory of the server's processes (and PostgreSQL's)."""

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds, RSS bytes) of one process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS, int(fields[21]) * PAGE


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def tree_usage(root: int) -> tuple[float, int]:
    """CPU seconds and RSS bytes of `root` and all its descendants."""
    stats = {pid: s for pid in _all_pids() if (s := _stat(pid)) is not None}
    wanted, cpu, rss = {root}, 0.0, 0
    changed = True
    while changed:
        changed = False
        for pid, (ppid, _, _) in stats.items():
            if ppid in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    for pid in wanted:
        if pid in stats:
            cpu += stats[pid][1]
            rss += stats[pid][2]
    return cpu, rss


def postgres_cpu() -> float:
    """CPU seconds of every process named postgres (0 on SQLite runs)."""
    return sum(
        s[1] for pid in _all_pids() if _comm(pid) == "postgres" and (s := _stat(pid)) is not None
    )


@dataclass
class Server:
    database_url: str
    workdir: Path
    port: int
    workers: int = 1
    cpus: str = "0"
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        env = {
            **os.environ,
            "PROASN_DATABASE_URL": self.database_url,
            "PROASN_ACCESS_CODE_DIR": str(self.workdir),
            **self.extra_env,
        }
        command = [
            str(Path(sys.executable).parent / "proasn"),  # `proasn serve`, as deployed
            "serve",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--no-access-log",
        ]
        if shutil.which("taskset") and self.cpus:
            command = ["taskset", "-c", self.cpus, *command]
        log = (self.workdir / "server.log").open("ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
        self._wait_until_up()
        return self

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError("server exited:\n" + self.log())
            try:
                with urllib.request.urlopen(self.url + "/bench/ping", timeout=1) as response:  # noqa: S310
                    if response.status == 200 and self._workers_up():
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError("server did not start:\n" + self.log())

    def _workers_up(self) -> bool:
        # uvicorn logs this once per worker process, after the lifespan (engine) is up.
        return self.log().count("Application startup complete") >= self.workers

    def usage(self) -> tuple[float, int]:
        assert self.process is not None
        return tree_usage(self.process.pid)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        path = self.workdir / "server.log"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""
