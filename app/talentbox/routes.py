"""Talent-box pages (`/talenta/…`): analysts only. Every view of a person and every export
is audited (personal data)."""

import uuid
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Literal

from fastapi import File, Form, Path, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.deps import Forbidden
from app.accounts.service import Staff
from app.audit.service import record, record_subjects_from
from app.kit.streaming import csv_chunks, file_chunks, xlsx_file
from app.talentbox import files, pages, placement, pull, repository, rules, service
from app.talentbox.deps import AnalystDep, CsrfChecked, run_or_403
from app.talentbox.models import (
    PerformanceImport,
    PlacementRun,
    PotencyImport,
    ProfileImport,
)
from app.talentbox.settings import load_settings
from app.web.deps import DB
from app.web.flash import redirect_with
from app.web.inputs import Period, optional_int
from app.web.pages import redirect, render
from app.web.routing import DomainRouter
from app.web.templating import N_, translate

router = DomainRouter(prefix="/talenta", include_in_schema=False)
IMPORTED = N_("%(file)s: %(rows)s rows imported")


def _home_context(request: Request, db: Session, **extra: Any) -> dict[str, Any]:
    return pages.home(db, str(request.base_url).rstrip("/"), **extra)


@router.get("")
def home(request: Request, analyst: AnalystDep, db: DB) -> Response:
    context = _home_context(request, db)
    return render(request, "talentbox/home.html", context)


async def _upload(
    request: Request, db: Session, analyst: Staff, upload: UploadFile, kind: str
) -> Response:
    content = await upload.read()
    name = upload.filename or kind
    importers: dict[str, service.Importer] = {
        "potency": service.import_potency,
        "performance": service.import_performance,
        "profile": service.import_profile,
    }
    try:
        batch = importers[kind](db, analyst.actor, name, content)
    except files.FileRejected as exc:
        return _rejected(request, db, exc)
    return _imported(batch)


NOTHING_IMPORTED = N_("%(file)s: nothing was imported")


def _imported(batch: PotencyImport | PerformanceImport | ProfileImport) -> Response:
    """The import's result on the next page, once (a flash, never the URL)."""
    message = translate(IMPORTED) % {"file": batch.file_name, "rows": batch.rows}
    return redirect_with("/talenta", message)


def _rejected(request: Request, db: Session, exc: files.FileRejected) -> Response:
    context = _home_context(
        request,
        db,
        is_error=True,
        message=translate(NOTHING_IMPORTED) % {"file": exc.file_name},
        problems=exc.problems,
    )
    return render(request, "talentbox/home.html", context, status_code=422)


@router.post("/potensi", dependencies=[CsrfChecked])
async def upload_potency(
    request: Request, analyst: AnalystDep, db: DB, file: Annotated[UploadFile, File()]
) -> Response:
    return await _upload(request, db, analyst, file, "potency")


@router.post("/kinerja", dependencies=[CsrfChecked])
async def upload_performance(
    request: Request, analyst: AnalystDep, db: DB, file: Annotated[UploadFile, File()]
) -> Response:
    return await _upload(request, db, analyst, file, "performance")


@router.post("/profil", dependencies=[CsrfChecked])
async def upload_profile(
    request: Request, analyst: AnalystDep, db: DB, file: Annotated[UploadFile, File()]
) -> Response:
    return await _upload(request, db, analyst, file, "profile")


@router.post("/potensi/tarik", dependencies=[CsrfChecked])
def pull_potency(
    request: Request,
    analyst: AnalystDep,
    db: DB,
    base_url: Annotated[str, Form()],
    api_token: Annotated[str, Form()],
    event: Annotated[str, Form()],
    run: Annotated[str, Form()] = "",
) -> Response:
    """Potency from the scores export API (this server or another delivery system's)."""
    try:
        batch = pull.pull_potency(
            db, analyst.actor, base_url, api_token, event.strip(), optional_int(run, "run")
        )
    except pull.PullFailed as exc:
        context = _home_context(request, db, is_error=True, message=exc.message)
        return render(request, "talentbox/home.html", context, status_code=exc.status)
    except files.FileRejected as exc:
        return _rejected(request, db, exc)
    return _imported(batch)


@router.post("/penempatan", dependencies=[CsrfChecked])
def place(
    analyst: AnalystDep,
    db: DB,
    potency_id: Annotated[uuid.UUID, Form()],
    performance_id: Annotated[uuid.UUID, Form()],
    period: Annotated[int, Form()],
    mode: Annotated[Literal["simple", "weighted"], Form()] = "simple",
    profile_id: Annotated[str, Form()] = "",
    include_unverified: Annotated[bool, Form()] = False,
    missing_policy: Annotated[Literal["reweight", "zero"], Form()] = "reweight",
    note: Annotated[str, Form()] = "",
) -> Response:
    options = placement.RunOptions(
        mode=mode,
        profile_import_id=uuid.UUID(profile_id) if profile_id and mode == "weighted" else None,
        include_unverified=include_unverified,
        missing_policy=missing_policy,
    )
    try:
        run = placement.place(
            db, analyst.actor, potency_id, performance_id, period, note, options=options
        )
    except placement.PlacementRefused as exc:
        return redirect_with("/talenta", exc.message, error=True)
    return redirect(f"/talenta/run/{run.number}")


