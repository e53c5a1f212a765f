"""Talent-box pages (`/talenta/…`): analysts only. Every view of a person and every export
is audited (personal data)."""

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Any, Literal

from fastapi import File, Form, Path, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.deps import Forbidden
from app.accounts.service import Staff
from app.audit.service import record, record_subjects_from
from app.kit.streaming import csv_chunks, file_chunks, xlsx_file
from app.talentbox import files, placement, pull, repository, rules, service
from app.talentbox.deps import AnalystDep, CsrfChecked, run_or_403
from app.talentbox.models import (
    PerformanceImport,
    Placement,
    PlacementRun,
    PotencyImport,
    ProfileImport,
)
from app.talentbox.ninebox import nine_box_svg
from app.talentbox.settings import load_settings
from app.web.deps import DB
from app.web.flash import redirect_with
from app.web.inputs import Period, optional_int
from app.web.labels import label
from app.web.pages import redirect, render
from app.web.routing import DomainRouter
from app.web.templating import N_, translate

router = DomainRouter(prefix="/talenta", include_in_schema=False)
INPUT_NAMES = {  # msgids; the page translates them
    "potency": N_("Checksum of the potency file"),
    "performance": N_("Checksum of the performance file"),
    "profile": N_("Checksum of the profile file"),
    "profile_records": N_("Checksum of the profile records used"),
}
IMPORTED = N_("%(file)s: %(rows)s rows imported")
EXPORT_COLUMNS = [
    "talentbox_run_id",
    "run_number",
    "mode",
    "period",
    "nip",
    "name",
    "agency_code",
    "agency_name",
    "eselon",
    "potential_level",
    "performance_level",
    "predicate",
    "potential_score",
    "performance_score",
    "box",
    "groups",
    "recommendation",
]


def _home_context(request: Request, db: Session, **extra: Any) -> dict[str, Any]:
    return {
        "runs": repository.runs(db),
        "potency": repository.potency_imports(db),
        "performance": repository.performance_imports(db),
        "profiles": repository.profile_imports(db),
        "export_base": str(request.base_url).rstrip("/"),
        "problems": [],
        "file_name": "",
        **extra,
    }


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
    counts = repository.box_counts(db, run.id, agency or None, eselon or None)
    query = f"?agency={agency}&eselon={eselon}"
    svg = nine_box_svg(load_settings(), counts, f"/talenta/run/{number}/kotak/{{box}}{query}")
    settings = load_settings()
    groups = {
        key: (g.label, sum(counts.get(b, 0) for b in g.boxes)) for key, g in settings.groups.items()
    }
    earlier = _earlier_run(db, run, banding)
    runs = repository.runs(db)
    context = {
        "run": run,
        "periods": sorted({r.period for r in runs}, reverse=True),
        "agencies": repository.agencies_in_run(db, run.id),
        "settings_digest": files.checksum(json.dumps(run.settings, sort_keys=True).encode()),
        "input_names": INPUT_NAMES,
        "labels": _component_labels(),
        "earlier": earlier,
        "moves": repository.movements(db, earlier.id, run.id) if earlier else [],
        "all_runs": runs,
        "svg": svg,
        "counts": counts,
        "groups": groups,
        "filter": {"agency": agency, "eselon": eselon},
        "total": sum(counts.values()),
        "total_all": (
            sum(counts.values())
            if not (agency or eselon)
            else sum(repository.box_counts(db, run.id).values())
        ),
    }
    return render(request, "talentbox/run.html", context)


def _component_labels() -> dict[str, str]:
    weighted = load_settings().weighted
    return {key: c.label for key, c in (weighted.potential | weighted.performance).items()}


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


def _earlier_run(db: Session, run: PlacementRun, number: int | None) -> PlacementRun | None:
    """The run to compare with: the one asked for, else the one before this run."""
    if number is not None:
        return repository.run_by_number(db, number) if number != run.number else None
    return repository.run_by_number(db, run.number - 1) if run.number > 1 else None


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
    context = {"run": run, "title": title, "people": people, "total": len(people)}
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
    counts = repository.box_counts(db, run.id, agency or None, eselon or None)
    total = sum(counts.get(b, 0) for b in boxes)
    people = repository.placements(
        db, run.id, agency or None, eselon or None, boxes, limit=LIST_LIMIT
    )
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
    context = {
        "run": run,
        "title": title,
        "people": people,
        "total": total,
        "meaning": meaning,
        "back": back,
    }
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
    labels = _component_labels()
    weighted = placed.components.get("weighted", {})
    used = {
        record_id
        for axis in ("potential", "performance")
        for detail in weighted.get(axis, {}).get("components", {}).values()
        for record_id, *_ in detail["records"]
    }
    records = (
        repository.profile_records(db, run.profile_import_id, nip=nip)
        if run.profile_import_id
        else []
    )
    context = {
        "run": run,
        "p": placed,
        "words": lambda key: translate(label("level", key)),
        "records": records,
        "used": used,
        "history": repository.history_of(db, nip),
        "labels": labels,
        "back": _back_to(number, kembali),
    }
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
        rows = _export_rows(run, repository.placements_stream(db, run.id))
        return StreamingResponse(
            file_chunks(xlsx_file(EXPORT_COLUMNS, rows, sheet_name="kotak talenta")),
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
        yield from csv_chunks(
            EXPORT_COLUMNS, _export_rows(run, repository.placements_stream(db_session, run.id))
        )


def _export_rows(run: PlacementRun, placements: Iterable[Placement]) -> Iterator[dict[str, Any]]:
    for p in placements:
        yield {
            "talentbox_run_id": str(run.id),
            "run_number": run.number,
            "mode": run.mode,
            "period": run.period,
            "nip": p.nip,
            "name": p.name,
            "agency_code": p.agency_code,
            "agency_name": p.agency_name,
            "eselon": p.eselon,
            "potential_level": p.potential_level,
            "performance_level": p.performance_level,
            "predicate": p.predicate,
            "potential_score": p.potential_score,
            "performance_score": p.performance_score,
            "box": p.box,
            "groups": " ".join(p.groups),
            "recommendation": p.recommendation,
        }


@router.get("/run/{number}/rilis")
def release_page(request: Request, number: int, analyst: AnalystDep, db: DB) -> Response:
    """What a release makes visible to whom, before it happens (and that it can be
    withdrawn)."""
    run = run_or_403(db, number)
    replaces = next(
        (r for r in repository.released_runs(db) if r.period == run.period and r.id != run.id),
        None,
    )
    context = {"run": run, "replaces": replaces}
    return render(request, "talentbox/release.html", context)


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
