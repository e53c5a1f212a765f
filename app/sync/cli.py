"""`proasn sync …`: keys, sites, packages out (the centre) and in (a site), checking a file."""

import getpass
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from app.audit.service import Actor
from app.config import get_settings
from app.db import unit_of_work
from app.i18n import N_
from app.sync import push_client, service, tokens
from app.sync.errors import SyncRefused
from app.sync.keys import ServerKeys, keys_at, load_keys, spaced

app = typer.Typer(
    help=N_("Site and central servers: keys, exam packages out/in, checking a file."),
    no_args_is_help=True,
)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

MAX_SHOWN = 50
KIND_WORDS = {"package": "paket ujian", "results": "berkas hasil"}
COUNT_WORDS = {
    "sections": "bagian blueprint",
    "sessions": "sesi",
    "subtests": "subtes",
    "items": "butir",
    "item_versions": "versi butir",
    "agencies": "instansi",
    "participants": "peserta",
    "forms": "formulir",
    "staff": "akun pengawas",
    "assignments": "penugasan pengawas",
    "events": "acara",
    "blueprint": "blueprint",
    "logins": "login peserta",
    "attempts": "tes",
    "attempt_sections": "bagian tes",
    "answers": "jawaban",
    "journal": "jurnal jawaban",
    "scores": "skor mentah",
    "pauses": "jeda",
    "extra_time": "tambahan waktu",
    "seats": "kehadiran",
    "broadcasts": "pesan siaran",
    "incidents": "kejadian",
    "audit": "log audit",
    "audit_subjects": "subjek audit",
}


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    with unit_of_work(get_settings().database_url) as db:
        yield db


@contextmanager
def _refusals(report_file: Path | None = None) -> Iterator[None]:
    try:
        yield
    except SyncRefused as exc:
        err.print(f"[red]DITOLAK[/red] {exc.message}", highlight=False)
        problems = getattr(exc, "problems", [])
        for problem in problems[:MAX_SHOWN]:
            err.print(f"  {problem}", highlight=False)
        if len(problems) > MAX_SHOWN:
            err.print(f"  … dan {len(problems) - MAX_SHOWN} lagi", highlight=False)
        if problems and report_file is not None:
            report_file.write_text(json.dumps(problems, indent=2, ensure_ascii=False))
            err.print(f"Daftar lengkap: {report_file}")
        raise typer.Exit(1) from None


@contextmanager
def _progress(label: str, total: int | None) -> Iterator[Progress]:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        bar.add_task(label, total=total)
        yield bar


def _actor(name: str | None) -> Actor:
    """The operator named with --actor, else the operating-system user (for the audit log)."""
    return Actor(None, f"cli:{name or getpass.getuser()}", "admin")


def _own_keys() -> ServerKeys:
    return load_keys(get_settings().sync_key_file)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        err.print(f"[red]tidak dapat membaca[/red] {path}: {exc.strerror}")
        raise typer.Exit(2) from None


ActorOption = Annotated[
    str | None, typer.Option("--actor", help=N_("Name of the operator (audit)."))
]


@app.command(
    "keys", help=N_("Make this server's key pairs if absent, and show the public key to hand over.")
)
def keys() -> None:
    path = get_settings().sync_key_file
    with _refusals():
        own, created = keys_at(path)
    state = "dibuat" if created else "sudah ada"
    console.print(f"Kunci server {state}: {path} (hanya pemilik yang boleh membaca)")
    console.print(f"Sidik jari: {spaced(own.public.fingerprint)}")
    console.print("Kunci publik (serahkan ke pusat / lokasi):")
    console.print(own.public.text, highlight=False, soft_wrap=True)


