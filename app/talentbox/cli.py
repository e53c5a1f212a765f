"""`proasn talenta …`: the talent box from the command line (imports, pull, placement run).

The module keeps its edge here too: it opens its own database session from the shared
settings instead of borrowing the main CLI's helpers."""

import getpass
import os
import uuid
from collections.abc import Callable, Iterator
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
from app.talentbox import files, placement, pull, repository, service, weighting
from app.web.templating import N_, translate

app = typer.Typer(
    help=N_("Talent box: import potency/performance/profile, placement runs."), no_args_is_help=True
)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    with unit_of_work(get_settings().database_url) as db_session:
        yield db_session


def _actor(username: str | None) -> Actor:
    """The analyst named with --analyst, else the operating-system user (for the audit log)."""
    return Actor(None, f"cli:{username or getpass.getuser()}", "analyst")


NOTHING_IMPORTED = N_("%(file)s: nothing was imported")
ROWS_IMPORTED = N_("%(file)s: %(rows)s rows imported")
ROWS_PULLED = N_("%(rows)s rows taken from the API")
PLACING = N_("Placement")
PLACED = N_("%(people)s placed")
BOX_COUNT = N_("box %(box)s: %(count)s")
ONE_SIDED = N_("potency only: %(potency)s, performance only: %(performance)s")
ROWS = N_("(%(rows)s rows)")
RUN_LINE = N_("%(number)s  period %(period)s  %(mode)s  %(created)s UTC")
ROW_PROBLEM = N_("row %(row)s, column %(column)s: %(message)s")


def _rejected(exc: files.FileRejected) -> None:
    err.print(f"[red]{translate(NOTHING_IMPORTED, {'file': exc.file_name})}[/red]")
    for p in exc.problems:
        where = {"row": p.row, "column": p.column, "message": p.message}
        err.print(f"  {translate(ROW_PROBLEM, where)}")
    raise typer.Exit(1)


AnalystOption = Annotated[
    str | None, typer.Option("--analyst", help=N_("Name of the analyst (audit)."))
]


def _import(kind: str, path: Path, analyst: str | None) -> None:
    importers: dict[str, service.Importer] = {
        "potensi": service.import_potency,
        "kinerja": service.import_performance,
        "profil": service.import_profile,
    }
    try:
        with _unit_of_work() as db:
            batch = importers[kind](db, _actor(analyst), path.name, path.read_bytes())
            done = translate(ROWS_IMPORTED, {"file": path.name, "rows": batch.rows})
            console.print(f"[green]{done}[/green] (id {batch.id})")
    except files.FileRejected as exc:
        _rejected(exc)


@app.command("import-potency", help=N_("The scores export (CSV, XLSX or NDJSON) of a scoring run."))
def import_potency(path: Path, analyst: AnalystOption = None) -> None:
    _import("potensi", path, analyst)


@app.command(
    "import-performance",
    help=N_("SKP ratings (CSV or XLSX): nip, periode, predikat or hasil_kerja + perilaku_kerja."),
)
def import_performance(path: Path, analyst: AnalystOption = None) -> None:
    _import("kinerja", path, analyst)


@app.command(
    "import-profile",
    help=N_("Profile component records with their verification status (CSV or XLSX)."),
)
def import_profile(path: Path, analyst: AnalystOption = None) -> None:
    _import("profil", path, analyst)


@app.command(
    "pull-potency",
    help=N_("Potency from the scores export API; the API token is read from PROASN_EXPORT_TOKEN."),
)
def pull_potency(
    url: Annotated[
        str, typer.Option(help=N_("Address of the exam server, e.g. https://cat.go.id"))
    ],
    event: Annotated[str, typer.Option(help=N_("Event code."))],
    run: Annotated[
        int | None, typer.Option(help=N_("Scoring run number (default: the published one)."))
    ] = None,
    analyst: AnalystOption = None,
) -> None:
    token = os.environ.get("PROASN_EXPORT_TOKEN", "")
    if not token:
        no_token = translate(N_("Set PROASN_EXPORT_TOKEN to an analyst API token."))
        err.print(f"[red]{no_token}[/red]")
        raise typer.Exit(2)
    try:
        with _unit_of_work() as db:
            batch = pull.pull_potency(db, _actor(analyst), url, token, event, run)
            pulled = translate(ROWS_PULLED, {"rows": batch.rows})
            console.print(f"[green]{pulled}[/green] (id {batch.id})")
    except pull.PullFailed as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    except files.FileRejected as exc:
        _rejected(exc)


@app.command("place", help=N_("A new placement run, with progress."))
def place(
    potency: Annotated[uuid.UUID, typer.Option(help=N_("Id of the potency import."))],
    performance: Annotated[uuid.UUID, typer.Option(help=N_("Id of the performance import."))],
    period: Annotated[int, typer.Option(help=N_("SKP period (year)."))],
    mode: Annotated[str, typer.Option(help=N_("simple | weighted"))] = "simple",
    profile: Annotated[
        uuid.UUID | None, typer.Option(help=N_("Id of the profile import (weighted)."))
    ] = None,
    include_unverified: Annotated[
        bool, typer.Option(help=N_("Use unverified records too."))
    ] = False,
    missing: Annotated[str, typer.Option(help=N_("reweight | zero"))] = "reweight",
    analyst: AnalystOption = None,
) -> None:
    if mode not in ("simple", "weighted") or missing not in ("reweight", "zero"):
        err.print("[red]--mode simple|weighted, --missing reweight|zero[/red]")
        raise typer.Exit(2)
    options = placement.RunOptions(
        placement.MODES[mode], profile, include_unverified, weighting.POLICIES[missing]
    )
    try:
        with _unit_of_work() as db:
            total = repository.count_potency(db, potency)
            with _progress(translate(PLACING), total) as advance:
                run = placement.place(
                    db,
                    _actor(analyst),
                    potency,
                    performance,
                    period,
                    options=options,
                    progress=advance,
                )
            counts = repository.box_counts(db, run.id)
            placed = translate(PLACED, {"people": sum(counts.values())})
            console.print(f"[green]Run {run.number}[/green]: {placed}")
            boxes = [{"box": b, "count": counts.get(b, 0)} for b in range(9, 0, -1)]
            console.print("  " + ", ".join(translate(BOX_COUNT, box) for box in boxes))
            one_sided = {"potency": len(run.only_potency), "performance": len(run.only_performance)}
            console.print("  " + translate(ONE_SIDED, one_sided))
    except placement.PlacementRefused as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


@app.command("list", help=N_("Imported files (with ids for `place`) and placement runs."))
def list_inputs() -> None:
    with _unit_of_work() as db:
        for title, batches in (
            (N_("Potency"), repository.potency_imports(db)),
            (N_("Performance"), repository.performance_imports(db)),
            (N_("Profile"), repository.profile_imports(db)),
        ):
            console.print(f"[bold]{translate(title)}[/bold]")
            for b in batches:
                console.print(f"  {b.id}  {b.file_name}  {translate(ROWS, {'rows': b.rows})}")
        runs_title = translate(N_("Placement runs"))
        console.print(f"[bold]{runs_title}[/bold]")
        for r in repository.runs(db):
            created = f"{r.created_at:%Y-%m-%d %H:%M}"
            run = {"number": r.number, "period": r.period, "mode": r.mode, "created": created}
            console.print("  " + translate(RUN_LINE, run))
