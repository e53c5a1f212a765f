"""`/hasil`: a participant looks up their own published result."""

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from app.bank import repository as bank_repository
from app.scoring.selfview import SelfViewRefused, own_results
from app.web.csrf import verify_csrf
from app.web.deps import DB
from app.web.pages import render, retry_after, with_wait
from app.web.routing import DomainRouter
from app.web.templating import current_locale

router = DomainRouter(prefix="/hasil", include_in_schema=False)


@router.get("")
def lookup_page(request: Request) -> Response:
    return render(request, "scoring/selfview.html", {"results": None, "error": None})


@router.post("", dependencies=[Depends(verify_csrf)])
def lookup(
    request: Request, db: DB, nip: Annotated[str, Form()] = "", code: Annotated[str, Form()] = ""
) -> Response:
    address = request.client.host if request.client else "unknown"
    try:
        results = own_results(db, nip, code, address)
    except SelfViewRefused as exc:
        db.commit()  # the failed attempt counts for the rate limit
        context = {"results": None, "error": with_wait(exc.message, exc.retry_after)}
        headers = retry_after(exc.retry_after)
        return render(request, "scoring/selfview.html", context, exc.status, headers=headers)
    english = current_locale.get() == "en"
    names = {  # subtests by name, in the page's language, not by their code ("sjt")
        code: (subtest.name_en if english and subtest.name_en else subtest.name)
        for code, subtest in bank_repository.subtests_by_code(db).items()
    }
    context = {"results": results, "error": None, "subtest_names": names}
    return render(request, "scoring/selfview.html", context)