@app.command(
    "add-site",
    help=N_("(Centre) Register a site server by name and public key; lists the registered sites."),
)
def add_site(
    name: str,
    public_key: Annotated[str, typer.Option("--public-key", help=N_("Public key of the site."))],
    actor: ActorOption = None,
) -> None:
    with _refusals(), _unit_of_work() as db:
        site, created = service.add_site(db, _actor(actor), name, public_key)
        verb = "didaftarkan" if created else "sudah terdaftar dengan kunci ini"
        console.print(f"Lokasi {site.name} {verb} (sidik jari {spaced(site.fingerprint)}).")
        _print_sites(db)


@app.command("sites", help=N_("(Centre) The registered site servers."))
def sites() -> None:
    with _unit_of_work() as db:
        _print_sites(db)


def _print_sites(db: Session) -> None:
    registered = service.sites(db)
    if not registered:
        console.print("Belum ada lokasi terdaftar.")
    for site in registered:
        console.print(
            f"  {site.name}  {spaced(site.fingerprint)}  "
            f"terdaftar {site.added_at:%Y-%m-%d %H:%M} UTC"
        )


@app.command(
    "trust-central",
    help=N_("(Site) Trust the central server's public key: packages must be signed with it."),
)
def trust_central(public_key: str, actor: ActorOption = None) -> None:
    with _refusals(), _unit_of_work() as db:
        trusted, changed = service.trust_central(db, _actor(actor), public_key)
        verb = "dipercaya" if changed else "sudah dipercaya"
        console.print(f"Kunci pusat {verb}: sidik jari {spaced(trusted.fingerprint)}.")


@app.command(
    "package",
    help=N_(
        "(Centre) One sealed, signed file with what SITE needs to run those "
        "sessions (a session packaged for another site before only with "
        "--reassign)."
    ),
)
def make_package(
    event_code: str,
    site: Annotated[str, typer.Option("--site", help=N_("Name of the destination site."))],
    sessions: Annotated[
        str, typer.Option("--sessions", help=N_("Session codes, comma-separated."))
    ],
    out: Annotated[Path, typer.Option("--out", help=N_("Package file to write."))],
    reassign: Annotated[
        bool,
        typer.Option("--reassign", help=N_("Move sessions already packaged for another site.")),
    ] = False,
    actor: ActorOption = None,
) -> None:
    codes = [c.strip() for c in sessions.split(",") if c.strip()]
    with _refusals():
        own = _own_keys()
        with _unit_of_work() as db, _progress("Mengemas formulir", None) as bar:
            task = bar.task_ids[0]
            data, header = service.make_package(
                db,
                _actor(actor),
                own,
                event_code,
                site,
                codes,
                lambda n: bar.advance(task, n),
                reassign=reassign,
            )
            _write(out, data)
    about = header["about"]
    console.print(
        f"Paket {event_code} versi {about['event']['version']} untuk {site}, sesi "
        f"{', '.join(about['sessions'])}: {out} ({len(data):,} bita)"
    )
    _print_counts(about["counts"])


def _write(out: Path, data: bytes) -> None:
    """Whole or not at all: a half-written package must never look like one."""
    partial = out.with_name(out.name + ".part")
    try:
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        err.print(f"[red]tidak dapat menulis[/red] {out}: {exc.strerror}")
        raise typer.Exit(2) from None


def _print_counts(counts: dict[str, int]) -> None:
    console.print(
        "  " + ", ".join(f"{COUNT_WORDS.get(k, k)} {n:,}" for k, n in counts.items() if n)
    )


@app.command(
    "load-package",
    help=N_("(Site) Verify, decrypt and load a package from the centre (idempotent)."),
)
def load_package(path: Path, actor: ActorOption = None) -> None:
    data = _read(path)
    with _refusals():
        own = _own_keys()
        with _unit_of_work() as db, _progress("Memuat formulir", None) as bar:
            task = bar.task_ids[0]
            report = service.load_package_file(
                db, _actor(actor), own, data, lambda n: bar.advance(task, n)
            )
    console.print(
        f"Paket {report.event_code} versi {report.event_version}, sesi {', '.join(report.sessions)}"
    )
    if not report.changed:
        console.print("Tidak ada perubahan: lokasi ini sudah memegang isi paket ini.")
        return
    for title, counts in (
        ("baru", report.created),
        ("diperbarui", report.updated),
        ("dihapus", report.removed),
    ):
        if +counts:
            console.print(
                f"  {title}: "
                + ", ".join(f"{COUNT_WORDS.get(k, k)} {n:,}" for k, n in counts.items() if n)
            )


