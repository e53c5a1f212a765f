"""What every talent-box page needs: the analyst check, the CSRF check, a run by number."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.accounts.deps import Forbidden, require_role
from app.accounts.service import Staff
from app.talentbox import repository
from app.talentbox.models import PlacementRun
from app.web.csrf import verify_csrf

AnalystDep = Annotated[Staff, Depends(require_role("analyst"))]
ViewerDep = Annotated[Staff, Depends(require_role("agency_viewer"))]
CsrfChecked = Depends(verify_csrf)


def run_or_403(db: Session, number: int) -> PlacementRun:
    """The run, or the same refusal as for a run one may not see (no probing of numbers)."""
    run = repository.run_by_number(db, number)
    if run is None:
        raise Forbidden()
    return run
