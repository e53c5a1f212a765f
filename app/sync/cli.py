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
from app.i18n import N_, format_count, translate
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
# The names of a file's kinds and parts (the keys are the file's own, the same in every
# language), as catalogue messages.
KIND_WORDS = {"package": N_("exam package"), "results": N_("results file")}
COUNT_WORDS = {
    "sections": N_("blueprint sections"),
    "sessions": N_("sessions"),
    "subtests": N_("subtests"),
    "items": N_("items"),
    "item_versions": N_("item versions"),
    "agencies": N_("agencies"),
    "participants": N_("participants"),
    "forms": N_("forms"),
    "adaptive_pools": N_("adaptive pools"),
    "staff": N_("proctor accounts"),
    "assignments": N_("proctor assignments"),
    "events": N_("events"),
    "blueprint": N_("blueprint"),
    "logins": N_("participant logins"),
    "attempts": N_("attempts"),
    "attempt_sections": N_("attempt sections"),
    "adaptive_steps": N_("adaptive steps"),
    "answers": N_("answers"),
    "journal": N_("answer journal"),
    "scores": N_("raw scores"),
    "pauses": N_("pauses"),
    "extra_time": N_("extra time"),
    "seats": N_("attendance"),
    "broadcasts": N_("broadcast messages"),
    "incidents": N_("incidents"),
    "audit": N_("audit log"),
    "audit_subjects": N_("audit subjects"),
}
# Headings of the changes a loaded file made.
CREATED, UPDATED, REMOVED = N_("new"), N_("updated"), N_("removed")
REFUSED = N_("REFUSED")
AND_MORE = N_("… and %(count)s more")
NO_CHANGE_AT_CENTRE = N_("No changes: the centre already holds the content of this file.")
PARTIAL = N_("PARTIAL")


def say(message: str, **params: object) -> str:
    """A catalogue message (an N_ msgid) in the run's language, its parameters filled in."""
    return translate(message, params)


def _size(data: bytes) -> str:
    return say(N_("%(size)s bytes"), size=format_count(len(data)))


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(
        f"{translate(COUNT_WORDS[k]) if k in COUNT_WORDS else k} {format_count(n)}"
        for k, n in counts.items()
        if n
    )


def _print_changes(changes: tuple[tuple[str, dict[str, int]], ...]) -> None:
    for title, counts in changes:
        if any(counts.values()):
            console.print(f"  {translate(title)}: {_counted(counts)}")


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    with unit_of_work(get_settings().database_url) as db:
        yield db


@contextmanager
def _refusals(report_file: Path | None = None) -> Iterator[None]:
    try:
        yield
    except SyncRefused as exc:
        err.print(f"[red]{translate(REFUSED)}[/red] {exc.message}", highlight=False)
        problems = getattr(exc, "problems", [])
        for problem in problems[:MAX_SHOWN]:
            err.print(f"  {problem}", highlight=False)
        if len(problems) > MAX_SHOWN:
            err.print("  " + say(AND_MORE, count=len(problems) - MAX_SHOWN), highlight=False)
        if problems and report_file is not None:
            report_file.write_text(json.dumps(problems, indent=2, ensure_ascii=False))
            err.print(say(N_("Full list: %(path)s"), path=report_file))
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
        cannot = translate(N_("cannot read"))
        err.print(f"[red]{cannot}[/red] {path}: {exc.strerror}")
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
    message = (
        N_("Server keys made: %(path)s (only the owner may read them)")
        if created
        else N_("Server keys already exist: %(path)s (only the owner may read them)")
    )
    console.print(say(message, path=path))
    console.print(
        say(N_("Fingerprint: %(fingerprint)s"), fingerprint=spaced(own.public.fingerprint))
    )
    console.print(say(N_("Public key (hand it to the centre / site):")))
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
        message = (
            N_("Site %(name)s registered (fingerprint %(fingerprint)s).")
            if created
            else N_("Site %(name)s already registered with this key (fingerprint %(fingerprint)s).")
        )
        console.print(say(message, name=site.name, fingerprint=spaced(site.fingerprint)))
        _print_sites(db)


@app.command("sites", help=N_("(Centre) The registered site servers."))
def sites() -> None:
    with _unit_of_work() as db:
        _print_sites(db)


