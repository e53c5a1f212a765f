"""Thin routes of the personal-data duties: the official's "download my data" in the self-view
(JSON and a printable page) and the admin's identity corrections."""

import json
import uuid
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import AdminDep
from app.exams.models import Participant
from app.i18n import N_
from app.kit.nip import InvalidNIP, normalise_nip
from app.privacy import corrections, holders, person, repository
from app.scoring import selfview
from app.scoring.names import subtest_names
from app.scoring.selfview import OFFICIAL
from app.scoring.selfview_routes import SelfViewCookie
from app.web.csrf import verify_csrf
from app.web.deps import DB
from app.web.flash import redirect_with
from app.web.labels import label
from app.web.pages import render
from app.web.routing import DomainRouter
from app.web.templating import translate

selfview_router = DomainRouter(prefix="/hasil/data-saya", include_in_schema=False)
admin_router = DomainRouter(prefix="/admin/peserta", include_in_schema=False)
NOT_LOGGED_IN = N_("Enter your NIP and access code first.")
CORRECTED = N_("Corrected: %(fields)s.")


def _own_document(db: Session, token: str | None) -> tuple[str, dict[str, Any]] | None:
    results = selfview.results_of_login(db, token)
    if not results:
        return None
    nip = results[0].participant.nip
    ids = [r.participant.id for r in results]
    document = person.person_data(db, nip, ids)
    return nip, document


@selfview_router.get("")
def my_data_page(request: Request, db: DB, token: SelfViewCookie = None) -> Response:
    """A readable copy of everything held about the official, for the screen or to print."""
    own = _own_document(db, token)
    if own is None:
        return redirect_with("/hasil", translate(NOT_LOGGED_IN), error=True)
    nip, document = own
    person.record_export(db, OFFICIAL, nip, "privacy.self_export", format="html")
    context = {
        "doc": document,
        "subtest_names": subtest_names(db),
        "components": {k: v for h in holders.registered for k, v in h.component_labels().items()},
    }
    return render(request, "privacy/person.html", context, layout="layout_print.html")


@selfview_router.get("/json")
def my_data_json(db: DB, token: SelfViewCookie = None) -> Response:
    """The same, machine-readable (UU 27/2022: a copy the official can take elsewhere)."""
    own = _own_document(db, token)
    if own is None:
        return Response(status_code=401)
    nip, document = own
    person.record_export(db, OFFICIAL, nip, "privacy.self_export", format="json")
    body = json.dumps(document, indent=2, ensure_ascii=False)
    headers = {
        "Content-Disposition": 'attachment; filename="data-pribadi-proasn.json"',
        "Cache-Control": "no-store",
    }
    return Response(body, media_type="application/json; charset=utf-8", headers=headers)


@admin_router.get("")
def registrations_page(request: Request, admin: AdminDep, db: DB, nip: str = "") -> Response:
    """Find an official's registrations by NIP to correct their identity fields."""
    context: dict[str, Any] = {"nip": nip, "rows": [], "error": None}
    if nip.strip():
        try:
            digits = normalise_nip(nip)
        except InvalidNIP as exc:
            context["error"] = f"NIP: {exc}"
            return render(request, "privacy/registrations.html", context, 422)
        context["rows"] = [
            (row, repository.corrections(db, row[0].id))
            for row in repository.registrations(db, digits)
        ]
        person.record_export(db, admin.actor, digits, "privacy.view_registrations")
    return render(request, "privacy/registrations.html", context)


@admin_router.post("/{participant_id}/koreksi", dependencies=[Depends(verify_csrf)])
def correct(
    participant_id: uuid.UUID,
    admin: AdminDep,
    db: DB,
    reason: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    position: Annotated[str, Form()] = "",
    eselon: Annotated[str, Form()] = "",
) -> Response:
    participant = db.get(Participant, participant_id)
    if participant is None:
        missing = translate(N_("Registration not found"))
        return redirect_with("/admin/peserta", missing, error=True)
    back = f"/admin/peserta?nip={participant.nip}"
    values = {"name": name, "position": position, "eselon": eselon}
    try:
        changes = corrections.correct_identity(db, admin.actor, participant, values, reason)
    except corrections.CorrectionRefused as exc:
        return redirect_with(back, str(exc), error=True)
    fields = ", ".join(translate(label("identity_field", c.field)) for c in changes)
    return redirect_with(back, translate(CORRECTED) % {"fields": fields})
