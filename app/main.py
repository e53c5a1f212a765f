"""The FastAPI application factory."""

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from urllib.parse import quote

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import extensions
from app.accounts import admin_routes, audit_routes
from app.accounts import routes as staff_routes
from app.accounts.deps import Forbidden, NotAuthenticated
from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import service as delivery_service
from app.delivery.api import error_response
from app.delivery.api import router as taker_api
from app.delivery.errors import DeliveryError
from app.delivery.routes import page_refusal
from app.delivery.routes import router as taker_pages
from app.delivery.signals import Signals
from app.exports import api as exports_api
from app.exports.service import ExportRefused
from app.i18n import N_
from app.kit import clock
from app.privacy import routes as privacy_routes
from app.proctoring import agency_routes
from app.proctoring import reset_routes as proctor_reset_routes
from app.proctoring import routes as proctor_routes
from app.proctoring import staff_routes as proctor_staff_routes
from app.proctoring.service import ActionRefused
from app.readiness import routes as readiness_routes
from app.scoring import routes as scoring_routes
from app.scoring import selfview_routes
from app.scoring.service import ScoringRefused
from app.sync import api as sync_api
from app.sync import routes as sync_routes
from app.talentbox import profile_routes as talentbox_profile_routes
from app.talentbox import recommendation_routes as talentbox_recommendation_routes
from app.talentbox import routes as talentbox_routes
from app.talentbox.placement import PlacementRefused
from app.throttle import service as throttle
from app.web import routes as web_routes
from app.web.csrf import CsrfRejected
from app.web.edge import BodyTooLarge, Edge, staff_cap, too_large
from app.web.inputs import InvalidField
from app.web.pages import redirect, render
from app.web.static_files import VersionedStaticFiles
from app.web.templating import STATIC_DIR, current_locale, translate

logger = logging.getLogger(__name__)


# Attempts the sweeper submits and scores per transaction. A room's deadline expires a whole
# room at once; in one transaction their row locks would be held until the last was scored,
# and every request of those takers would wait, holding a worker thread, meanwhile. With
# 700-item forms a larger batch held its locks long enough for the waiting requests to take
# every thread; a small one keeps the hold short (figures: bench/README.md, "Figures behind
# the code").
SWEEP_BATCH = 10


# The collector's thresholds (young, middle, old). With the default young threshold (700
# allocations) each young collection promotes the objects of the requests in flight, and the
# promotions trigger frequent full collections under load, each holding the GIL long enough
# to make the tail of every request's latency. At 10,000 a young collection stays short and a
# full one is rare (figures: bench/README.md, "Figures behind the code").
GC_THRESHOLDS = (10_000, 10, 10)


def tune_collector() -> None:
    """A worker's collector, once it has loaded: everything loaded so far (modules, mappings,
    compiled templates) lives as long as the worker, so out of the collector's sight a full
    collection no longer walks it and holds the GIL for less (figures: bench/README.md,
    "Figures behind the code"). Benchmarks of the delivery path call it too."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


NOT_FOUND = N_("There is no such page.")
NOT_ALLOWED = N_("This address does not take that kind of request.")
INVALID_REQUEST = N_("The request is not valid: check %(fields)s.")
REQUEST_BODY = N_("the request's content")
INVALID_VALUE = N_("The request holds a value that cannot be stored (a control character?).")
UNAVAILABLE = N_("The server cannot reach its database just now. Please try again in a moment.")


def sweep_once(factory: Callable[[], Session]) -> int:
    """Submit attempts whose time ran out, even when no browser is open, a batch at a time."""
    submitted = 0
    while True:
        with transaction(factory) as db_session:
            done = delivery_service.submit_expired(db_session, SWEEP_BATCH)
        submitted += done
        if done < SWEEP_BATCH:
            return submitted


def next_sweep_in(factory: Callable[[], Session], every: float) -> float:
    """Seconds until the next round: `every`, or sooner when a running attempt's deadline
    (+ the answer grace) falls before that, so a room's deadline is swept when it is due and
    not up to `every` seconds later."""
    with transaction(factory) as db_session:
        due = delivery_service.next_due(db_session)
    if due is None:
        return every
    return min(every, max(0.2, (due - clock.now()).total_seconds() + 0.05))


def housekeeping(factory: sessionmaker[Session]) -> None:
    """Once a minute: end the logins of tests submitted a while ago, and drop failed guesses
    older than any limit's window."""
    with transaction(factory) as db_session:
        ended = delivery_service.end_finished_logins(db_session)
        throttle.forget_before(db_session, clock.now() - timedelta(days=1))
    if ended:
        logger.info("housekeeping ended %d logins of submitted tests", ended)