@app.command(
    "results",
    help=N_(
        "(Site) The results of this site's sessions of EVENT, signed and sealed "
        "to the centre; may be made while sessions run, and again later."
    ),
)
def make_results(
    event_code: str,
    out: Annotated[Path, typer.Option("--out", help=N_("Results file to write."))],
    actor: ActorOption = None,
) -> None:
    with _refusals():
        own = _own_keys()
        with _unit_of_work() as db, _progress("Mengumpulkan hasil", None) as bar:
            task = bar.task_ids[0]
            data, header = service.make_results(
                db, _actor(actor), own, event_code, lambda n: bar.advance(task, n)
            )
            _write(out, data)
    about = header["about"]
    console.print(
        f"Hasil {event_code}, sesi {', '.join(about['sessions'])}: {out} ({len(data):,} bita)"
    )
    _print_counts(about["counts"])
    if not about["complete"]:
        running = ", ".join(about["running"]) or "-"
        console.print(
            f"[yellow]BELUM LENGKAP[/yellow]: sesi masih berjalan {running}, "
            f"{about['unfinished_attempts']} tes belum dikumpulkan; "
            "buat berkas hasil lagi setelah selesai."
        )


@app.command(
    "load-results",
    help=N_(
        "(Centre) Verify a site's results file and merge it by id (idempotent; "
        "a contradiction refuses the whole file with a report)."
    ),
)
def load_results(
    path: Path,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help=N_("Write the list of contradictions (JSON) here.")),
    ] = None,
    actor: ActorOption = None,
) -> None:
    data = _read(path)
    with _refusals(report_file):
        own = _own_keys()
        with _unit_of_work() as db, _progress("Menggabungkan tabel", None) as bar:
            task = bar.task_ids[0]
            report = service.load_results_file(
                db, _actor(actor), own, data, lambda n: bar.advance(task, n)
            )
    console.print(
        f"Hasil {report.event_code} dari lokasi {report.site}, sesi {', '.join(report.sessions)}"
    )
    if not report.changed:
        console.print("Tidak ada perubahan: pusat sudah memegang isi berkas ini.")
    for title, counts in (("baru", report.added), ("diperbarui", report.updated)):
        if +counts:
            console.print(
                f"  {title}: "
                + ", ".join(f"{COUNT_WORDS.get(k, k)} {n:,}" for k, n in counts.items() if n)
            )
    if report.running or report.unfinished:
        running = ", ".join(report.running) or "-"
        console.print(
            f"[yellow]SEBAGIAN[/yellow]: sesi masih berjalan di lokasi {running}, "
            f"{report.unfinished} tes belum dikumpulkan (menyusul di berkas berikutnya)."
        )


@app.command(
    "verify",
    help=N_(
        "Check a sync file without loading it: layout, signature and, when "
        "sealed to this server, that it opens."
    ),
)
def verify(path: Path) -> None:
    data = _read(path)
    settings = get_settings()
    with _refusals():
        own = load_keys(settings.sync_key_file) if settings.sync_key_file.exists() else None
        with _unit_of_work() as db:
            result = service.verify_file(db, own, data)
    header = result.header
    about = header["about"]
    signer = {"central": "pusat", "self": "server ini"}.get(result.signer, result.signer)
    signer = signer.replace("site:", "lokasi ")
    console.print(
        f"Sah: {KIND_WORDS.get(header['kind'], header['kind'])} {about['event']['code']} versi "
        f"{about['event']['version']}, sesi {', '.join(about['sessions'])}, "
        f"dibuat {header['made_at']}"
    )
    console.print(f"  ditandatangani {signer} ({spaced(header['signer']['fingerprint'])})")
    recipient = header["recipient"]
    if result.opened:
        console.print("  disegel untuk server ini dan isinya terbuka utuh")
        _print_counts(result.counts)
        if result.chained is not None:
            console.print(f"  rantai jurnal jawaban utuh pada {result.chained} tes")
    else:
        console.print(
            f"  disegel untuk {recipient['name']} ({spaced(recipient['fingerprint'])}); "
            "isinya hanya dapat dibuka di sana"
        )


