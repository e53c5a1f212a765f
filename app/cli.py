"""`proasn`: the one command-line entry point (serve, demo, db, bank, event)."""

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from app import migrate
from app.bank.loader import LoadedBank, load_bank
from app.bank.service import import_bank
from app.cli_language import LANG_HELP, LANG_OPTION, LocalisedGroup
from app.config import get_settings
from app.db import unit_of_work as db_unit_of_work
from app.exams import repository as exams_repository
from app.exams.event_file import EventFileInvalid, read_event_file
from app.exams.participant_file import FileProblem, ParticipantFileInvalid, read_participant_file
from app.exams.preparation import SessionNotPreparable, prepare_sessions
from app.exams.service import EventImportRejected, IssuedCode, import_event
from app.i18n import N_, format_count, translate
from app.kit import clock
from app.kit.streaming import csv_chunks
from app.sync import cli as sync_cli
from app.talentbox import cli as talentbox_cli

if TYPE_CHECKING:  # the commands import these where they use them
    from app.audit.service import Actor
    from app.privacy.purge import PurgeReport
    from app.scoring.parameter_sets import SubtestResult

app = typer.Typer(
    cls=LocalisedGroup,
    help=N_("ProASN CAT — computer-based potency test server."),
    no_args_is_help=True,
)
db_app = typer.Typer(help=N_("Database: schema migrations."), no_args_is_help=True)
bank_app = typer.Typer(help=N_("Question bank: validate, import, generate."), no_args_is_help=True)
event_app = typer.Typer(
    help=N_("Exam events: import participants, prepare sessions."), no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(bank_app, name="bank")
app.add_typer(event_app, name="event")
users_app = typer.Typer(help=N_("Staff accounts: create, assign proctors."), no_args_is_help=True)
app.add_typer(users_app, name="users")
scores_app = typer.Typer(help=N_("Scoring: new runs, publish."), no_args_is_help=True)
app.add_typer(scores_app, name="scores")
export_app = typer.Typer(help=N_("Exports for analysts."), no_args_is_help=True)
app.add_typer(export_app, name="export")
tokens_app = typer.Typer(help=N_("Analyst API tokens."), no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")
app.add_typer(talentbox_cli.app, name="talenta")
app.add_typer(sync_cli.app, name="sync")


@app.callback()
def _assemble(
    lang: Annotated[str | None, typer.Option(LANG_OPTION, help=LANG_HELP)] = None,
) -> None:
    """Every command runs with the parts registered where the app is assembled (the talent
    box's, scoring's parameter sets for adaptive pools: app/extensions.py). `lang` was
    read before parsing (app/cli_language.py): the help is printed in it too."""
    from app import extensions

    extensions.install()


CLI_ACTOR_ROLE = "analyst"

# How a problem of an imported file is printed (the problem's text is rendered where it is found).
ERROR = N_("ERROR")
WARNING = N_("WARNING")
ROW_PROBLEM = N_("%(path)s: row %(row)s, column %(column)s: %(message)s")
BANK_SUMMARY = N_("%(items)s valid items, %(problems)s errors, %(warnings)s warnings in %(root)s")

# soft_wrap: messages name files and rows; never break them across lines.
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EVENT_NOT_FOUND = N_("Event '%(code)s' not found.")
DRAWING_FORMS = N_("Drawing forms")
CANNOT_WRITE = N_("cannot write")


def say(message: str, **params: object) -> str:
    """A catalogue message (an N_ msgid) in the run's language, its parameters filled in."""
    return translate(message, params)


def red(message: str, **params: object) -> str:
    """`say`, in red (Rich markup)."""
    return f"[red]{translate(message, params)}[/red]"


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction for a CLI job: committed at the end, rolled back on any error."""
    with db_unit_of_work(get_settings().database_url) as db_session:
        yield db_session


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Progress]:
    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        progress.add_task(label, total=total)
        yield progress


def _advance(progress: Progress) -> Callable[[int], None]:
    task_id = progress.task_ids[0]
    return lambda n: progress.advance(task_id, n)


# --- db ---------------------------------------------------------------------------------------


@db_app.command("upgrade", help=N_("Run the schema migrations (Alembic) on PROASN_DATABASE_URL."))
def db_upgrade(revision: str = "heads") -> None:
    migrate.upgrade(get_settings().database_url, revision)
    done = say(N_("Database schema up to date"))
    console.print(f"[green]{done}[/green] ({revision}).")


@db_app.command(
    "backup",
    help=N_(
        "A consistent copy of PROASN_DATABASE_URL, safe while an exam runs "
        "(SQLite online backup; pg_dump custom format for PostgreSQL)."
    ),
)
def db_backup(
    out: Annotated[Path, typer.Argument(help=N_("Copy file (must not exist yet)."))],
) -> None:
    from app.backup import BackupFailed, backup_database

    try:
        written = backup_database(get_settings().database_url, out)
    except BackupFailed as exc:
        err.print(f"[red]{translate(ERROR)}[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    size = format_count(written.stat().st_size)
    console.print(
        say(N_("Database copy written to %(path)s (%(size)s bytes)."), path=written, size=size)
    )


# --- bank -------------------------------------------------------------------------------------


def _report_bank(bank: LoadedBank, strict: bool) -> bool:
    for problem in bank.problems:
        err.print(f"[red]{translate(ERROR)}[/red] {problem}", highlight=False)
    for warning in bank.warnings:
        err.print(f"[yellow]{translate(WARNING)}[/yellow] {warning}", highlight=False)
    failed = bool(bank.problems) or (strict and bool(bank.warnings))
    counts = {"items": len(bank.items), "problems": len(bank.problems)}
    summary = translate(BANK_SUMMARY, {**counts, "warnings": len(bank.warnings), "root": bank.root})
    (err if failed else console).print(summary, highlight=False)
    return not failed


@bank_app.command(
    "validate", help=N_("Check a bank folder and report every problem (file, item id, field).")
)
def bank_validate(
    path: Path,
    strict: Annotated[bool, typer.Option(help=N_("Warnings count as failures too."))] = False,
) -> None:
    if not _report_bank(load_bank(path), strict):
        raise typer.Exit(1)


@bank_app.command(
    "import",
    help=N_("Validate, then import a bank folder in one transaction (idempotent, versioned)."),
)
def bank_import(
    path: Path,
    strict: Annotated[bool, typer.Option(help=N_("Warnings count as failures too."))] = False,
) -> None:
    bank = load_bank(path)
    if not _report_bank(bank, strict):
        err.print(red(N_("Nothing imported.")))
        raise typer.Exit(1)
    label = say(N_("Importing items"))
    with unit_of_work() as db_session, progress_bar(label, len(bank.items)) as bar:
        report = import_bank(db_session, bank, _advance(bar))
    counts = report.counts
    if not report.changed:
        console.print(
            say(N_("No changes: %(items)s items already the same."), items=len(bank.items))
        )
        return
    summary = N_(
        "New %(new)s, updated %(updated)s, new version %(new_version)s, unchanged "
        "%(unchanged)s; subtests changed %(subtests)s."
    )
    console.print(
        say(
            summary,
            new=counts["new"],
            updated=counts["updated"],
            new_version=counts["new version"],
            unchanged=counts["unchanged"],
            subtests=report.subtests_changed,
        )
    )


@bank_app.command(
    "calibrate",
    help=N_(
        "Calibrate items from the answers of an event (MML-EM; 2PL/3PL/GRM), "
        "with SE, S-X² fit and linking to the bank's scale; --save stores them "
        "as a parameter set."
    ),
)
def bank_calibrate(
    event_code: str,
    subtest: Annotated[str | None, typer.Option(help=N_("Only this subtest."))] = None,
    model: Annotated[
        str, typer.Option(help=N_("Keyed items: auto (the bank's model) | 2pl | 3pl."))
    ] = "auto",
    link: Annotated[
        str,
        typer.Option(help=N_("Linking to the bank's scale: stocking-lord | mean-sigma | none.")),
    ] = "stocking-lord",
    save: Annotated[
        str | None,
        typer.Option(help=N_("Save as a new version of the parameter set with this name.")),
    ] = None,
    note: Annotated[str, typer.Option(help=N_("Note of the parameter set."))] = "",
    force: Annotated[
        bool, typer.Option(help=N_("Save even when EM has not converged or item data are thin."))
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help=N_("Write the result (JSON) to this file."))
    ] = None,
) -> None:
    import json

    from app.scoring import parameter_sets

    try:
        parameter_sets.check_options(model.lower(), link.lower())
        name = parameter_sets.check_name(save) if save is not None else None
    except parameter_sets.CalibrationRefused as exc:
        err.print(f"[red]{translate(ERROR)}[/red] {exc.message}")
        raise typer.Exit(1) from None
    if out is not None and not _writable(out):
        problem = say(N_("--out: cannot write to %(path)s (missing folder?)"), path=out)
        err.print(f"[red]{translate(ERROR)}[/red] {problem}")
        raise typer.Exit(1)
    with unit_of_work() as db_session:  # nothing is saved unless every step below succeeds
        event = exams_repository.event_by_code(db_session, event_code)
        if event is None:
            err.print(red(EVENT_NOT_FOUND, code=event_code))
            raise typer.Exit(1)
        try:
            with progress_bar(say(N_("Calibrating subtests")), None) as bar:
                results = parameter_sets.calibrate_event(
                    db_session, event.id, subtest, model.lower(), link.lower(), _advance(bar)
                )
        except parameter_sets.CalibrationRefused as exc:
            err.print(f"[red]{translate(ERROR)}[/red] {exc.message}")
            raise typer.Exit(1) from None
        saved, refused = None, None
        if name:
            try:
                saved = parameter_sets.save(
                    db_session, _cli_actor(None), event, name, results, note, force
                )
            except parameter_sets.CalibrationRefused as exc:
                refused = exc.message  # the estimates are still shown and written
        report = _calibration_report(results)
        if out is not None:
            try:
                out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
            except OSError as exc:
                problem = N_("--out %(path)s: %(reason)s; nothing saved")
                err.print(
                    f"[red]{translate(ERROR)}[/red] {say(problem, path=out, reason=exc.strerror)}"
                )
                raise typer.Exit(1) from None
            console.print(say(N_("Written: %(path)s"), path=out))
        if refused:
            err.print(f"[red]{translate(ERROR)}[/red] {refused}")
            raise typer.Exit(1)
        if saved is not None:
            forced = any(s.get("forced") for s in saved.subtests.values())
            message = (
                N_(
                    "Saved: parameter set %(name)s v%(version)s (%(id)s) — with --force: "
                    "thin data, its page warns."
                )
                if forced
                else N_("Saved: parameter set %(name)s v%(version)s (%(id)s).")
            )
            console.print(say(message, name=saved.name, version=saved.version, id=saved.id))


def _writable(path: Path) -> bool:
    """Whether --out can be written, checked before any work (a dangling link, a missing
    folder, a folder, a name too long, no permission)."""
    try:
        target = path.resolve()
        if target.is_dir() or not target.parent.is_dir():
            return False
        return os.access(target if target.exists() else target.parent, os.W_OK)
    except OSError:
        return False


def _calibration_report(results: "list[SubtestResult]") -> dict[str, Any]:
    """Print the estimates beside the bank's; the same as JSON for --out."""
    report: dict[str, Any] = {}
    for result in results:
        state = say(N_("converged")) if result.converged else say(N_("NOT converged"))
        summary = N_(
            "%(subtest)s (%(model)s): %(items)s items, %(persons)s takers, "
            "%(iterations)s EM iterations, %(state)s"
        )
        console.print(
            say(
                summary,
                subtest=result.subtest,
                model=result.model,
                items=len(result.items),
                persons=result.persons,
                iterations=result.iterations,
                state=state,
            )
        )
        if result.link:
            linking = N_(
                "linking %(method)s: A %(slope)s, B %(intercept)s, %(anchors)s anchor items"
            )
            slope, intercept = f"{result.link.slope:.4f}", f"{result.link.intercept:.4f}"
            link = {"method": result.link.method, "slope": slope, "intercept": intercept}
            console.print("  " + say(linking, **link, anchors=result.link.anchors))
        for item in result.items:
            values = ", ".join(
                f"{k} {_fmt(v)} (SE {_fmt(item.se[k])})"
                for k, v in item.params.items()
                if k != "model"
            )
            fit = item.fit
            fitted = (
                f"; S-X² {fit.statistic:.1f} df {fit.df} p {fit.p_value:.3f}"
                if fit and fit.statistic is not None and fit.p_value is not None
                else ""
            )
            bank = item.bank or {}
            beside = ", ".join(
                f"{k} {_fmt(bank[k])}" for k in ("a", "b", "c", "thresholds") if k in bank
            )
            console.print(
                f"  {item.code}: n {item.n}, {values}{fitted}"
                + (f"; bank: {beside}" if beside else "")
            )
        report[result.subtest] = {
            **result.summary(),
            "items": [
                {
                    "code": item.code,
                    "item_version_id": str(item.version_id),
                    "model": item.model,
                    "n": item.n,
                    "params": item.params,
                    "se": item.se,
                    "bank": item.bank,
                    "fit": vars(item.fit) if item.fit else None,
                }
                for item in result.items
            ],
        }

    return report


def _fmt(value: float | list[float]) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(f"{v:.3f}" for v in value) + "]"
    return f"{value:.3f}"


@bank_app.command(
    "generate-pool", help=N_("Write a large generated bank (for full-length forms and load tests).")
)
def bank_generate_pool(
    out: Path,
    items: Annotated[int, typer.Option(help=N_("Number of items."))] = 1200,
    seed: Annotated[int, typer.Option(help=N_("Generator seed."))] = 20261128,
) -> None:
    from question_bank.generators.pool import write_pool

    written = write_pool(out, items, seed)
    console.print(say(N_("%(items)s items written to %(path)s."), items=written, path=out))


# --- event ------------------------------------------------------------------------------------


@event_app.command(
    "import", help=N_("Create or update an event and its participants — all or nothing.")
)
def event_import(
    event_file: Path,
    participants: Annotated[
        Path, typer.Option("--participants", "-p", help=N_("Participant list, .csv or .xlsx."))
    ],
    redraw: Annotated[
        bool,
        typer.Option(
            help=N_("Redraw the forms of sessions not yet open when the blueprint changed.")
        ),
    ] = False,
    codes_out: Annotated[
        Path | None,
        typer.Option(
            help=N_("CSV file for new access codes (default: in PROASN_ACCESS_CODE_DIR).")
        ),
    ] = None,
) -> None:
    try:
        doc = read_event_file(event_file)
        rows = read_participant_file(participants)
    except EventFileInvalid as exc:
        for message in exc.errors:
            err.print(f"[red]{translate(ERROR)}[/red] {exc.path}: {message}", highlight=False)
        raise typer.Exit(1) from None
    except ParticipantFileInvalid as exc:
        _print_row_problems(exc.path, exc.problems)
        raise typer.Exit(1) from None
    try:
        with unit_of_work() as db_session, progress_bar(say(DRAWING_FORMS), None) as bar:
            report = import_event(db_session, doc, rows, redraw=redraw, progress=_advance(bar))
    except EventImportRejected as exc:
        for message in exc.setup_problems:
            err.print(f"[red]{translate(ERROR)}[/red] {event_file}: {message}", highlight=False)
        _print_row_problems(participants, exc.row_problems)
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    summary = EVENT_CREATED if report.event_created else EVENT_UPDATED
    console.print(
        say(
            summary,
            code=doc.code,
            created=report.participants_created,
            updated=report.participants_updated,
            moved=report.participants_moved,
            absent=report.participants_not_in_file,
            drawn=report.forms_drawn,
            redrawn=report.forms_redrawn,
        )
    )
    if report.issued_codes:
        target = codes_out or _default_codes_path(doc.code)
        write_access_codes(target, report.issued_codes)
        codes = sum(1 for c in report.issued_codes if c.access_code)
        pins = sum(1 for c in report.issued_codes if c.pin)
        issued = (
            say(N_("%(codes)s new access codes and %(pins)s login PINs"), codes=codes, pins=pins)
            if pins
            else say(N_("%(codes)s new access codes"), codes=codes)
        )
        where = say(N_("written to %(path)s (shown only once; keep it safe)."), path=target)
        console.print(f"[bold]{issued}[/bold] {where}")


EVENT_CREATED = N_(
    "Event %(code)s created: new participants %(created)s, updated %(updated)s (moved session "
    "%(moved)s), not in the file %(absent)s; forms drawn %(drawn)s, redrawn %(redrawn)s."
)
EVENT_UPDATED = N_(
    "Event %(code)s updated: new participants %(created)s, updated %(updated)s (moved session "
    "%(moved)s), not in the file %(absent)s; forms drawn %(drawn)s, redrawn %(redrawn)s."
)


def _print_row_problems(path: Path, problems: list[FileProblem]) -> None:
    for p in problems:
        where = {"path": path, "row": p.row, "column": p.column, "message": p.message}
        err.print(f"[red]{translate(ERROR)}[/red] {translate(ROW_PROBLEM, where)}", highlight=False)


def _default_codes_path(event_code: str) -> Path:
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    return get_settings().access_code_dir / f"kode-akses-{event_code}-{stamp}.csv"


def write_access_codes(path: Path, codes: list[IssuedCode]) -> None:
    """Credentials: the file is created readable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    header = ["nip", "nama", "sesi", "kode_akses"]
    rows = [[c.nip, c.name, c.session_code, c.access_code] for c in codes]
    if any(c.pin for c in codes):  # the event asks for a login PIN
        header.append("pin")
        for row, c in zip(rows, codes, strict=True):
            row.append(c.pin or "")
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        handle.writelines(csv_chunks(header, rows))


@event_app.command(
    "prepare", help=N_("Draw every participant's form for the event's sessions before they open.")
)
def event_prepare(
    event_code: str,
    session: Annotated[
        list[str] | None,
        typer.Option("--session", "-s", help=N_("Session code (may be repeated).")),
    ] = None,
) -> None:
    with unit_of_work() as db_session:
        event = exams_repository.event_by_code(db_session, event_code)
        if event is None:
            err.print(red(EVENT_NOT_FOUND, code=event_code))
            raise typer.Exit(1)
        total = len(exams_repository.participants(db_session, event.id))
        try:
            with progress_bar(say(DRAWING_FORMS), total) as bar:
                report = prepare_sessions(db_session, event, session, _advance(bar))
        except (SessionNotPreparable, ValueError) as exc:
            err.print(f"[red]{translate(ERROR)}[/red] {exc}")
            raise typer.Exit(1) from None
    for code, count in report.forms_drawn.items():
        ready = N_("Session %(code)s: %(forms)s forms drawn; session ready.")
        console.print(say(ready, code=code, forms=count))


@event_app.command(
    "show",
    help=N_("Sessions of an event with their local start time, token, status and registrations."),
)
def event_show(event_code: str) -> None:
    from app.exams.overview import event_overview

    with unit_of_work() as db_session:
        overview = event_overview(db_session, event_code)
    if overview is None:
        err.print(red(EVENT_NOT_FOUND, code=event_code))
        raise typer.Exit(1)
    console.print(overview.render_text(), highlight=False)


@event_app.command(
    "replay-adaptive",
    help=N_(
        "Audit the event's adaptive sections: choose each attempt's items again from the "
        "frozen pool, its seed and its stored answers, and compare with what was given."
    ),
)
def event_replay_adaptive(
    event_code: str,
    nip: Annotated[str | None, typer.Option(help=N_("Only this participant (NIP)."))] = None,
) -> None:
    from app.audit.service import record
    from app.delivery.replays import replay_event
    from app.delivery.repository import attempts_with_steps

    with unit_of_work() as db_session:
        event = exams_repository.event_by_code(db_session, event_code)
        if event is None:
            err.print(red(EVENT_NOT_FOUND, code=event_code))
            raise typer.Exit(1)
        attempts = attempts_with_steps(db_session, event, nip)
        if not attempts:
            err.print(red(N_("No attempt of this event was given adaptive items.")))
            raise typer.Exit(1)
        different = 0
        with progress_bar(say(N_("Replaying")), len(attempts)) as bar:
            replays = list(replay_event(db_session, event, attempts, _advance(bar)))
        for replay in replays:
            for section in replay.sections:
                if section.matches:
                    line = N_("%(nip)s %(name)s, section %(section)s: %(n)s items, the same")
                    console.print(
                        say(
                            line,
                            nip=replay.nip,
                            name=replay.name,
                            section=section.section_position,
                            n=len(section.items),
                        ),
                        highlight=False,
                    )
                else:
                    different += 1
                    line = N_("%(nip)s %(name)s, section %(section)s: DIFFERENT (%(problem)s)")
                    problem = translate(section.problem or "-", section.problem_params)
                    # On stdout with the other lines: a saved report keeps what differs.
                    console.print(
                        red(
                            line,
                            nip=replay.nip,
                            name=replay.name,
                            section=section.section_position,
                            problem=problem,
                        ),
                        highlight=False,
                    )
        record(
            db_session,
            _cli_actor(None),
            "adaptive.replay",
            target_type="event",
            target_id=event.id,
            target_label=event.code,
            attempts=len(replays),
            different=different,
            subjects=[r.nip for r in replays],
        )
    summary = N_("%(attempts)s attempts replayed; %(different)s sections differ.")
    console.print(say(summary, attempts=len(replays), different=different))
    if different:
        raise typer.Exit(1)


# --- users ------------------------------------------------------------------------------------


@users_app.command(
    "create", help=N_("Create a staff account (the password is prompted, or read from stdin).")
)
def users_create(
    username: Annotated[str, typer.Option(help=N_("User name."))],
    role: Annotated[str, typer.Option(help=N_("admin | proctor | analyst | agency_viewer"))],
    full_name: Annotated[str, typer.Option(help=N_("Full name."))] = "",
    agency: Annotated[str | None, typer.Option(help=N_("Agency code (agency_viewer)."))] = None,
    password_stdin: Annotated[
        bool, typer.Option(help=N_("Read the password from stdin, not from a prompt."))
    ] = False,
) -> None:
    import sys

    from app.accounts.service import InvalidAccount, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt(say(N_("Password")), hide_input=True, confirmation_prompt=True)
    with unit_of_work() as db_session:
        agency_id = None
        if agency:
            found = exams_repository.agencies_by_code(db_session, [agency]).get(agency)
            if found is None:
                err.print(red(N_("Unknown agency '%(code)s'."), code=agency))
                raise typer.Exit(1)
            agency_id = found.id
        try:
            create_user(db_session, username, password, role, full_name, agency_id)
        except InvalidAccount as exc:
            err.print(f"[red]{translate(ERROR)}[/red] {exc}")
            raise typer.Exit(1) from None
    created = N_("Account %(username)s (%(role)s) created.")
    console.print(say(created, username=username, role=role))


@users_app.command("assign", help=N_("Assign a proctor to an exam session."))
def users_assign(
    username: Annotated[str, typer.Option(help=N_("Proctor."))],
    event_code: Annotated[str, typer.Option("--event", help=N_("Event code."))],
    session_code: Annotated[str, typer.Option("--session", help=N_("Session code."))],
) -> None:
    from app.proctoring.assignments import AssignmentError, assign_proctor

    with unit_of_work() as db_session:
        try:
            created = assign_proctor(db_session, username, event_code, session_code)
        except AssignmentError as exc:
            err.print(f"[red]{translate(ERROR)}[/red] {exc}")
            raise typer.Exit(1) from None
    console.print(say(N_("Proctor assigned.") if created else N_("Proctor already assigned.")))


# --- scoring and exports ----------------------------------------------------------------------


def _cli_actor(username: str | None) -> "Actor":
    from app.audit.service import Actor

    return Actor(None, f"cli:{username or os.environ.get('USER', 'unknown')}", CLI_ACTOR_ROLE)


@scores_app.command("run", help=N_("Score an event into a new scoring run."))
def scores_run(
    event_code: str,
    norm: Annotated[
        str | None, typer.Option(help=N_("Norm id; default: a new norm from the cohort."))
    ] = None,
    note: Annotated[str, typer.Option(help=N_("Note of the run."))] = "",
    parameters: Annotated[
        str | None,
        typer.Option(
            help=N_("Item parameter set NAME or NAME:VERSION; default: the bank's parameters.")
        ),
    ] = None,
) -> None:
    import uuid

    from app.scoring.service import ScoringRefused, run_scoring

    with unit_of_work() as db_session:
        event = exams_repository.event_by_code(db_session, event_code)
        if event is None:
            err.print(red(EVENT_NOT_FOUND, code=event_code))
            raise typer.Exit(1)
        chosen = None
        if parameters:
            from app.scoring.parameter_sets import ParameterSetUnknown, find_set

            try:
                chosen = find_set(db_session, parameters).id
            except ParameterSetUnknown as exc:
                err.print(f"[red]{translate(ERROR)}[/red] {exc.message}")
                raise typer.Exit(1) from None
        try:
            run = run_scoring(
                db_session,
                event,
                _cli_actor(None),
                uuid.UUID(norm) if norm else None,
                note,
                parameter_set_id=chosen,
            )
        except ScoringRefused as exc:
            err.print(f"[red]{translate(ERROR)}[/red] {exc.message}")
            raise typer.Exit(1) from None
        console.print(say(N_("Run %(number)s created (%(id)s)."), number=run.number, id=run.id))


@scores_app.command(
    "make-norm",
    help=N_(
        "Freeze a norm from the finished attempts of one or more events (optionally one eselon)."
    ),
)
def scores_make_norm(
    name: str,
    event: Annotated[list[str], typer.Option("--event", help=N_("Event code (may be repeated)."))],
    eselon: Annotated[str | None, typer.Option(help=N_("Only this eselon (II, III, IV)."))] = None,
) -> None:
    from app.scoring.service import ScoringRefused, norm_from_events

    with unit_of_work() as db_session:
        maybe = [exams_repository.event_by_code(db_session, code) for code in event]
        events = [e for e in maybe if e is not None]
        if len(events) < len(maybe):
            err.print(red(N_("Event not found.")))
            raise typer.Exit(1)
        try:
            norm = norm_from_events(db_session, _cli_actor(None), name, events, eselon)
        except ScoringRefused as exc:
            err.print(f"[red]{translate(ERROR)}[/red] {exc.message}")
            raise typer.Exit(1) from None
        made = N_("Norm %(name)s v%(version)s created (%(id)s).")
        console.print(say(made, name=norm.name, version=norm.version, id=norm.id))


@scores_app.command(
    "import-norm",
    help=N_("Import a norm table (CSV: subtest, metric, mean, sd, n; plus a _composite row)."),
)
def scores_import_norm(
    name: str,
    path: Path,
    description: Annotated[str, typer.Option(help=N_("Description of the cohort."))] = "",
) -> None:
    from app.scoring.norm_import import NormFileInvalid, import_norm, read_norm_file

    try:
        rows = read_norm_file(path)
    except NormFileInvalid as exc:
        for problem in exc.problems:
            err.print(f"[red]{translate(ERROR)}[/red] {path}: {problem}", highlight=False)
        raise typer.Exit(1) from None
    with unit_of_work() as db_session:
        norm = import_norm(db_session, _cli_actor(None), name, description, rows)
        imported = N_("Norm %(name)s v%(version)s imported (%(id)s).")
        console.print(say(imported, name=norm.name, version=norm.version, id=norm.id))


@scores_app.command("publish", help=N_("Publish a scoring run of an event."))
def scores_publish(event_code: str, run_number: int) -> None:
    from app.scoring import repository as scoring_repository
    from app.scoring.service import publish

    with unit_of_work() as db_session:
        event = exams_repository.event_by_code(db_session, event_code)
        runs = {r.number: r for r in scoring_repository.runs(db_session, event.id)} if event else {}
        if run_number not in runs:
            err.print(red(N_("Run %(number)s not found."), number=run_number))
            raise typer.Exit(1)
        changed = publish(db_session, _cli_actor(None), runs[run_number])
    console.print(say(N_("Published.") if changed else N_("Already published before.")))


@export_app.command("scores", help=N_("Export the scores of a run (streamed, with progress)."))
def export_scores(
    event_code: Annotated[str, typer.Option("--event", help=N_("Event code."))],
    out: Annotated[Path, typer.Option(help=N_("Output file."))],
    fmt: Annotated[str, typer.Option("--format", help=N_("csv | xlsx | ndjson"))] = "csv",
    run: Annotated[
        int | None, typer.Option(help=N_("Run number (default: the published one)."))
    ] = None,
    session: Annotated[str | None, typer.Option(help=N_("Filter: session code."))] = None,
    agency: Annotated[str | None, typer.Option(help=N_("Filter: agency code."))] = None,
    eselon: Annotated[str | None, typer.Option(help=N_("Filter: eselon (II, III, IV)."))] = None,
) -> None:
    import shutil

    from app.exports.service import ExportFilter, ExportRefused, prepare_export
    from app.kit import streaming as writers

    with unit_of_work() as db_session:
        try:
            export = prepare_export(
                db_session,
                _cli_actor(None),
                ExportFilter(event_code, run, session, agency, eselon),
                fmt,
            )
        except ExportRefused as exc:
            err.print(f"[red]{translate(ERROR)}[/red] {exc.message}")
            raise typer.Exit(1) from None
        with progress_bar(say(N_("Exporting")), export.count) as bar:
            rows = export.rows(db_session, _advance(bar))
            if fmt == "xlsx":
                with writers.xlsx_file(export.header, rows) as spool, out.open("wb") as handle:
                    shutil.copyfileobj(spool, handle)
            else:
                chunks = (
                    writers.csv_chunks(export.header, rows)
                    if fmt == "csv"
                    else writers.ndjson_chunks(rows)
                )
                with out.open("w", encoding="utf-8", newline="") as handle:
                    for chunk in chunks:
                        handle.write(chunk)
    written = N_("%(rows)s rows (run %(run)s) written to %(path)s.")
    console.print(say(written, rows=export.count, run=export.run.number, path=out))


@tokens_app.command("create", help=N_("Create an API token for an analyst; it is printed once."))
def tokens_create(
    username: Annotated[str, typer.Option(help=N_("Analyst who owns the token."))],
    name: Annotated[str, typer.Option(help=N_("Token name (e.g. analysis-laptop)."))],
) -> None:
    from app.accounts import api_tokens
    from app.accounts import repository as accounts_repository

    with unit_of_work() as db_session:
        user = accounts_repository.user_by_username(db_session, username)
        if user is None or user.role != "analyst":
            not_analyst = say(N_("'%(username)s' is not an analyst account."), username=username)
            err.print(f"[red]{not_analyst}[/red]")
            raise typer.Exit(1)
        raw = api_tokens.create_token(db_session, user, name, _cli_actor(None))
    console.print(raw)


@tokens_app.command("revoke", help=N_("Revoke an analyst's API tokens with this name."))
def tokens_revoke(
    username: Annotated[str, typer.Option(help=N_("Analyst who owns the token."))],
    name: Annotated[str, typer.Option(help=N_("Token name."))],
) -> None:
    from app.accounts import api_tokens
    from app.accounts import repository as accounts_repository

    with unit_of_work() as db_session:
        user = accounts_repository.user_by_username(db_session, username)
        tokens = (
            [t for t in api_tokens.tokens_of(db_session, user.id) if t.name == name] if user else []
        )
        revoked = sum(api_tokens.revoke_token(db_session, t, _cli_actor(None)) for t in tokens)
    console.print(say(N_("%(count)s tokens revoked."), count=revoked))


# --- server -----------------------------------------------------------------------------------


@app.command(
    help=N_(
        "Run the web server (migrations must be applied: `proasn db "
        "upgrade`).\n\nEvery worker is a separate process: nothing a taker or "
        "proctor depends on is kept in process memory (logins, rate limits, "
        "tokens, the board and the sweeper live in the database), so any worker "
        "may answer any request."
    )
)
def serve(
    host: Annotated[str, typer.Option(help=N_("Address to listen on."))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=N_("Port."))] = 8000,
    workers: Annotated[
        int,
        typer.Option(min=1, help=N_("Number of worker processes (PostgreSQL for more than 1).")),
    ] = 1,
    access_log: Annotated[bool, typer.Option(help=N_("Log every request to stdout."))] = True,
    keep_alive: Annotated[
        int,
        typer.Option(help=N_("Seconds an idle connection is kept open (behind a proxy: longer).")),
    ] = 30,
) -> None:
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=False,  # the app reads X-Forwarded-For from PROASN_TRUSTED_PROXIES only
        workers=workers,
        access_log=access_log,
        timeout_keep_alive=keep_alive,
        # The open test pages' event streams never end by themselves: on shutdown they are
        # cut after this long (the pages reconnect to the next server).
        timeout_graceful_shutdown=5,
    )


@app.command(
    help=N_("Set up demo data (sample bank, an event with a session open now) and serve it.")
)
def demo(
    host: Annotated[str, typer.Option(help=N_("Address to listen on."))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=N_("Port."))] = 8000,
    no_serve: Annotated[
        bool, typer.Option(help=N_("Only set up the demo data, without a server."))
    ] = False,
) -> None:
    from app.demo import build_demo

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    with unit_of_work() as db_session:
        summary = build_demo(db_session, progress=None)
    console.print(summary.render_text(f"http://{host}:{port}"), highlight=False)
    if not no_serve:
        serve(host=host, port=port)


# --- personal data (UU 27/2022) ----------------------------------------------------------------

data_app = typer.Typer(
    help=N_("Personal data (UU 27/2022): retention, an official's own data, research export."),
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")


@data_app.command(
    "purge", help=N_("Delete or pseudonymise what has passed its retention period, in batches.")
)
def data_purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("Only report what would be deleted."))
    ] = False,
    retention_file: Annotated[
        Path | None,
        typer.Option("--retention", help=N_("Retention file (default config/retention.yaml).")),
    ] = None,
    report_file: Annotated[
        Path | None, typer.Option("--report", help=N_("Write a JSON report to this file."))
    ] = None,
    actor: Annotated[
        str | None, typer.Option(help=N_("Name of the operator for the audit log."))
    ] = None,
) -> None:
    from app import extensions
    from app.privacy.purge import run_purge
    from app.privacy.retention import DEFAULT_PATH, RetentionInvalid, load_retention

    extensions.install()  # the talent box purges its own rows

    try:
        retention = load_retention(retention_file or DEFAULT_PATH)
    except RetentionInvalid as exc:
        err.print(red(N_("wrong retention file")) + f": {exc}")
        raise typer.Exit(2) from None
    label = say(N_("Counting (dry run)") if dry_run else N_("Deleting in batches"))
    with progress_bar(label, None) as bar:
        task = bar.task_ids[0]

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = run_purge(
            unit_of_work, retention, _cli_actor(actor), dry_run=dry_run, progress=advance
        )
    _print_purge_report(report)
    if report_file is not None:
        report_file.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    if report.failed:
        failed = say(N_("batch failed and rolled back entirely"))
        err.print(f"[red]{failed}[/red]: {report.failed}")
        raise typer.Exit(1)


def _print_purge_report(report: "PurgeReport") -> None:
    line = (
        N_("%(kind)s (before %(date)s): to be deleted: %(removed)s; batches %(batches)s")
        if report.dry_run
        else N_("%(kind)s (before %(date)s): deleted: %(removed)s; batches %(batches)s")
    )
    for kind in report.kinds:
        removed = ", ".join(f"{name} {n}" for name, n in kind.counts.items()) or say(N_("none"))
        date = kind.cut_off.date().isoformat()
        console.print(say(line, kind=kind.kind, date=date, removed=removed, batches=kind.batches))
        held = ", ".join(f"{reason} {n}" for reason, n in kind.held_back.items() if n)
        if held:
            console.print("  " + say(N_("left alone: %(held)s"), held=held))


@data_app.command(
    "export-person",
    help=N_(
        "Everything held about one official (a written request handled by the agency), as JSON."
    ),
)
def data_export_person(
    nip: str,
    out: Annotated[
        Path | None, typer.Option("--out", help=N_("JSON file (default: standard output)."))
    ] = None,
    reason: Annotated[
        str, typer.Option(help=N_("Grounds of the request, e.g. the number of the request letter."))
    ] = "",
    actor: Annotated[
        str | None, typer.Option(help=N_("Name of the operator for the audit log."))
    ] = None,
) -> None:
    from app import extensions
    from app.kit.nip import InvalidNIP, normalise_nip
    from app.privacy.person import person_data, record_export

    extensions.install()  # the talent box's rows are part of the document

    try:
        digits = normalise_nip(nip)
    except InvalidNIP as exc:
        err.print(red(N_("wrong NIP")) + f": {exc}")
        raise typer.Exit(2) from None
    if not reason.strip():
        needed = say(N_("give the grounds of the request (e.g. the letter number)"))
        err.print(red(N_("--reason required")) + f": {needed}")
        raise typer.Exit(2)
    with unit_of_work() as db_session:
        document = person_data(db_session, digits)
        if not document["registrations"] and not document["talent_boxes"]:
            err.print(red(N_("no data for NIP %(nip)s"), nip=digits))
            raise typer.Exit(1)
        record_export(db_session, _cli_actor(actor), digits, "privacy.export_person", reason=reason)
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if out is None:
        console.print_json(text)
    else:
        out.write_text(text, encoding="utf-8")
        err.print(say(N_("written: %(path)s"), path=out))


@data_app.command(
    "research-export",
    help=N_("Pseudonymised responses and scores of an event for psychometric research."),
)
def data_research_export(
    event_code: str,
    out: Annotated[Path, typer.Option("--out", help=N_("NDJSON file to write."))],
    secret_file: Annotated[
        Path | None,
        typer.Option(
            "--secret-file", help=N_("File holding the key secret (not the export file).")
        ),
    ] = None,
    min_cell: Annotated[
        int, typer.Option(min=1, help=N_("Smaller province cells: 'lainnya'."))
    ] = 5,
    actor: Annotated[
        str | None, typer.Option(help=N_("Name of the operator for the audit log."))
    ] = None,
) -> None:
    from app.privacy.research import ResearchExportRefused, record_export, research_lines

    secret = (
        secret_file.read_text(encoding="utf-8") if secret_file else get_settings().research_secret
    )
    if not _writable(out):
        err.print(red(CANNOT_WRITE) + f" {out}")
        raise typer.Exit(2)
    written = 0
    try:
        label = say(N_("Writing research lines"))
        with unit_of_work() as db_session, progress_bar(label, None) as bar:
            advance = _advance(bar)
            with out.open("w", encoding="utf-8") as handle:
                for n, line in enumerate(research_lines(db_session, event_code, secret, min_cell)):
                    handle.write(line + "\n")
                    if n:
                        written += 1
                        advance(1)
            record_export(db_session, _cli_actor(actor), event_code, written, out.name)
    except ResearchExportRefused as exc:
        out.unlink(missing_ok=True)
        err.print(red(N_("research export refused")) + f": {exc}")
        raise typer.Exit(2) from None
    done = N_("%(people)s people written to %(path)s (without names, NIPs or access codes)")
    console.print(say(done, people=written, path=out))