async def _sweeper(factory: sessionmaker[Session], every: float) -> None:
    kept_at = 0.0
    while True:
        pause = every
        try:
            submitted = await run_in_threadpool(sweep_once, factory)
            if submitted:
                logger.info("sweeper submitted %d expired attempts", submitted)
            if time.monotonic() - kept_at > 60:
                kept_at = time.monotonic()
                await run_in_threadpool(housekeeping, factory)
            pause = await run_in_threadpool(next_sweep_in, factory, every)
        except Exception:  # keep sweeping; one bad round must not stop auto-submission
            logger.exception("sweeper round failed")
        await asyncio.sleep(pause)


def _refusal_page(request: Request, code: str, message: str, status: int) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"code": code, "message": message}, status_code=status)
    return render(request, "error.html", {"message": message}, status_code=status)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    extensions.install()  # the talent box's parts of the self-view and the privacy duties
    if settings.clock_offset_file:
        logger.warning("TEST CLOCK: time is shifted by %s", settings.clock_offset_file)
        clock.install_clock(clock.OffsetFileClock(settings.clock_offset_file))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One database connection per request thread, and no more threads than that.
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        engine = make_engine(
            settings.database_url,
            echo=settings.database_echo,
            pool_size=settings.worker_threads,
        )
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.signals = Signals(app.state.sessionmaker)
        sweeper = asyncio.create_task(_sweeper(app.state.sessionmaker, settings.sweeper_seconds))
        tune_collector()
        yield
        sweeper.cancel()
        with suppress(asyncio.CancelledError):
            await sweeper
        await app.state.signals.close()
        engine.dispose()

    app = FastAPI(title="ProASN CAT", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings  # what routes read beyond the request (the sync key file)
    app.add_middleware(
        Edge,
        staff_limit=staff_cap(settings.worker_threads),
        body_limit=settings.max_body_kib * 1024,
        upload_limit=settings.max_upload_mib * 1024 * 1024,
        sync_limit=settings.max_sync_mib * 1024 * 1024,
        hsts=settings.cookie_secure,
    )
    if settings.trusted_proxies:
        # The client address (guessing limits, audit rows) from X-Forwarded-For, only when
        # the connection comes from a proxy named in PROASN_TRUSTED_PROXIES. Done here, not
        # by uvicorn's --proxy-headers (which trusts 127.0.0.1 unless told otherwise), so
        # every way of starting the app trusts exactly the same proxies.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    @app.exception_handler(DeliveryError)
    async def delivery_error(request: Request, exc: DeliveryError) -> Response:
        if request.url.path.startswith("/api/"):
            return error_response(exc)
        return page_refusal(request, exc)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        """The database cannot be reached (down, restarting, failing over, locked, the
        connection dropped twice): a 503 the page and clients retry after a moment, not a
        bare 500 (the taker's page keeps its unsent answers in its queue meanwhile). A value
        the database refuses is the request's fault (422); anything else is ours (500)."""
        if isinstance(exc, DataError):
            return await value_refused(request, exc.orig)
        unreachable = isinstance(exc, OperationalError | InterfaceError)
        if not (unreachable or exc.connection_invalidated):
            raise exc
        logger.warning("database unavailable for %s: %s", request.url.path, exc.orig)
        message = translate(UNAVAILABLE)
        headers = {"Retry-After": "5"}
        if request.url.path.startswith("/api/") or request.url.path == "/healthz":
            body = {"code": "unavailable", "message": message}
            return JSONResponse(body, status_code=503, headers=headers)
        request.state.staff = None  # no database: the page cannot read the staff member's row
        context = {"message": message}
        return render(request, "error.html", context, status_code=503, headers=headers)

    @app.exception_handler(OverflowError)
    async def value_refused(request: Request, exc: BaseException | None) -> Response:
        """A value the database refuses for its column (a NUL character in a text, a number
        past the integer range; SQLite's driver cannot even bind one past 2^63: OverflowError):
        the request's fault, answered as such, and logged."""
        logger.warning("value refused by the database for %s: %s", request.url.path, exc)
        message = translate(INVALID_VALUE)
        request.state.staff = None  # rolled back: the page cannot read the staff member's row
        return _refusal_page(request, "invalid_value", message, 422)

    @app.exception_handler(InvalidField)
    async def invalid_field(request: Request, exc: InvalidField) -> Response:
        return _refusal_page(request, exc.code, exc.message, exc.status)

    @app.exception_handler(BodyTooLarge)
    async def body_too_large(request: Request, exc: BodyTooLarge) -> Response:
        body = too_large(current_locale.get())
        return Response(body, status_code=413, media_type="application/json")

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, exc: CsrfRejected) -> Response:
        return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """Which fields were wrong, in the page's language: an error page for pages (it was
        FastAPI's English JSON), {code, message} for the API."""
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) for e in exc.errors())
        message = translate(INVALID_REQUEST) % {"fields": fields or translate(REQUEST_BODY)}
        request.state.staff = None  # its database session has ended: the row cannot load
        return _refusal_page(request, "invalid_request", message, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Unknown paths and methods in the page's language ({"detail": "Not Found"} before)."""
        if exc.status_code == 404:
            message, code = translate(NOT_FOUND), "not_found"
        elif exc.status_code == 405:
            message, code = translate(NOT_ALLOWED), "method_not_allowed"
        else:
            message, code = str(exc.detail), "error"
        request.state.staff = None  # no route ran: nobody was looked up
        response = _refusal_page(request, code, message, exc.status_code)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if request.url.path.startswith("/api/") or request.method != "GET":
            body = {"code": exc.code, "message": exc.message}
            return JSONResponse(body, status_code=exc.status)
        return redirect(f"/staf/masuk?next={quote(request.url.path)}")

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _refusal_page(request, exc.code, exc.message, exc.status)

    @app.exception_handler(ActionRefused)
    @app.exception_handler(ScoringRefused)
    @app.exception_handler(ExportRefused)
    @app.exception_handler(PlacementRefused)
    async def refused(
        request: Request, exc: ActionRefused | ScoringRefused | ExportRefused
    ) -> Response:
        return _refusal_page(request, exc.code, exc.message, exc.status)

    # A request is matched against the app's own routes (web_routes.add_to), then against the
    # routers in turn, by traffic; static files last (a browser keeps them).
    web_routes.add_to(app)
    app.include_router(taker_api)
    app.include_router(taker_pages)
    app.include_router(proctor_reset_routes.router)
    app.include_router(readiness_routes.router)
    app.include_router(staff_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(proctor_staff_routes.router)
    app.include_router(audit_routes.router)
    app.include_router(proctor_routes.router)
    app.include_router(agency_routes.router)
    app.include_router(scoring_routes.router)
    app.include_router(exports_api.router)
    app.include_router(sync_api.router)
    app.include_router(sync_routes.router)
    app.include_router(privacy_routes.selfview_router)
    app.include_router(selfview_routes.router)
    app.include_router(privacy_routes.admin_router)
    app.include_router(talentbox_routes.router)
    app.include_router(talentbox_profile_routes.router)
    app.include_router(talentbox_recommendation_routes.router)
    app.mount("/static", VersionedStaticFiles(directory=STATIC_DIR), name="static")
    return app