@app.command(
    "site-token",
    help=N_(
        "(Centre) Issue a site's token for pushing results (revoking its "
        "earlier one), or --revoke it. The token is shown once."
    ),
)
def site_token(
    name: str,
    out: Annotated[
        Path | None, typer.Option("--out", help=N_("Write the token to this file (mode 0600)."))
    ] = None,
    revoke: Annotated[
        bool,
        typer.Option("--revoke", help=N_("Revoke this site's token without making a new one.")),
    ] = False,
    actor: ActorOption = None,
) -> None:
    with _refusals(), _unit_of_work() as db:
        if revoke:
            count = tokens.revoke_tokens(db, _actor(actor), name)
            console.print(
                f"Token lokasi {name} dicabut."
                if count
                else f"Lokasi {name} tidak punya token aktif."
            )
            return
        raw = tokens.issue_token(db, _actor(actor), name)
    if out is None:
        console.print(
            f"Token lokasi {name} (hanya ditampilkan sekali; serahkan lewat saluran aman):"
        )
        console.print(raw, highlight=False)
        return
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(raw + "\n")
    os.chmod(out, 0o600)
    console.print(f"Token lokasi {name} ditulis ke {out} (mode 0600).")


@app.command(
    "push",
    help=N_(
        "(Site) Send a results file to the centre over the network (the same file as by hand)."
    ),
)
def push(
    path: Path,
    url: Annotated[
        str,
        typer.Option("--url", help=N_("Address of the central server, e.g. https://pusat.example")),
    ],
    token_file: Annotated[Path, typer.Option("--token-file", help=N_("The site's token file."))],
    timeout: Annotated[
        int, typer.Option("--timeout", help=N_("Seconds to wait for an answer."))
    ] = 600,
) -> None:
    data = _read(path)
    with _refusals():
        token = push_client.read_token(token_file)
        status, body = push_client.send(url, token, data, timeout)
    if status != 200:
        err.print(f"[red]DITOLAK[/red] ({status}) {body.get('message', '')}", highlight=False)
        problems = body.get("problems", [])
        for problem in problems[:MAX_SHOWN]:
            err.print(f"  {problem}", highlight=False)
        if body.get("problem_count", 0) > MAX_SHOWN:
            err.print(f"  … dan {body['problem_count'] - MAX_SHOWN} lagi", highlight=False)
        raise typer.Exit(1)
    console.print(
        f"Terkirim: hasil {body['event']} dari lokasi {body['site']}, sesi "
        f"{', '.join(body['sessions'])} ({len(data):,} bita)"
    )
    if not body["changed"]:
        console.print("Tidak ada perubahan: pusat sudah memegang isi berkas ini.")
    for title, counts in (("baru", body["added"]), ("diperbarui", body["updated"])):
        if any(counts.values()):
            console.print(
                f"  {title}: "
                + ", ".join(f"{COUNT_WORDS.get(k, k)} {n:,}" for k, n in counts.items() if n)
            )
    if not body["complete"]:
        console.print(
            f"[yellow]SEBAGIAN[/yellow]: sesi masih berjalan {', '.join(body['running']) or '-'}, "
            f"{body['unfinished_attempts']} tes belum dikumpulkan (kirim lagi setelah selesai)."
        )
