"""Profile component records (`/talenta/profil/…`): the analyst verifies, rejects or resets
them, one row at a time (htmx) or every record a filter shows. Every decision is audited."""

import uuid
from typing import Annotated, Literal

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import Forbidden
from app.audit.service import record
from app.talentbox import repository, service
from app.talentbox.deps import AnalystDep, CsrfChecked
from app.talentbox.models import VERIFICATION_STATUSES, ProfileImport, ProfileRecord
from app.talentbox.settings import load_settings
from app.web.deps import DB
from app.web.htmx import is_htmx
from app.web.pages import redirect, render
from app.web.routing import DomainRouter

router = DomainRouter(prefix="/talenta/profil", include_in_schema=False)


@router.get("/{import_id}")
def profile_page(
    request: Request,
    import_id: uuid.UUID,
    analyst: AnalystDep,
    db: DB,
    status: str = "",
    component: str = "",
    nip: str = "",
) -> Response:
    """The records of a profile file, to verify or reject (filtered; at most 200 shown)."""
    batch = _profile_import(db, import_id)
    records = repository.profile_records(db, batch.id, status, component, nip.strip())
    record(
        db,
        analyst.actor,
        "talentbox.view_profile",
        target_type="file",
        target_label=batch.file_name,
        subjects=[r.nip for r in records],
        rows=len(records),
        status=status,
        component=component,
        nip=nip,
    )
    context = {
        "batch": batch,
        "records": records,
        "counts": repository.profile_status_counts(db, batch.id),
        "components": load_settings().weighted.profile_components(),
        "filter": {"status": status, "component": component, "nip": nip},
        "statuses": VERIFICATION_STATUSES,
    }
    return render(request, "talentbox/profile.html", context)


def _profile_import(db: Session, import_id: uuid.UUID) -> ProfileImport:
    batch = db.get(ProfileImport, import_id)
    if batch is None:
        raise Forbidden()
    return batch


@router.get("/{import_id}/jumlah")
def profile_counts(request: Request, import_id: uuid.UUID, analyst: AnalystDep, db: DB) -> Response:
    batch = _profile_import(db, import_id)
    context = {"batch": batch, "counts": repository.profile_status_counts(db, batch.id)}
    return render(request, "talentbox/_profile_counts.html", context)


@router.post("/catatan/{record_id}", dependencies=[CsrfChecked])
def set_record_status(
    request: Request,
    record_id: uuid.UUID,
    analyst: AnalystDep,
    db: DB,
    status: Annotated[Literal["unverified", "verified", "rejected"], Form()],
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    item = db.get(ProfileRecord, record_id)
    if item is None:
        raise Forbidden()
    service.set_verification(db, analyst.actor, [item], status, note.strip())
    if is_htmx(request):
        components = load_settings().weighted.profile_components()
        context = {"r": item, "components": components, "back": back}
        response = render(request, "talentbox/_profile_row.html", context)
        response.headers["HX-Trigger"] = "profile-changed"  # the counts above refresh
        return response
    return redirect(_back(back, item.import_id))


@router.post("/{import_id}/massal", dependencies=[CsrfChecked])
def set_status_of_shown(
    import_id: uuid.UUID,
    analyst: AnalystDep,
    db: DB,
    status: Annotated[Literal["unverified", "verified", "rejected"], Form()],
    filter_status: Annotated[str, Form()] = "",
    filter_component: Annotated[str, Form()] = "",
    filter_nip: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """The same decision for every record the filtered page shows (at most 200 at a time)."""
    batch = _profile_import(db, import_id)
    shown = repository.profile_records(
        db, batch.id, filter_status, filter_component, filter_nip.strip()
    )
    service.set_verification(db, analyst.actor, shown, status, note.strip())
    return redirect(_back(back, batch.id))


def _back(back: str, import_id: uuid.UUID) -> str:
    # Only a path of this page: never an open redirect.
    prefix = f"/talenta/profil/{import_id}"
    return back if back.startswith(prefix) else prefix