@router.get("/run/{number}")
def run_page(
    request: Request,
    number: int,
    analyst: AnalystDep,
    db: DB,
    agency: str = "",
    eselon: str = "",
    banding: int | None = None,
) -> Response:
    run = run_or_403(db, number)
    context = pages.run_page(db, run, agency, eselon, banding)
    return render(request, "talentbox/run.html", context)


@router.get("/periode")
def period_page(analyst: AnalystDep, db: DB, periode: Period) -> Response:
    """The 9-box of a period: its latest run."""
    run = repository.latest_run_of_period(db, periode)
    if run is None:
        return redirect_with("/talenta", translate(N_("No run for this period")), error=True)
    return redirect(f"/talenta/run/{run.number}")


@router.post("/run/{number}/ulang", dependencies=[CsrfChecked])
def rerun(number: int, analyst: AnalystDep, db: DB) -> Response:
    """Place again from the run's own inputs, options and stored settings (not today's config
    file): the new run must give every official the same box."""
    run = run_or_403(db, number)
    again = placement.rerun(db, analyst.actor, run)
    moved = sum(n for a, b, n in repository.movements(db, run.id, again.id) if a != b)
    if moved == 0:
        result = translate(N_("the same"))
    else:
        result = translate(N_("%(n)s people in another box")) % {"n": moved}
    if again.inputs != run.inputs:
        result = translate(N_("%(result)s; the inputs' checksums differ")) % {"result": result}
    note = translate(N_("Placed again from run %(run)s: %(result)s"))
    return redirect_with(
        f"/talenta/run/{again.number}?banding={number}", note % {"run": number, "result": result}
    )


@router.get("/run/{number}/pindah/{earlier}/{from_box}/{to_box}")
def movers_page(
    request: Request,
    number: int,
    earlier: int,
    from_box: int,
    to_box: int,
    analyst: AnalystDep,
    db: DB,
) -> Response:
    """The people who were in one box in an earlier run and in another in this one."""
    run, before = run_or_403(db, number), run_or_403(db, earlier)
    people = repository.movers(db, before.id, run.id, from_box, to_box)
    record(
        db,
        analyst.actor,
        "talentbox.view_movement",
        target_type="talentbox_run",
        target_id=run.id,
        target_label=f"run {earlier} kotak {from_box} → run {number} kotak {to_box}",
        subjects=[p.nip for p in people],
        rows=len(people),
    )
    title = translate(N_("Box %(from)s (run %(earlier)s) → box %(to)s (run %(number)s)")) % {
        "from": from_box,
        "earlier": earlier,
        "to": to_box,
        "number": number,
    }
    context = pages.people_list(run, title, people, len(people))
    return render(request, "talentbox/people.html", context)


@router.get("/run/{number}/kotak/{box}")
def box_page(
    request: Request,
    number: int,
    box: Annotated[int, Path(ge=1, le=9, description="kotak 1-9 (DOMAIN.md)")],
    analyst: AnalystDep,
    db: DB,
    agency: str = "",
    eselon: str = "",
) -> Response:
    run = run_or_403(db, number)
    settings = load_settings()
    levels = rules.box_levels(settings, box)
    meaning = {
        "levels": levels,
        "recommendation": settings.recommendations.get(box, ""),
    }
    title = translate(N_("Box %(number)s")) % {"number": box}
    return _people_page(
        request,
        db,
        analyst,
        run,
        title,
        "talentbox.view_box",
        [box],
        agency,
        eselon,
        meaning,
    )


@router.get("/run/{number}/kelompok/{group}")
def group_page(
    request: Request,
    number: int,
    group: str,
    analyst: AnalystDep,
    db: DB,
    agency: str = "",
    eselon: str = "",
) -> Response:
    run = run_or_403(db, number)
    chosen = load_settings().groups.get(group)
    if chosen is None:
        raise Forbidden()
    return _people_page(
        request,
        db,
        analyst,
        run,
        chosen.label,
        "talentbox.view_group",
        chosen.boxes,
        agency,
        eselon,
    )


LIST_LIMIT = 1000  # a page lists at most this many; the export has everyone