def _print_sites(db: Session) -> None:
    registered = service.sites(db)
    if not registered:
        console.print(say(N_("No site registered yet.")))
    for site in registered:
        added = say(N_("registered %(at)s UTC"), at=f"{site.added_at:%Y-%m-%d %H:%M}")
        console.print(f"  {site.name}  {spaced(site.fingerprint)}  {added}")


@app.command(
    "trust-central",
    help=N_("(Site) Trust the central server's public key: packages must be signed with it."),
)
def trust_central(public_key: str, actor: ActorOption = None) -> None:
    with _refusals(), _unit_of_work() as db:
        trusted, changed = service.trust_central(db, _actor(actor), public_key)
        message = (
            N_("Central key trusted: fingerprint %(fingerprint)s.")
            if changed
            else N_("Central key already trusted: fingerprint %(fingerprint)s.")
        )
        console.print(say(message, fingerprint=spaced(trusted.fingerprint)))


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
        with _unit_of_work() as db, _progress(say(N_("Packing forms")), None) as bar:
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
    made = N_("Package %(event)s version %(version)s for %(site)s, sessions %(sessions)s")
    version, listed = about["event"]["version"], ", ".join(about["sessions"])
    made = say(made, event=event_code, version=version, site=site, sessions=listed)
    console.print(f"{made}: {out} ({_size(data)})")
    _print_counts(about["counts"])


@app.command(
    "reclaim",
    help=N_(
        "(Centre) Take sessions packaged for a site back when that site cannot run them: "
        "the centre may open them, and that site's results for them are refused (audited)."
    ),
)
def reclaim(
    event_code: str,
    sessions: Annotated[
        str, typer.Option("--sessions", help=N_("Session codes, comma-separated."))
    ],
    reason: Annotated[
        str, typer.Option("--reason", help=N_("Why the sessions are taken back (audit)."))
    ],
    actor: ActorOption = None,
) -> None:
    codes = [c.strip() for c in sessions.split(",") if c.strip()]
    with _refusals(), _unit_of_work() as db:
        left = service.reclaim_sessions(db, _actor(actor), event_code, codes, reason)
    taken = N_(
        "Session %(session)s of %(event)s taken back from site %(site)s: it runs at the centre "
        "now (open it in the proctor console); that site's results for it are refused."
    )
    for code, site in left.items():
        console.print(say(taken, session=code, event=event_code, site=site))


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
        cannot = translate(N_("cannot write"))
        err.print(f"[red]{cannot}[/red] {out}: {exc.strerror}")
        raise typer.Exit(2) from None


def _print_counts(counts: dict[str, int]) -> None:
    console.print("  " + _counted(counts))


