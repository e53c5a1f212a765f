"""One scores export in a process of its own, for `bench.scoring` (bench/scoring/exports.py).

Run as `python -m bench.export_probe '{"url": …, "event": …, "run": …, "format": …}'`; prints
one JSON line with the timings and the memory figures. A fresh process per export keeps the
peak RSS (the kernel's high-water mark, VmHWM) free of whatever the benchmark did
before, so exports of 10k, 100k and 1M rows can be compared. Only what an export worker
needs is imported here (no numpy, no rich), so the baseline is close to that of the export
path itself. Peak RSS is VmHWM (see `peak_rss`).

The sequence mirrors the API route (app/exports/api.py): `prepare_export` (audit entry),
commit, then the rows streamed through the real writers; CSV and NDJSON read their rows in a
session of their own, as the route does. Output bytes go to /dev/null (encoded as the
response would be), so the disk is not measured.
"""

import json
import os
import sys
import time
import tracemalloc
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import Actor
from app.db import make_engine, make_sessionmaker
from app.exports.service import ExportFilter, prepare_export
from app.scoring import repository as scoring_repository
from app.scoring.models import ScoreRecord

try:  # the writers moved to app.kit.streaming (shared with the talent-box export)
    from app.kit import streaming as writers
except ImportError:  # a tree from before the move
    from app.exports import writers  # type: ignore[no-redef, attr-defined]  # an older tree

ACTOR = Actor(None, "bench", "analyst")
PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


def current_rss() -> int:
    """Resident set size now, in bytes (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def peak_rss() -> int:
    """High-water mark of this process's resident set, in bytes: VmHWM of /proc/self/status.

    Not `ru_maxrss`: Linux keeps that across execve, and at exec it takes the high-water mark
    of the forked copy of the parent, so every child would report at least the benchmark
    process's own RSS (about 190 MiB in a --quick run). VmHWM belongs to the new address
    space and starts afresh at exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


class RssSampler:
    """Largest RSS seen while rows stream: the high-water mark cannot tell that phase apart
    from `prepare_export`, which runs first in the same process."""

    def __init__(self, every: int = 1000) -> None:
        self.every = every
        self.rows = 0
        self.max_rss = current_rss()

    def watch(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            self.rows += 1
            if self.rows % self.every == 0:
                self.max_rss = max(self.max_rss, current_rss())
            yield row
        self.max_rss = max(self.max_rss, current_rss())


def write_all(chunks: Iterable[str | bytes]) -> int:
    """Send the chunks to /dev/null as bytes (str chunks encoded, as the response would)."""
    size = 0
    with open(os.devnull, "wb") as sink:
        for chunk in chunks:
            data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
            size += len(data)
            sink.write(data)
    return size


def first_record_only() -> None:
    """Diagnostic (`stream_only`): `prepare_export` reads every record of the run
    (`scoring_repository.records`) only to collect the subtest codes. Answer with the first
    record instead, so the streaming path can be measured on its own. Every simulated record
    has the same four subtests, so the header and the rows are unchanged."""

    def first(db: Session, run_id: uuid.UUID) -> list[ScoreRecord]:
        query = select(ScoreRecord).where(ScoreRecord.run_id == run_id).limit(1)
        return list(db.scalars(query))

    scoring_repository.records = first


def run(
    url: str, event: str, run_number: int, fmt: str, trace: bool, stream_only: bool
) -> dict[str, Any]:
    if stream_only:
        first_record_only()
    rss_start = current_rss()
    if trace:
        tracemalloc.start()
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    sampler = RssSampler()
    started = time.perf_counter()
    with factory() as db:
        export = prepare_export(db, ACTOR, ExportFilter(event, run=run_number), fmt)
        db.commit()  # as the route does: the audit entry stands
        prepared = time.perf_counter()
        peak_after_prepare = peak_rss()
        sampler.max_rss = current_rss()
        if fmt == "xlsx":
            spool = writers.xlsx_file(export.header, sampler.watch(export.rows(db)))
            size = write_all(writers.file_chunks(spool))
        else:
            with factory() as rows_db:
                rows = sampler.watch(export.rows(rows_db))
                chunks = (
                    writers.csv_chunks(export.header, rows)
                    if fmt == "csv"
                    else writers.ndjson_chunks(rows)
                )
                size = write_all(chunks)
    finished = time.perf_counter()
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else None
    engine.dispose()
    if sampler.rows != export.count:
        raise SystemExit(f"exported {sampler.rows} rows, prepare_export counted {export.count}")
    return {
        "format": fmt + (" stream-only" if stream_only else ""),
        "rows": sampler.rows,
        "bytes": size,
        "seconds": finished - started,
        "prepare_seconds": prepared - started,
        "rss_start_mib": rss_start / MIB,
        "peak_after_prepare_mib": peak_after_prepare / MIB,
        "stream_max_rss_mib": sampler.max_rss / MIB,
        # VmHWM is updated lazily by the kernel: never report less than a sampled RSS.
        "peak_rss_mib": max(peak_rss(), sampler.max_rss) / MIB,
        "traced_peak_mib": traced_peak / MIB if traced_peak is not None else None,
    }


def main() -> None:
    job = json.loads(sys.argv[1])
    result = run(
        job["url"],
        job["event"],
        job["run"],
        job["format"],
        job.get("trace", False),
        job.get("stream_only", False),
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