def _people_page(
    request: Request,
    db: Session,
    analyst: Staff,
    run: PlacementRun,
    title: str,
    action: str,
    boxes: Sequence[int],
    agency: str,
    eselon: str,
    meaning: dict[str, Any] | None = None,
) -> Response:
    """The people of some boxes (filtered in SQL, at most LIST_LIMIT shown), audited."""
    people, total = pages.people_in_boxes(db, run, boxes, agency, eselon, LIST_LIMIT)
    record(
        db,
        analyst.actor,
        action,
        target_type="talentbox_run",
        target_id=run.id,
        target_label=f"run {run.number} {title}",
        subjects=[p.nip for p in people],
        rows=len(people),
    )
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    context = pages.people_list(run, title, people, total, back, meaning)
    return render(request, "talentbox/people.html", context)


def _back_to(number: int, kembali: str) -> str:
    """Where a person card's back link goes: the run's list the analyst came from (a path of
    this run only, never another site), or the run page."""
    prefix = f"/talenta/run/{number}/"
    if kembali.startswith(prefix) and "//" not in kembali and "\\" not in kembali:
        return kembali
    return f"/talenta/run/{number}"


@router.get("/run/{number}/orang/{nip}")
def person_page(
    request: Request, number: int, nip: str, analyst: AnalystDep, db: DB, kembali: str = ""
) -> Response:
    run = run_or_403(db, number)
    placed = repository.placement_of(db, run.id, nip)
    if placed is None:
        raise Forbidden()
    record(
        db,
        analyst.actor,
        "talentbox.view_person",
        target_type="person",
        target_id=nip,
        target_label=placed.name,
        subjects=[nip],
        run=number,
    )
    context = pages.person_page(db, run, placed, _back_to(number, kembali))
    return render(request, "talentbox/person.html", context)


@router.get("/run/{number}/ekspor.{fmt}")
def export(request: Request, number: int, fmt: str, analyst: AnalystDep, db: DB) -> Response:
    run = run_or_403(db, number)
    if fmt not in ("csv", "xlsx"):
        raise Forbidden()
    entry = record(
        db,
        analyst.actor,
        "talentbox.export",
        target_type="talentbox_run",
        target_id=run.id,
        target_label=f"run {number}",
        format=fmt,
        rows=sum(repository.box_counts(db, run.id).values()),
    )
    record_subjects_from(db, entry, repository.nips_of_run(run.id))
    name = f"kotak-talenta-run{number}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "xlsx":
        rows = pages.export_rows(run, repository.placements_stream(db, run.id))
        return StreamingResponse(
            file_chunks(xlsx_file(pages.EXPORT_COLUMNS, rows, sheet_name="kotak talenta")),
            headers=headers,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    db.commit()  # the audit entry stands even if the client stops reading
    body = _streamed_csv(request.app.state.sessionmaker, run)
    return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers=headers)


def _streamed_csv(factory: sessionmaker[Session], run: PlacementRun) -> Iterator[str]:
    """Rows read while the response is sent, in a database session of their own (the
    request's ends when the route returns), as the scores export does."""
    with factory() as db_session:
        rows = pages.export_rows(run, repository.placements_stream(db_session, run.id))
        yield from csv_chunks(pages.EXPORT_COLUMNS, rows)


@router.get("/run/{number}/rilis")
def release_page(request: Request, number: int, analyst: AnalystDep, db: DB) -> Response:
    """What a release makes visible to whom, before it happens (and that it can be
    withdrawn)."""
    run = run_or_403(db, number)
    return render(request, "talentbox/release.html", pages.release_page(db, run))


@router.post("/run/{number}/rilis", dependencies=[CsrfChecked])
def release(
    number: int, analyst: AnalystDep, db: DB, konfirmasi: Annotated[str, Form()] = ""
) -> Response:
    if konfirmasi != "ya":  # only from the confirmation page
        return redirect(f"/talenta/run/{number}/rilis")
    changed = service.release(db, analyst.actor, run_or_403(db, number))
    message = N_("Run released") if changed else N_("Already released")
    return redirect_with(f"/talenta/run/{number}", translate(message))


@router.get("/run/{number}/tarik")
def withdraw_page(request: Request, number: int, analyst: AnalystDep, db: DB) -> Response:
    """What withdrawing a release hides from whom, before it happens."""
    return render(request, "talentbox/withdraw.html", {"run": run_or_403(db, number)})


@router.post("/run/{number}/tarik", dependencies=[CsrfChecked])
def withdraw(
    number: int, analyst: AnalystDep, db: DB, konfirmasi: Annotated[str, Form()] = ""
) -> Response:
    if konfirmasi != "ya":  # only from the confirmation page
        return redirect(f"/talenta/run/{number}/tarik")
    changed = service.withdraw(db, analyst.actor, run_or_403(db, number))
    message = N_("Release withdrawn") if changed else N_("Not released")
    return redirect_with(f"/talenta/run/{number}", translate(message))