@app.command(
    "load-package",
    help=N_("(Site) Verify, decrypt and load a package from the centre (idempotent)."),
)
def load_package(path: Path, actor: ActorOption = None) -> None:
    data = _read(path)
    with _refusals():
        own = _own_keys()
        with _unit_of_work() as db, _progress(say(N_("Loading forms")), None) as bar:
            task = bar.task_ids[0]
            report = service.load_package_file(
                db, _actor(actor), own, data, lambda n: bar.advance(task, n)
            )
    package = N_("Package %(event)s version %(version)s, sessions %(sessions)s")
    codes = ", ".join(report.sessions)
    console.print(
        say(package, event=report.event_code, version=report.event_version, sessions=codes)
    )
    if not report.changed:
        console.print(say(N_("No changes: this site already holds the content of this package.")))
        return
    _print_changes(
        ((CREATED, report.created), (UPDATED, report.updated), (REMOVED, report.removed))
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
        with _unit_of_work() as db, _progress(say(N_("Collecting results")), None) as bar:
            task = bar.task_ids[0]
            data, header = service.make_results(
                db, _actor(actor), own, event_code, lambda n: bar.advance(task, n)
            )
            _write(out, data)
    about = header["about"]
    codes = ", ".join(about["sessions"])
    made = say(N_("Results %(event)s, sessions %(sessions)s"), event=event_code, sessions=codes)
    console.print(f"{made}: {out} ({_size(data)})")
    _print_counts(about["counts"])
    if not about["complete"]:
        running = ", ".join(about["running"]) or "-"
        later = N_(
            "sessions still running %(running)s, %(unfinished)s attempts not yet submitted; "
            "make a results file again once they are done."
        )
        later = say(later, running=running, unfinished=about["unfinished_attempts"])
        incomplete = say(N_("INCOMPLETE"))
        console.print(f"[yellow]{incomplete}[/yellow]: {later}")


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
        with _unit_of_work() as db, _progress(say(N_("Merging tables")), None) as bar:
            task = bar.task_ids[0]
            report = service.load_results_file(
                db, _actor(actor), own, data, lambda n: bar.advance(task, n)
            )
    codes = ", ".join(report.sessions)
    console.print(say(FROM_SITE, event=report.event_code, site=report.site, sessions=codes))
    if not report.changed:
        console.print(say(NO_CHANGE_AT_CENTRE))
    _print_changes(((CREATED, report.added), (UPDATED, report.updated)))
    if report.running or report.unfinished:
        running = ", ".join(report.running) or "-"
        later = N_(
            "sessions still running at the site %(running)s, %(unfinished)s attempts not yet "
            "submitted (they follow in the next file)."
        )
        later = say(later, running=running, unfinished=report.unfinished)
        console.print(f"[yellow]{say(PARTIAL)}[/yellow]: {later}")


FROM_SITE = N_("Results %(event)s from site %(site)s, sessions %(sessions)s")


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
    signers = {"central": N_("the centre"), "self": N_("this server")}
    if result.signer in signers:
        signer = translate(signers[result.signer])
    elif result.signer.startswith("site:"):
        signer = say(N_("site %(name)s"), name=result.signer.removeprefix("site:"))
    else:
        signer = result.signer
    kind = KIND_WORDS.get(header["kind"])
    valid = {"kind": translate(kind) if kind else header["kind"], "made": header["made_at"]}
    valid |= {"event": about["event"]["code"], "version": about["event"]["version"]}
    console.print(say(VALID, **valid, sessions=", ".join(about["sessions"])))
    fingerprint = spaced(header["signer"]["fingerprint"])
    console.print(
        "  "
        + say(N_("signed by %(signer)s (%(fingerprint)s)"), signer=signer, fingerprint=fingerprint)
    )
    recipient = header["recipient"]
    if result.opened:
        console.print("  " + say(N_("sealed for this server and its content opens whole")))
        _print_counts(result.counts)
        if result.chained is not None:
            whole = N_("answer journal chain whole in %(count)s attempts")
            console.print("  " + say(whole, count=result.chained))
    else:
        sealed = N_("sealed for %(name)s (%(fingerprint)s); its content opens only there")
        fingerprint = spaced(recipient["fingerprint"])
        console.print("  " + say(sealed, name=recipient["name"], fingerprint=fingerprint))


VALID = N_("Valid: %(kind)s %(event)s version %(version)s, sessions %(sessions)s, made %(made)s")


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
            message = (
                N_("Token of site %(name)s revoked.")
                if count
                else N_("Site %(name)s has no active token.")
            )
            console.print(say(message, name=name))
            return
        raw = tokens.issue_token(db, _actor(actor), name)
    if out is None:
        console.print(
            say(
                N_("Token of site %(name)s (shown only once; hand it over a safe channel):"),
                name=name,
            )
        )
        console.print(raw, highlight=False)
        return
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(raw + "\n")
    os.chmod(out, 0o600)
    console.print(
        say(N_("Token of site %(name)s written to %(path)s (mode 0600)."), name=name, path=out)
    )


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
        refused = translate(REFUSED)
        err.print(f"[red]{refused}[/red] ({status}) {body.get('message', '')}", highlight=False)
        problems = body.get("problems", [])
        for problem in problems[:MAX_SHOWN]:
            err.print(f"  {problem}", highlight=False)
        if body.get("problem_count", 0) > MAX_SHOWN:
            more = say(AND_MORE, count=body["problem_count"] - MAX_SHOWN)
            err.print(f"  {more}", highlight=False)
        raise typer.Exit(1)
    sent = say(
        N_("Sent: results %(event)s from site %(site)s, sessions %(sessions)s"),
        event=body["event"],
        site=body["site"],
        sessions=", ".join(body["sessions"]),
    )
    console.print(f"{sent} ({_size(data)})")
    if not body["changed"]:
        console.print(say(NO_CHANGE_AT_CENTRE))
    _print_changes(((CREATED, body["added"]), (UPDATED, body["updated"])))
    if not body["complete"]:
        later = N_(
            "sessions still running %(running)s, %(unfinished)s attempts not yet submitted "
            "(send again once they are done)."
        )
        running = ", ".join(body["running"]) or "-"
        later = say(later, running=running, unfinished=body["unfinished_attempts"])
        console.print(f"[yellow]{say(PARTIAL)}[/yellow]: {later}")
