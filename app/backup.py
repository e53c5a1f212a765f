"""`proasn db backup`: a consistent copy of the database while an exam runs.

SQLite: the online backup API copies every page under one read transaction, so the copy is
the database as of one moment, with writers going on (WAL) beside it. PostgreSQL: `pg_dump`
in the custom format, which reads everything in one snapshot; restore with `pg_restore`.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from app.db import normalise_database_url
from app.i18n import N_, translate


class BackupFailed(RuntimeError):
    pass


def backup_database(database_url: str, out: Path) -> Path:
    """Write a copy of `database_url` to `out` (refuses to overwrite) and return its path."""
    if out.exists():
        raise BackupFailed(
            translate(N_("%(path)s already exists; choose another file name"), {"path": out})
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    url = make_url(normalise_database_url(database_url))
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(Path(url.database or ""), out)
    else:
        _pg_dump(url.set(drivername="postgresql").render_as_string(hide_password=False), out)
    return out


def _sqlite_backup(source: Path, out: Path) -> None:
    if not source.exists():
        raise BackupFailed(translate(N_("database %(path)s does not exist"), {"path": source}))
    partial = out.with_name(out.name + ".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # all pages in one step: one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupFailed(
            translate(N_("the copy failed its check: %(result)s"), {"result": check})
        )
    partial.rename(out)


def _pg_dump(libpq_url: str, out: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupFailed(translate(N_("pg_dump not found (package postgresql-client)")))
    partial = out.with_name(out.name + ".partial")
    command = [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", libpq_url]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        reason = result.stderr.strip()[:500]
        raise BackupFailed(translate(N_("pg_dump failed: %(reason)s"), {"reason": reason}))
    partial.rename(out)
