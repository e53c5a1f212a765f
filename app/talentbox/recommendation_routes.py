"""The released recommendation for an agency (`/talenta/rekomendasi/…`, agency viewers, own
agency only) and the analyst's preview of it (app/talentbox/recommendation.py). Every download
and preview is audited."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts import repository as accounts_repository
from app.accounts.deps import Forbidden
from app.audit.service import record
from app.talentbox import recommendation as agency_view
from app.talentbox import repository
from app.talentbox.deps import AnalystDep, ViewerDep, run_or_403
from app.talentbox.models import PlacementRun
from app.web.deps import DB
from app.web.pages import render
from app.web.routing import DomainRouter

router = DomainRouter(prefix="/talenta", include_in_schema=False)


@router.get("/rekomendasi")
def recommendations(request: Request, viewer: ViewerDep, db: DB) -> Response:
    return render(request, "talentbox/recommendations.html", {"runs": repository.released_runs(db)})


@router.get("/rekomendasi/{number}")
def recommendation(request: Request, number: int, viewer: ViewerDep, db: DB) -> Response:
    """The agency's own recommendation: who is proposed for what — no boxes, no scores."""
    run = run_or_403(db, number)
    if run.released_at is None:
        raise Forbidden()
    code = accounts_repository.agency_code_of(db, viewer.user)
    context = _recommendation(db, run, code)
    record(
        db,
        viewer.actor,
        "talentbox.recommendation_download",
        target_type="talentbox_run",
        target_id=run.id,
        target_label=f"run {number} instansi {code}",
        subjects=_nips(context),
        rows=context["rows"],
    )
    return render(request, "talentbox/recommendation.html", context, layout="layout_print.html")


@router.get("/run/{number}/pratinjau")
def recommendation_preview(
    request: Request, number: int, analyst: AnalystDep, db: DB, agency: str
) -> Response:
    """What an agency will see for this run (also before the release), marked as a preview."""
    run = run_or_403(db, number)
    context = _recommendation(db, run, agency) | {"preview": True}
    record(
        db,
        analyst.actor,
        "talentbox.recommendation_preview",
        target_type="talentbox_run",
        target_id=run.id,
        target_label=f"run {number} instansi {agency}",
        subjects=_nips(context),
        rows=context["rows"],
    )
    return render(request, "talentbox/recommendation.html", context, layout="layout_print.html")


def _nips(context: dict[str, Any]) -> list[str]:
    return [p.nip for group in context["groups"] for p in group.people]


def _recommendation(db: Session, run: PlacementRun, code: str | None) -> dict[str, Any]:
    view = agency_view.for_agency(db, run, code)
    return {
        "run": run,
        "groups": view.groups,
        "agency": code,
        "agency_name": view.agency_name,
        "rows": view.rows,
    }
